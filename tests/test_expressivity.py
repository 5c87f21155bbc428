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
