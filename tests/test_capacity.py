"""§4.4's exact sweeps and the claims the page asserts about them."""

import pytest
import torch

from mlp_notes import capacity
from mlp_notes.polynomial import split_data


@pytest.fixture(scope="module")
def curves():
    return {n: capacity.by_degree(n) for n in (100, 10)}


def test_degree_claims_hold_for_exact_fits(curves):
    # one point per degree 0..19, train and test, n = 100 and 10
    assert [len(c) for c in (*curves[100], *curves[10])] == [20] * 4
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
    sizes = [6, 8, 12, 16, 25, 40, 60, 100]  # the page's grid
    by_size = {k: capacity.by_size(k, sizes) for k in (4, 11)}
    claims = capacity.size_claims(sizes, by_size, target=0.02)
    assert claims.all_hold, str(claims)
    # degree 3 missing the target at the largest n must fail its claim
    train, test = by_size[4].train, by_size[4].test
    missed = {**by_size, 4: capacity.Curve(train, test[:-1] + [0.03])}
    assert not capacity.size_claims(sizes, missed, target=0.02)[2].holds
    x_tr, _, x_te, _ = split_data(0)
    scales = capacity.basis_scales(x_tr, x_te)
    assert capacity.scale_claims(scales).all_hold
    # curvature of x^0 is 2 mean(1) = 2 exactly
    assert scales["raw"]["curvature"][0] == pytest.approx(2.0)


def test_top_curvature_is_the_hessians_largest_eigenvalue():
    g = torch.Generator().manual_seed(0)
    F = torch.randn(30, 5, generator=g, dtype=torch.float64)
    H = 2 * F.T @ F / 30
    assert capacity.top_curvature(F).item() == pytest.approx(
        torch.linalg.eigvalsh(H)[-1].item()
    )
    # batched: one eigenvalue per minibatch, each at least 2 |f_i|^2 / |B|
    batches = torch.arange(30).reshape(3, 10)
    per_batch = capacity.top_curvature(F[batches])
    assert per_batch.shape == (3,)
    for b, lam in zip(batches, per_batch):
        assert lam.item() == pytest.approx(capacity.top_curvature(F[b]).item())
        assert lam >= 2 * (F[b] ** 2).sum(1).max() / 10 - 1e-12
    # twice the features, four times the curvature
    assert capacity.top_curvature(2 * F).item() == pytest.approx(
        4 * capacity.top_curvature(F).item()
    )


def test_cv_mse_is_the_mean_fold_error_of_exact_fits():
    from mlp_notes.polynomial import least_squares, make_features, mse
    from mlp_notes.selection import k_fold_indices

    x_tr, y_tr, x_te, _ = split_data(0)
    F = make_features(x_tr, x_te, 4)[0]
    folds = k_fold_indices(100, 5, generator=torch.Generator().manual_seed(0))
    by_hand = (
        sum(
            mse(F[va], least_squares(F[tr], y_tr[tr]), y_tr[va]).item()
            for tr, va in folds
        )
        / 5
    )
    assert capacity.cv_mse(F, y_tr, folds=5) == pytest.approx(by_hand)
    assert capacity.cv_mse(F, y_tr) == pytest.approx(by_hand)  # 5 by default
    # the cubic beats the straight line by orders of magnitude
    assert capacity.cv_mse(F[:, :2], y_tr) > 100 * capacity.cv_mse(F, y_tr)


def test_basis_scales_are_the_hessians_eigenvalue_and_diagonal():
    # the MSE's Hessian is 2 F^T F / n: its largest eigenvalue is
    # 2 smax(F)^2 / n and its diagonal 2 mean(F_i^2)
    from mlp_notes.polynomial import make_features

    x_tr, _, x_te, _ = split_data(3, n_train=12, n_test=5)
    scales = capacity.basis_scales(x_tr, x_te)
    for basis, s in scales.items():
        F = make_features(x_tr, x_te, 20, basis)[0]
        top = 2 * torch.linalg.svdvals(F)[0].item() ** 2 / 12
        assert s["lambda_max"] == pytest.approx(top, rel=1e-9)
        assert s["curvature"] == pytest.approx(
            (2 * (F[:, :4] ** 2).mean(0)).tolist()
        )
        assert s["std"] == pytest.approx(F.std(0).tolist())
        assert s["cond"] == pytest.approx(
            torch.linalg.cond(F).item(), rel=1e-6
        )


def _degree_curves(tr=None, te=None, tr10=None, te10=None):
    """Hand-made curves (index = degree) for which every claim holds."""
    base = {
        "tr": [1.0, 0.8, 0.5] + [0.0096 - 0.0001 * i for i in range(17)],
        "te": [2.0, 1.0, 0.5, 0.011, 0.0105, 0.0112, 0.0115, 0.012, 0.0125]
        + [0.02] + [0.05] * 9 + [5.0],
        "tr10": [1.0, 0.5, 0.1, 0.02, 0.01, 5e-3, 1e-3, 1e-3, 1e-3, 1e-14]
        + [1e-15] * 10,
        "te10": [1.0, 0.5, 0.1, 0.02, 0.05, 0.1, 1.0, 10.0, 100.0, 3e4]
        + [1e3] * 10,
    }  # fmt: skip
    given = {"tr": tr, "te": te, "tr10": tr10, "te10": te10}
    c = {k: given[k] or v for k, v in base.items()}
    return {
        100: capacity.Curve(c["tr"], c["te"]),
        10: capacity.Curve(c["tr10"], c["te10"]),
    }


SGD = [0.5, 0.3, 0.1, 0.02, 0.019] + [0.02] * 14 + [0.05]


def test_degree_claims_say_what_they_measure():
    claims = capacity.degree_claims(_degree_curves(), SGD)
    assert claims.all_hold, str(claims)
    assert [c.text for c in claims] == [
        "n = 10: train at degree 9 1.0e-14 below 1e-12, at degree 8 1.0e-03 "
        "above it (degree 9 interpolates)",
        "n = 100: train at degree 3 0.0096 within 0.001 of 0.01 * 96 / 100; "
        "never rising after; at degree 19 0.0080 above 0.5 x degree 3's",
        "n = 100: test falls up to degree 3; degree 3 0.0110 below 1.1 x the "
        "lowest 0.0105; degrees 3-8 below 1.2 x it; degree 19 5 above 100 x "
        "it",
        "n = 10: test lowest at degree 3, peak among 0-9 at degree 9 "
        "(3.0e+04), above 1e6 x degree 3's 0.02",
        "SGD train at degree 19 0.0500 above its degree 3 0.0200 and the "
        "exact 0.0080",
    ]


def _tr(*after3, tr3=0.0096, tr19=0.0080):
    """Training curve for n = 100: degrees 0-2 high, then tr3, after3,
    a straight fall to tr19."""
    head = [1.0, 0.8, 0.5, tr3, *after3]
    start, n = head[-1], 20 - len(head)
    return head + [start + (tr19 - start) * (i + 1) / n for i in range(n)]


def _te(**at):
    te = list(_degree_curves()[100].test)
    for degree, v in at.items():
        te[int(degree[1:])] = v
    return te


def _te10(**at):
    te10 = list(_degree_curves()[10].test)
    for degree, v in at.items():
        te10[int(degree[1:])] = v
    return te10


TR10 = _degree_curves()[10].train


@pytest.mark.parametrize(
    "curve, values, index, holds",
    [
        # n = 10 interpolates at degree 9: train strictly below 1e-12 there,
        # strictly above it at degree 8 (whatever degree 10 does)
        ("tr10", TR10[:10] + [1e-3] * 10, 0, True),
        ("tr10", TR10[:9] + [1e-12] + TR10[10:], 0, False),
        ("tr10", TR10[:8] + [1e-12] + TR10[9:], 0, False),
        # n = 100 train: degree 3 within 0.001 of 0.0096, never rising
        # after (by more than 1e-12), degree 19 above half of degree 3's
        ("tr", _tr(tr3=0.02, tr19=0.015), 1, False),
        ("tr", _tr(0.0090, 0.0091, 0.0089), 1, False),
        ("tr", _tr(0.0080), 1, True),
        ("tr", _tr(tr3=0.00865, tr19=0.0080), 1, True),
        ("tr", _tr(tr3=0.01055, tr19=0.0080), 1, True),
        ("tr", _tr(tr3=0.5, tr19=0.4), 1, False),
        ("tr", _tr(0.0096 + 1e-12), 1, True),
        ("tr", _tr(0.0096), 1, True),
        ("tr", _tr(tr19=0.5 * 0.0096), 1, False),
        ("tr", _tr(0.0090, tr19=0.0046), 1, False),
        # n = 100 test: falling to degree 3, degree 3 below 1.1 x the lowest
        # and degrees 3-8 below 1.2 x degree 3, degree 19 above 100 x it
        ("te", _te(d5=0.015, d19=5.0), 2, False),
        ("te", _te(d3=0.012, d12=0.001), 2, False),
        ("te", _te(d1=2.5), 2, False),
        ("te", _te(d1=2.0), 2, False),
        ("te", _te(d2=1.0), 2, False),
        ("te", _te(d2=0.011), 2, False),
        ("te", _te(d2=0.0109), 2, False),
        ("te", _te(d3=0.012), 2, False),
        ("te", _te(d3=1.1 * 0.0105), 2, False),
        ("te", _te(d5=1.2 * 0.011), 2, False),
        ("te", _te(d4=0.0125, d5=0.014), 2, False),
        ("te", _te(d19=100 * 0.011), 2, False),
        ("te", _te(d19=100.5 * 0.011), 2, True),
        ("te", _te(d4=0.012, d19=1.15), 2, True),
        # n = 10 test: lowest at degree 3, peak of 0-9 at degree 9, above
        # 1e6 x degree 3's
        ("te10", _te10(d8=1e6), 3, False),
        ("te10", _te10(d4=0.01), 3, False),
        ("te10", _te10(d9=1e6 * 0.02), 3, False),
        ("te10", _te10(d9=1e6 * 0.02 * (1 + 5e-7)), 3, True),
    ],
)
def test_degree_claims_thresholds(curve, values, index, holds):
    curves = _degree_curves(**{curve: values})
    claims = capacity.degree_claims(curves, SGD)
    assert claims[index].holds is holds, str(claims[index])


@pytest.mark.parametrize(
    "sgd, holds",
    [
        (SGD[:3] + [0.06] + SGD[4:], False),  # below its degree 3
        (SGD[:3] + [0.05] + SGD[4:], False),  # equal to its degree 3
    ],
)
def test_degree_claims_sgd_threshold(sgd, holds):
    claims = capacity.degree_claims(_degree_curves(), sgd)
    assert claims[4].holds is holds, str(claims[4])


SIZES = [6, 12, 25, 60, 100]
BY_SIZE = {
    4: capacity.Curve(
        [0.001, 0.004, 0.007, 0.009, 0.0098],
        [0.5, 0.018, 0.015, 0.012, 0.0105],
    ),
    11: capacity.Curve(
        [1e-20, 1e-4, 0.002, 0.006, 0.008],
        [1e4, 10.0, 0.5, 0.03, 0.013],
    ),
}


def test_size_claims_say_what_they_measure():
    claims = capacity.size_claims(SIZES, BY_SIZE, target=0.02)
    assert claims.all_hold, str(claims)
    assert [c.text for c in claims] == [
        "degree 3: train rises 0.001 -> 0.0098 (below 0.0105), test falls "
        "0.5 -> 0.0105; test first below 0.02 at n = 12",
        "degree 10: train rises 1e-20 -> 0.0080 (below 0.0105), test falls "
        "1e+04 -> 0.0130; test first below 0.02 at n = 100",
        "degree 3's test MSE at n = 100: 0.0105, below 0.02",
        "degree 10 needs more than 60/12 = 5.00 x degree 3's n, above 3 "
        "(first below the target at grid points 100 and 12)",
    ]


@pytest.mark.parametrize(
    "train, test, index, holds",
    [
        # train rising, strictly, to strictly below 0.0105
        ([0.01, 0.004, 0.007, 0.009, 0.0098], None, 0, False),
        ([0.001, 0.011, 0.003, 0.011, 0.0100], None, 0, True),
        ([0.0098, 0.004, 0.007, 0.009, 0.0098], None, 0, False),
        ([0.001, 0.004, 0.007, 0.009, 0.0105], None, 0, False),
        ([0.001, 0.004, 0.007, 0.009, 0.02], None, 0, False),
        # test falling, strictly, and below the target somewhere
        (None, [0.5, 0.3, 0.01, 0.01, 0.6], 0, False),
        (None, [0.5, 0.01, 0.01, 0.01, 0.5], 0, False),
        (None, [0.5, 0.005, 0.01, 0.01, 0.01], 0, True),
        (None, [0.5, 0.3, 0.2, 0.1, 0.05], 0, False),
        # degree 3 strictly below the target at the largest n
        (None, [0.5, 0.03, 0.015, 0.012, 0.02], 2, False),
        # degree 10 first below 0.02 at 100, so above 60: degree 3 first
        # below at n = 12 gives more than 60/12 = 5 x, above 3; at 25 (0.02
        # itself is not below 0.02) 60/25 = 2.4, at 60 only 1: not shown
        (None, [0.5, 0.01, 0.015, 0.012, 0.0105], 3, True),
        (None, [0.5, 0.02, 0.019, 0.012, 0.0105], 3, False),
        (None, [0.5, 0.03, 0.02, 0.012, 0.0105], 3, False),
    ],
)
def test_size_claims_thresholds(train, test, index, holds):
    old = BY_SIZE[4]
    curve = capacity.Curve(train or old.train, test or old.test)
    claims = capacity.size_claims(SIZES, {**BY_SIZE, 4: curve}, target=0.02)
    assert claims[index].holds is holds, str(claims[index])


def test_size_claims_when_degree_10_never_reaches_the_target():
    slow = capacity.Curve(BY_SIZE[11].train, [1e4, 10.0, 0.5, 0.03, 0.021])
    claims = capacity.size_claims(SIZES, {**BY_SIZE, 11: slow}, target=0.02)
    assert not claims[1].holds and not claims[3].holds
    assert claims[3].text.endswith("grid points None and 12)")
    assert capacity.size_claims(SIZES, {**BY_SIZE, 11: slow}, target=0.03)[
        1
    ].holds


SCALES = {
    "factorial": {"std": [1.0] * 19 + [1e-9], "cond": 1e16},
    "raw": {"lambda_max": 1e17, "curvature": [2.0, 2.0349, 6.1, 30.0]},
    "standardized": {"lambda_max": 40.0},
}


def test_scale_claims_say_what_they_measure():
    claims = capacity.scale_claims(SCALES)
    assert claims.all_hold, str(claims)
    assert [c.text for c in claims] == [
        "factorial: std of x^19 1.0e-09 in (1e-10, 1e-08), cond(F) 1.0e+16 "
        "in (1e15, 1e17)",
        "lambda_max 1.0e+17 in (1e16, 1e18) raw, 40.0 in (15, 60) "
        "standardized",
        "raw: Hessian diagonal for x^0..x^3 [2.0, 2.03, 6.1, 30.0] between 1 "
        "and 100",
    ]


@pytest.mark.parametrize(
    "basis, field, value, index, holds",
    [
        # every interval open, except the Hessian diagonal's [1, 100]
        ("factorial", "cond", 1e18, 0, False),
        ("factorial", "std", [1.0] * 19 + [1e-10], 0, False),
        ("factorial", "std", [1.0] * 19 + [1e-8], 0, False),
        ("factorial", "std", [1.0] * 19 + [0.5], 0, False),
        ("factorial", "cond", 1e15 + 0.5, 0, True),
        ("factorial", "cond", 1e15, 0, False),
        ("factorial", "cond", 1e17, 0, False),
        ("standardized", "lambda_max", 70.0, 1, False),
        ("raw", "lambda_max", 1e16, 1, False),
        ("raw", "lambda_max", 1e18, 1, False),
        ("standardized", "lambda_max", 15.5, 1, True),
        ("standardized", "lambda_max", 15.0, 1, False),
        ("standardized", "lambda_max", 60.0, 1, False),
        ("standardized", "lambda_max", 60.5, 1, False),
        ("raw", "curvature", [2.0, 2.0, 6.1, 300.0], 2, False),
        ("raw", "curvature", [1.5, 2.0, 6.1, 30.0], 2, True),
        ("raw", "curvature", [1.0, 2.0, 6.1, 100.0], 2, True),
        ("raw", "curvature", [2.0, 2.0, 6.1, 100.5], 2, False),
    ],
)
def test_scale_claims_thresholds(basis, field, value, index, holds):
    scales = {k: dict(v) for k, v in SCALES.items()}
    scales[basis][field] = value
    claims = capacity.scale_claims(scales)
    assert claims[index].holds is holds, str(claims[index])
