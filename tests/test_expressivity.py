import torch

from mlp_notes.expressivity import (
    batch_standardize,
    collapse_affine,
    fit_1d,
    kink_intervals,
    random_relu_net,
    relu_net_forward,
)
from mlp_notes.gradcheck import second_differences


def test_collapse_affine_equals_two_layers():
    g = torch.Generator().manual_seed(0)
    X, W1, b1 = (
        torch.randn(s, generator=g).double() for s in [(6, 4), (4, 3), (3,)]
    )
    W2, b2 = torch.randn(3, 2, generator=g).double(), torch.randn(2).double()
    W, b = collapse_affine(W1, b1, W2, b2)
    torch.testing.assert_close(X @ W + b, (X @ W1 + b1) @ W2 + b2)


def test_relu_net_is_linear_between_kinks():
    g = torch.Generator().manual_seed(1)
    layers = random_relu_net((1, 12, 12, 1), generator=g)
    x = torch.linspace(-3, 3, 5001, dtype=torch.float64).unsqueeze(1)
    for alpha in (0.0, 0.1):
        y, pre = relu_net_forward(layers, x, alpha=alpha)
        d2 = second_differences(y.squeeze(1))
        kinks = kink_intervals(pre)
        near = kinks[:-1] | kinks[1:]
        assert d2[~near].abs().max() < 1e-12
        assert kinks.any()
    # a smooth activation is not piecewise linear: the check can fail
    H = torch.tanh(x @ layers[0][0] + layers[0][1])
    d2 = second_differences((H @ layers[1][0]).sum(1))
    assert d2.abs().max() > 1e-9


def test_fit_1d_gets_close_with_many_units():
    g = torch.Generator().manual_seed(0)
    _, losses = fit_1d(torch.sin, 32, steps=600, generator=g)
    assert losses[-1] < 0.05 * losses[0]


def test_batch_standardize_mixes_rows():
    g = torch.Generator().manual_seed(0)
    H = torch.randn(5, 3, generator=g)
    out = batch_standardize(H)
    torch.testing.assert_close(out.mean(0), torch.zeros(3), atol=1e-6, rtol=0)
    H2 = H.clone()
    H2[1:] += 1.0 + torch.randn(4, 3, generator=g)
    assert not torch.allclose(batch_standardize(H2)[0], out[0])
    assert torch.all(batch_standardize(H[:1]) == 0)


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_random_relu_net_layers_from_the_generator():
    layers = random_relu_net((3, 5, 2), generator=_g(1))
    g = _g(1)
    assert len(layers) == 2
    for (W, b), (fan_in, fan_out) in zip(layers, [(3, 5), (5, 2)]):
        want_W = torch.randn(fan_in, fan_out, generator=g, dtype=torch.float64)
        want_b = torch.randn(fan_out, generator=g, dtype=torch.float64)
        assert torch.equal(W, want_W / fan_in**0.5) and torch.equal(b, want_b)
    torch.manual_seed(3)
    again = random_relu_net((3, 5, 2), generator=_g(1))
    assert all(torch.equal(a[0], b[0]) for a, b in zip(layers, again))
    assert random_relu_net(dtype=torch.float32)[0][0].dtype == torch.float32


def test_relu_net_forward_by_hand():
    import pytest

    layers = random_relu_net((2, 4, 3, 1), generator=_g(2))
    X = torch.randn(7, 2, generator=_g(3), dtype=torch.float64)
    for alpha in (0.0, 0.3):
        out, pre = relu_net_forward(layers, X, alpha)
        H, want_pre = X, []
        for W, b in layers[:-1]:
            Z = H @ W + b
            want_pre.append(Z)
            H = torch.where(Z > 0, Z, alpha * Z)
        W, b = layers[-1]
        assert torch.equal(out, H @ W + b) and len(pre) == 2
        assert all(torch.equal(a, b) for a, b in zip(pre, want_pre))
    default, _ = relu_net_forward(layers, X)
    assert torch.equal(default, relu_net_forward(layers, X, 0.0)[0])
    assert not torch.equal(default, relu_net_forward(layers, X, 1.0)[0])
    with pytest.raises(ValueError) as err:
        relu_net_forward([], X)
    assert str(err.value) == "layers is empty"


def test_kink_intervals_by_hand():
    Z1 = torch.tensor([[-1.0, 2.0], [1.0, 2.0], [2.0, 3.0], [3.0, -1.0]])
    Z2 = torch.tensor([[1.0], [1.0], [1.0], [1.0]])
    assert kink_intervals([Z1]).tolist() == [True, False, True]
    assert kink_intervals([Z2, Z1]).tolist() == [True, False, True]
    assert kink_intervals([Z2]).tolist() == [False, False, False]


def test_fit_1d_starts_from_its_generator_and_takes_adam_steps():
    import torch.nn.functional as F

    f = torch.sin
    net, losses = fit_1d(f, 6, steps=3, generator=_g(4))
    assert len(losses) == 3
    x = torch.linspace(-3, 3, 512).unsqueeze(1)
    # the same start, by hand: N(0, 1.5^2) parameters from the generator
    g = _g(4)
    W1, b1 = (torch.randn(s, generator=g) * 1.5 for s in [(6, 1), (6,)])
    W2, b2 = (torch.randn(s, generator=g) * 1.5 for s in [(1, 6), (1,)])
    params = [p.requires_grad_(True) for p in (W1, b1, W2, b2)]
    opt = torch.optim.Adam(params, lr=0.01)
    for want in losses:
        pred = F.linear(torch.relu(F.linear(x, W1, b1)), W2, b2)
        loss = ((pred - f(x)) ** 2).mean()
        assert abs(loss.item() - want) < 1e-6 * max(1.0, want)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert len(fit_1d(f, 2, generator=_g(0))[1]) == 2000


def test_a_polynomial_activation_gives_a_polynomial():
    from mlp_notes.expressivity import one_hidden_layer, polynomial_residual

    x = torch.linspace(-2, 2, 200, dtype=torch.float64)
    y = one_hidden_layer(lambda z: z**2, x, 50, generator=_g(5))
    g = _g(5)
    a, w, b = torch.randn(3, 50, generator=g, dtype=torch.float64)
    c = torch.randn((), generator=g, dtype=torch.float64)
    want = ((x[:, None] * w + b) ** 2) @ a + c  # c drawn in x's dtype too
    torch.testing.assert_close(y, want, rtol=0, atol=0)
    assert polynomial_residual(y, x, 2) < 1e-10  # a quadratic, exactly
    assert polynomial_residual(y, x, 1) > 1e-3
    relu = one_hidden_layer(torch.relu, x, 50, generator=_g(5))
    assert polynomial_residual(relu, x, 2) > 1e-3
    assert polynomial_residual(x**3 + 1, x, 3) < 1e-12
    constant = (x**2).mean()  # the degree-0 least-squares fit
    assert abs(polynomial_residual(x**2, x, 0) - (4 - constant)) < 1e-12


def test_batch_standardize_is_per_unit_over_the_batch():
    H = torch.tensor(
        [[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]], dtype=torch.float64
    )
    mean = H.mean(0)
    var = ((H - mean) ** 2).mean(0)
    want = (H - mean) / torch.sqrt(var + 1e-5)
    torch.testing.assert_close(batch_standardize(H), want, rtol=1e-15, atol=0)
    torch.testing.assert_close(
        batch_standardize(H, eps=0.0), (H - mean) / var.sqrt()
    )


def test_a_zero_pre_activation_is_on_the_flat_piece():
    """Z = 0 exactly counts as not positive, as for torch.relu and F.prelu:
    autograd's slope there is alpha, and the unit switches pieces in the
    interval where Z rises above 0, not in the one where it reaches 0."""
    import torch.nn.functional as F

    one = torch.ones(1, 1, dtype=torch.float64)
    layers = [(one, torch.zeros(1, dtype=torch.float64)), (one, one[0])]
    for alpha in (0.0, 0.3):
        X = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)
        out, _ = relu_net_forward(layers, X, alpha)
        (slope,) = torch.autograd.grad(out.sum(), X)
        alphas = torch.tensor([alpha], dtype=torch.float64)
        Z = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        (want,) = torch.autograd.grad(F.prelu(Z, alphas).sum(), Z)
        assert slope.item() == want.item() == alpha
    x = torch.tensor([[-1.0], [0.0], [1.0]], dtype=torch.float64)
    _, pre = relu_net_forward(layers, x)
    assert kink_intervals(pre).tolist() == [False, True]
