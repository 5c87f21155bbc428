"""§4.8 experiments: exploding products, symmetry, singular-value bounds."""

import math

import numpy as np
import pytest
import torch

from mlp_notes import stability


def test_product_of_gaussian_matrices_explodes():
    g = torch.Generator().manual_seed(0)
    sizes = stability.matrix_product(100, generator=g)
    assert len(sizes) == 101 and sizes[-1] > 1e15 * sizes[0]


def test_singular_value_bounds_hold_and_eigenvalues_do_not_factor():
    g = torch.Generator().manual_seed(1)
    for _ in range(50):
        A, B = (torch.randn(6, 6, generator=g, dtype=torch.float64)
                for _ in range(2))  # fmt: skip
        b = stability.singular_bounds(A, B)
        assert b["smax_AB"] <= b["smax_A*smax_B"] * (1 + 1e-12)
        assert b["smin_AB"] >= b["smin_A*smin_B"] * (1 - 1e-9)
        assert b["kappa_AB"] <= b["kappa_A*kappa_B"] * (1 + 1e-9)
        assert b["rho_AB"] <= b["smax_AB"] * (1 + 1e-12)
    N = torch.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    b = stability.singular_bounds(N, N.T)  # both nilpotent/eigenvalues 0
    assert b["rho_AB"] == pytest.approx(1.0)


def test_row_spread():
    W = torch.ones(4, 3)
    assert stability.row_spread(W) == 0
    W[2, 0] = 2
    assert stability.row_spread(W) > 0


def test_condition_number_grows_with_depth():
    g = torch.Generator().manual_seed(2)
    logs = stability.product_condition(12, 8, generator=g)
    assert logs[-1] > logs[0] + 2


@pytest.mark.slow
def test_constant_init_stays_symmetric_unless_dropout():
    from mlp_notes.runs import stability as runs
    from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE

    net = CHAPTER_NET.replace(hiddens=(16,))
    kw = dict(recipe=CHAPTER_RECIPE.replace(num_epochs=1), subset=2000, seed=0)
    same = runs.train_symmetric.uncached(value=0.01, net=net, **kw)
    drop = runs.train_symmetric.uncached(
        value=0.01, net=net.replace(dropout=0.5), **kw
    )
    assert same["spread"] < 1e-5 and same["spread_W2"] < 1e-5
    assert drop["spread"] > 1e-3


def test_deep_stack_claims_hold_and_fail_when_broken():
    stack = stability.deep_stack(depth=30, width=128, seed=0)
    claims = stability.stack_claims(stack)
    assert claims.all_hold, str(claims)
    # He's variance halved every layer must break the relu + He claims
    broken = dict(stack)
    fw = stack["relu", "he"]["forward"]
    broken["relu", "he"] = {
        "forward": [v * 0.5**i for i, v in enumerate(fw)],
        "backward": stack["relu", "he"]["backward"],
    }
    bad = stability.stack_claims(broken)
    assert not bad.all_hold
    with pytest.raises(AssertionError, match="relu \\+ He"):
        bad.check()


def test_matrix_product_multiplies_the_generators_gaussian_4x4s():
    # D2L's example: a 4 x 4 N(0, 1) matrix times further ones, each
    # drawn from the generator in turn; max |entry| after each factor
    sizes = stability.matrix_product(
        3, generator=torch.Generator().manual_seed(5)
    )
    g = torch.Generator().manual_seed(5)
    Ms = [
        torch.randn(4, 4, generator=g, dtype=torch.float64) for _ in range(4)
    ]
    P, expected = Ms[0], [Ms[0].abs().max().item()]
    for M in Ms[1:]:
        P = P @ M
        expected.append(P.abs().max().item())
    assert sizes == expected


def test_row_spread_is_the_largest_row_gap_over_the_mean_row_norm():
    # rows at distances 1 and 3 from row 0, norms 0, 1, 3 (times 0.1):
    # 0.3 / (0.4 / 3) = 2.25, the same at any scale; all-zero rows: 0
    W = 0.1 * torch.tensor(
        [[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]], dtype=torch.float64
    )
    assert stability.row_spread(W) == pytest.approx(2.25)
    assert stability.row_spread(1e6 * W) == pytest.approx(2.25)
    assert stability.row_spread(torch.zeros(3, 2)) == 0


def test_singular_bounds_are_torchs_norms_and_condition_numbers():
    g = torch.Generator().manual_seed(7)
    A, B = (
        torch.randn(5, 5, generator=g, dtype=torch.float64) for _ in range(2)
    )
    b = stability.singular_bounds(A, B)
    for name, M in (("A", A), ("B", B), ("AB", A @ B)):
        assert b[f"smax_{name}"] == pytest.approx(
            torch.linalg.matrix_norm(M, 2).item()
        )
        assert b[f"smin_{name}"] == pytest.approx(
            torch.linalg.matrix_norm(M, -2).item()
        )
        assert b[f"kappa_{name}"] == pytest.approx(torch.linalg.cond(M).item())


def test_product_condition_is_the_log_condition_number_of_the_product():
    logs = stability.product_condition(
        5, 6, generator=torch.Generator().manual_seed(4)
    )
    g = torch.Generator().manual_seed(4)
    P = torch.eye(6, dtype=torch.float64)
    for k in range(5):
        P = P @ torch.randn(6, 6, generator=g, dtype=torch.float64)
        assert logs[k] == pytest.approx(torch.linalg.cond(P).log10().item())
    # each factor scaled by 1 / sqrt(size): 400 factors of 16 x 16 neither
    # overflow nor underflow (unscaled, or scaled by 1 / size, they would)
    deep = stability.product_condition(400, 16, generator=g)
    assert all(math.isfinite(v) for v in deep)


def test_deep_stack_is_determined_by_its_seed():
    # the same seed gives the same stack whatever the global random state
    torch.manual_seed(0)
    stack = stability.deep_stack(depth=4, width=16, seed=2)
    torch.manual_seed(1)
    assert stack == stability.deep_stack(depth=4, width=16, seed=2)
    assert stack != stability.deep_stack(depth=4, width=16, seed=3)
    assert len(stack["tanh", "xavier"]["backward"]) == 4


def test_zero_start_gradients_match_the_closed_form():
    # all-zero weights and biases: every hidden unit outputs act(0) and no
    # gradient reaches W1; W2's gradient is (softmax(0) - onehot)^T act(0)
    # averaged over the batch, the same for all 16 units
    g = torch.Generator().manual_seed(0)
    X = torch.rand(8, 1, 28, 28, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 1, 2, 3, 3, 3, 9])
    p = torch.full((10,), 0.1, dtype=torch.float64)
    freq = torch.bincount(y, minlength=10).double() / len(y)
    sig = stability.zero_start_gradients("sigmoid", X, y)
    assert sig["W1"] == 0
    assert sig["W2"] == pytest.approx(0.5 * 4 * (p - freq).norm().item())
    assert sig["W2 spread over units"] == 0
    for activation in ("relu", "tanh"):  # act(0) = 0: stuck
        z = stability.zero_start_gradients(activation, X, y)
        assert z == {"W1": 0.0, "W2": 0.0, "W2 spread over units": 0.0}


def _chain(steps, start=1.0):
    """Variances from log10 steps, bottom first."""
    v = [start]
    for s in steps:
        v.append(v[-1] * 10**s)
    return v


def _synthetic_stack(changes=()):
    """22 layers whose log10 steps are set by hand so that every claim
    holds; ``changes``: ((activation, scheme, direction), variances)."""
    n = 21
    tanh = [-0.1] * 10 + [-0.05] + [-0.02] * 10
    steps = {
        ("relu", "he"): ([0.1, -0.1] * 10 + [0.0], [0.05] * n),
        ("relu", "too small"): ([-2] * n, [-2] * n),
        ("relu", "default"): ([-1] * n, [-1] * n),
        ("relu", "xavier"): ([-0.3] * n, [-0.3] * n),
        ("tanh", "xavier"): (tanh, tanh),
        ("tanh", "he"): ([0.0] * n, [0.3] + [0.0] * 19 + [0.7]),
    }
    stack = {}
    for key, (fw, bw) in steps.items():
        # backward steps run from the top down: log10(bw[i] / bw[i + 1])
        stack[key] = {
            "forward": _chain(fw),
            "backward": _chain(bw[::-1])[::-1],
        }
    for (activation, scheme, direction), v in changes:
        stack[activation, scheme][direction] = v
    return stack


def test_stack_claims_say_what_they_measure():
    claims = stability.stack_claims(_synthetic_stack())
    assert claims.all_hold, str(claims)
    tanh = (
        "tanh + Xavier, {}: -1.25 orders in 22 layers (above -2); the top "
        "ten lose 0.20, less than 0.5 x the bottom ten's 1.00"
    )
    xavier = (
        "relu + Xavier, {}: x0.501 per layer on average, every layer "
        "between x0.32 and x0.71"
    )
    per_direction = [
        [
            f"relu + He, {d}: largest step x10^{worst}, every layer "
            "within x10^0.2",
            xavier.format(d),
            f"relu + too small, {d}: -42 orders of magnitude, below -15",
            f"relu + default, {d}: -21 orders of magnitude, below -15",
            tanh.format(d),
        ]
        for d, worst in (("forward", "0.100"), ("backward", "0.050"))
    ]
    assert [c.text for c in claims] == [
        "relu + He: top variance 1.00, in (0.1, 10)",
        "relu + too small: top variance 1.0e-42, below 1e-30",
        *per_direction[0],
        *per_direction[1],
        "tanh + He: gradient variance at the input 1.00e+01, over 2 x the "
        "top's 1.00e+00",
    ]


FLAT = [1.0] * 22
TANH_HE = [10.0] + [1.0] * 21


@pytest.mark.parametrize(
    "key, values, index, holds",
    [
        # relu + He's top variance strictly inside (0.1, 10)
        (("relu", "he", "forward"), FLAT[:-1] + [20.0], 0, False),
        (("relu", "he", "forward"), FLAT[:-1] + [0.5], 0, True),
        (("relu", "he", "forward"), FLAT[:-1] + [0.1], 0, False),
        (("relu", "he", "forward"), FLAT[:-1] + [10.0], 0, False),
        (("relu", "he", "forward"), FLAT[:-1] + [10.5], 0, False),
        # too small: the top variance strictly below 1e-30
        (
            ("relu", "too small", "forward"),
            FLAT[:-2] + [1e-29, 1e-31],
            1,
            True,
        ),
        (("relu", "too small", "forward"), FLAT[:-1] + [1e-30], 1, False),
        (("relu", "too small", "forward"), FLAT[:-1] + [1e-10], 1, False),
        # He: every step within x10^0.2
        (("relu", "he", "forward"), _chain([0.5] + [0.0] * 20), 2, False),
        # Xavier: every step strictly between 10^-0.5 and 10^-0.15
        (
            ("relu", "xavier", "forward"),
            _chain([-0.7] + [-0.3] * 20),
            3,
            False,
        ),
        (("relu", "xavier", "forward"), _chain([0.0] + [-0.3] * 20), 3, False),
        (
            ("relu", "xavier", "forward"),
            _chain([-0.5] + [-0.3] * 20),
            3,
            False,
        ),
        (
            ("relu", "xavier", "forward"),
            _chain([-0.15] + [-0.3] * 20),
            3,
            False,
        ),
        # more than 15 orders of magnitude lost, strictly
        (("relu", "default", "forward"), _chain([-15.5 / 21] * 21), 5, True),
        (("relu", "default", "forward"), _chain([-14 / 21] * 21), 5, False),
        (("relu", "default", "forward"), [1.0] + [1e-15] * 21, 5, False),
        # tanh + Xavier: over -2 in all; top ten over 0.5 x the bottom ten
        (
            ("tanh", "xavier", "forward"),
            _chain([-0.2] * 10 + [0] + [-0.05] * 10),
            6,
            False,
        ),
        (
            ("tanh", "xavier", "forward"),
            _chain([-0.1] * 10 + [0] + [-0.06] * 10),
            6,
            False,
        ),
        (
            ("tanh", "xavier", "forward"),
            _chain([-0.1] * 10 + [-0.5] + [-0.04] * 10),
            6,
            True,
        ),
        (
            ("tanh", "xavier", "forward"),
            _chain([-0.1] * 10 + [0.2] + [-0.045] * 10),
            6,
            True,
        ),
        (
            ("tanh", "xavier", "forward"),
            _chain([-0.12] * 10 + [0] + [-0.05] * 10),
            6,
            True,
        ),
        (
            ("tanh", "xavier", "forward"),
            [1.0] + [0.1] * 20 + [0.0316227766016838],
            6,
            False,
        ),
        (
            ("tanh", "xavier", "forward"),
            [1.0] + [0.1] * 10 + [0.01] * 11,
            6,
            False,
        ),
        # tanh + He: input gradient variance strictly over 2 x the top's
        (("tanh", "he", "backward"), TANH_HE, 12, True),
        (("tanh", "he", "backward"), [2.0] + [1.0] * 21, 12, False),
        (("tanh", "he", "backward"), [2.5] + [1.0] * 21, 12, True),
        (("tanh", "he", "backward"), [0.5] + [1.0] * 20 + [0.1], 12, True),
        (("tanh", "he", "backward"), TANH_HE[:-2] + [6.0, 1.0], 12, True),
    ],
)
def test_stack_claims_thresholds(key, values, index, holds):
    claims = stability.stack_claims(_synthetic_stack([(key, values)]))
    assert claims[index].holds is holds, str(claims[index])


def test_log_growth_is_the_least_squares_line_through_log10_magnitudes():
    # exactly 10^(2 + 0.5 k): slope 0.5, R^2 1
    slope, r2 = stability.log_growth([10 ** (2 + 0.5 * k) for k in range(6)])
    assert slope == pytest.approx(0.5, rel=1e-12)
    assert r2 == pytest.approx(1.0, rel=1e-12)
    # scattered: numpy's straight-line fit and squared correlation, to
    # 1e-12 (float64 logs of the Python floats the page passes; float32
    # logs would be off by 1e-8)
    logm = np.array([0.1, 1.3, 0.7, 2.9, 2.2, 4.1])
    slope, r2 = stability.log_growth([10**v for v in logm.tolist()])
    k = np.arange(6)
    assert slope == pytest.approx(np.polyfit(k, logm, 1)[0], rel=1e-12)
    assert r2 == pytest.approx(np.corrcoef(k, logm)[0, 1] ** 2, rel=1e-12)
