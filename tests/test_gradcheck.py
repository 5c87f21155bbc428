"""gradcheck: autograd's elementwise derivative, finite differences,
second differences, against closed forms in float64."""

import math

import torch

from mlp_notes.gradcheck import (
    central_difference,
    elementwise_grad,
    max_abs_diff,
    second_differences,
)


def _x(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g, dtype=torch.float64) * 2


def test_elementwise_grad_is_the_derivative_at_each_point():
    x = _x()
    got = elementwise_grad(torch.sin, x)
    assert got.shape == x.shape and got.dtype == torch.float64
    assert max_abs_diff(got, torch.cos(x)) < 1e-15
    # a cubic: the derivative is not the function, nor a constant
    got = elementwise_grad(lambda t: t**3, x)
    assert max_abs_diff(got, 3 * x**2) < 1e-12


def test_elementwise_grad_leaves_its_input_alone():
    x = _x()
    before = x.clone()
    elementwise_grad(torch.exp, x)
    assert torch.equal(x, before) and not x.requires_grad and x.grad is None


def test_max_abs_diff_is_the_largest_absolute_difference():
    a = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    b = torch.tensor([1.5, 2.0, 2.0], dtype=torch.float64)
    assert max_abs_diff(a, b) == 4.0
    assert max_abs_diff(b, a) == 4.0
    assert isinstance(max_abs_diff(a, b), float)
    nan = torch.tensor([float("nan"), 0.0], dtype=torch.float64)
    assert math.isnan(max_abs_diff(nan, torch.zeros(2)))


def test_central_difference_approximates_the_derivative():
    x = _x()
    got = central_difference(torch.sin, x)
    assert max_abs_diff(got, torch.cos(x)) < 1e-8
    # the step: with h = 0.1 the error is about h^2 / 6 |f'''|
    coarse = central_difference(torch.sin, x, h=0.1)
    err = (coarse - torch.cos(x)).abs().max().item()
    assert 1e-4 < err < 2e-3
    # symmetric: a quadratic's central difference is exact
    quad = central_difference(lambda t: t**2, x, h=0.5)
    assert max_abs_diff(quad, 2 * x) < 1e-12


def test_second_differences_of_a_grid():
    y = torch.tensor([0.0, 1.0, 4.0, 9.0, 16.0], dtype=torch.float64)
    got = second_differences(y)
    assert got.tolist() == [2.0, 2.0, 2.0]
    kink = torch.tensor([3.0, 2.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    assert second_differences(kink).tolist() == [0.0, 1.0, 0.0]
    line = torch.arange(10, dtype=torch.float64) * 3 - 1
    assert second_differences(line).abs().max() == 0
