"""§4.4's exact sweeps and the claims the page asserts about them."""

import pytest

from mlp_notes import capacity
from mlp_notes.polynomial import split_data


@pytest.fixture(scope="module")
def curves():
    return {n: capacity.by_degree(n) for n in (100, 10)}


def test_degree_claims_hold_for_exact_fits(curves):
    # an SGD curve that is lower at degree 19 than at 3 must break a claim
    good_sgd = [0.5] * 3 + [0.02] + [0.02] * 15 + [0.05]
    claims = capacity.degree_claims(curves, good_sgd)
    assert claims.all_hold, str(claims)
    bad = capacity.degree_claims(curves, [0.05] * 19 + [0.001])
    assert not bad[-1].holds


def test_interpolation_at_n_minus_one(curves):
    train10 = curves[10][0]
    assert train10[9] < 1e-12 < train10[8]


def test_size_claims_and_scale_claims():
    sizes = [6, 12, 25, 60, 100]
    by_size = {k: capacity.by_size(k, sizes) for k in (4, 11)}
    claims = capacity.size_claims(sizes, by_size, target=0.02)
    assert claims.all_hold, str(claims)
    # degree 3 missing the target at the largest n must fail its claim
    train, test = by_size[4]
    missed = {**by_size, 4: (train, test[:-1] + [0.03])}
    assert not capacity.size_claims(sizes, missed, target=0.02)[2].holds
    x_tr, _, x_te, _ = split_data(0)
    scales = capacity.basis_scales(x_tr, x_te)
    assert capacity.scale_claims(scales).all_hold
    # curvature of x^0 is 2 mean(1) = 2 exactly
    assert scales["raw"]["curvature"][0] == pytest.approx(2.0)
