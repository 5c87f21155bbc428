"""Scratch activations and their analytic derivatives against PyTorch."""

import math

import pytest
import torch
import torch.nn.functional as F

from mlp_notes import activations as act
from mlp_notes.gradcheck import elementwise_grad

ALPHA = 0.3

# name -> (ours, our derivative, PyTorch reference)
CASES = {
    "relu": (act.relu, act.relu_grad, torch.relu),
    "prelu": (
        lambda x: act.prelu(x, ALPHA),
        lambda x: act.prelu_grad(x, ALPHA),
        lambda x: F.prelu(x, torch.tensor([ALPHA], dtype=x.dtype)),
    ),
    "sigmoid": (act.sigmoid, act.sigmoid_grad, torch.sigmoid),
    "tanh": (act.tanh, act.tanh_grad, torch.tanh),
    "gelu": (act.gelu, act.gelu_grad, F.gelu),
    "swish": (act.swish, act.swish_grad, F.silu),
}


@pytest.fixture
def x64():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(10_000, generator=g, dtype=torch.float64) * 4
    edges = torch.tensor([-30.0, -1e-3, 0.0, 1e-3, 30.0]).double()
    return torch.cat([x, edges])  # 0: the kinks, and sigmoid'(0) = 1/4


@pytest.mark.parametrize("name", CASES)
def test_values_match_pytorch(name, x64):
    ours, _, ref = CASES[name]
    torch.testing.assert_close(ours(x64), ref(x64), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_analytic_derivative_matches_autograd_of_pytorch(name, x64):
    _, grad, ref = CASES[name]
    expected = elementwise_grad(ref, x64)
    torch.testing.assert_close(grad(x64), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_autograd_of_ours_matches_analytic(name, x64):
    ours, grad, _ = CASES[name]
    torch.testing.assert_close(
        elementwise_grad(ours, x64), grad(x64), rtol=1e-12, atol=1e-14
    )


def test_kink_conventions_follow_torch():
    zero = torch.zeros(3, dtype=torch.float64)
    assert torch.equal(act.relu_grad(zero), elementwise_grad(torch.relu, zero))
    assert torch.all(act.relu_grad(zero) == 0)
    assert torch.all(act.prelu_grad(zero, ALPHA) == ALPHA)
    assert torch.equal(
        act.prelu_grad(zero, ALPHA), elementwise_grad(CASES["prelu"][2], zero)
    )
    # our forward functions give the same convention under autograd
    assert torch.all(elementwise_grad(act.relu, zero) == 0)
    prelu = CASES["prelu"][0]
    assert torch.all(elementwise_grad(prelu, zero) == ALPHA)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", CASES)
def test_finite_and_dtype_kept_at_extremes(name, dtype):
    ours, grad, ref = CASES[name]
    x = torch.tensor([-100.0, -50.0, 0.0, 50.0, 100.0], dtype=dtype)
    for f in (ours, grad):
        y = f(x)
        assert y.dtype == dtype
        assert y.isfinite().all(), f"{name} not finite: {y}"
    torch.testing.assert_close(ours(x), ref(x))


def test_sigmoid_grad_bounded_by_quarter():
    x = torch.linspace(-10, 10, 20_001, dtype=torch.float64)
    assert act.sigmoid_grad(x).max().item() == pytest.approx(0.25, abs=1e-12)
    assert act.tanh_grad(x).max().item() == pytest.approx(1.0, abs=1e-12)


def test_tanh_sigmoid_identity_with_torch_builtins():
    x = torch.linspace(-20, 20, 10_001, dtype=torch.float64)
    torch.testing.assert_close(
        torch.tanh(x) + 1, 2 * torch.sigmoid(2 * x), rtol=0, atol=1e-15
    )


def test_naive_forms_break_exactly_where_the_page_says():
    from mlp_notes.activations import naive_sigmoid, naive_tanh, value_and_grad

    s, ds = value_and_grad(naive_sigmoid, -100.0)
    assert s == 0.0 and math.isnan(ds)  # right value, NaN gradient
    t, _ = value_and_grad(naive_tanh, -100.0)
    assert math.isnan(t)  # -inf / inf
    for f in (naive_sigmoid, naive_tanh):
        assert all(map(math.isfinite, value_and_grad(f, 100.0)))
    for f in (act.sigmoid, act.tanh):  # ours: finite on both sides
        for x in (-100.0, 100.0):
            assert all(map(math.isfinite, value_and_grad(f, x)))


@pytest.mark.parametrize(
    "naive, ref",
    [(act.naive_sigmoid, torch.sigmoid), (act.naive_tanh, torch.tanh)],
)
def test_naive_forms_are_right_where_they_do_not_overflow(naive, ref):
    x = torch.linspace(-20, 20, 401, dtype=torch.float64)
    torch.testing.assert_close(naive(x), ref(x), rtol=1e-12, atol=1e-15)


def test_value_and_grad_computes_in_the_dtype_asked_for():
    value, grad = act.value_and_grad(torch.exp, 1 / 3, dtype=torch.float64)
    for v in (value, grad):  # float64, not float32
        assert abs(v - math.exp(1 / 3)) < 1e-15
    value32, _ = act.value_and_grad(torch.exp, 1 / 3)  # float32 by default
    assert value32 != value and abs(value32 - value) < 1e-6
