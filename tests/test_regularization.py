"""Penalties, dropout_layer, Gaussian noise and DropConnect vs references."""

import pytest
import torch
from torch import nn

from mlp_notes.regularization import (
    DropConnectLinear,
    dropout_layer,
    gaussian_noise_layer,
    l1_penalty,
    l2_penalty,
)


def test_penalties_match_norms():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(7, 3, generator=g, dtype=torch.float64)
    torch.testing.assert_close(l2_penalty(w), torch.linalg.norm(w) ** 2 / 2)
    torch.testing.assert_close(l1_penalty(w), w.abs().sum())
    torch.testing.assert_close(l2_penalty(w, dim=0), w.norm(dim=0) ** 2 / 2)
    torch.testing.assert_close(l1_penalty(w, dim=0), w.norm(p=1, dim=0))


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_is_unbiased_with_the_right_variance(p):
    g = torch.Generator().manual_seed(1)
    h, n = 2.0, 400_000
    out = dropout_layer(torch.full((n,), h, dtype=torch.float64), p, g)
    var = h**2 * p / (1 - p)
    # without the 1/(1-p) factor the mean would be h(1-p): far outside
    assert abs(out.mean().item() - h) < 5 * (var / n) ** 0.5
    assert abs(out.var().item() / var - 1) < 0.02
    # survivors are exactly h/(1-p), the rest exactly 0
    kept = out[out != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, h / (1 - p)))
    assert abs((out == 0).double().mean().item() - p) < 0.005


def test_dropout_matches_nn_dropout_statistics():
    g = torch.Generator().manual_seed(2)
    X = torch.rand(300, 500, generator=g, dtype=torch.float64) + 0.5
    ours = dropout_layer(X, 0.3, g)
    torch.manual_seed(0)
    theirs = nn.Dropout(0.3).train()(X)
    assert set(torch.unique((ours / X).round(decimals=9)).tolist()) == set(
        torch.unique((theirs / X).round(decimals=9)).tolist()
    )
    assert abs(ours.mean().item() - theirs.mean().item()) < 0.01


def test_dropout_edge_cases_and_errors():
    X = torch.arange(16.0).reshape(2, 8)
    assert dropout_layer(X, 0.0) is X
    assert torch.equal(dropout_layer(X, 1.0), torch.zeros_like(X))
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError):
            dropout_layer(X, bad)


def test_dropout_is_reproducible_and_keeps_dtype_and_device():
    X = torch.ones(4, 5, dtype=torch.float64)
    a = dropout_layer(X, 0.5, torch.Generator().manual_seed(3))
    b = dropout_layer(X, 0.5, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and a.dtype == X.dtype and a.device == X.device
    if torch.cuda.is_available():
        Xc = X.cuda()
        out = dropout_layer(Xc, 0.5, torch.Generator().manual_seed(3))
        assert out.device == Xc.device
        assert dropout_layer(Xc, 0.5).device == Xc.device


def test_gaussian_noise_matches_dropout_moments():
    g = torch.Generator().manual_seed(4)
    h, p, n = 1.5, 0.5, 400_000
    out = gaussian_noise_layer(torch.full((n,), h, dtype=torch.float64), p, g)
    var = h**2 * p / (1 - p)
    assert abs(out.mean().item() - h) < 5 * (var / n) ** 0.5
    assert abs(out.var().item() / var - 1) < 0.02
    with pytest.raises(ValueError):
        gaussian_noise_layer(out, 1.0)


def test_drop_connect_drops_weights_in_training_only():
    g = torch.Generator().manual_seed(5)
    layer = DropConnectLinear(50, 40, 0.5, generator=g).double()
    X = torch.randn(8, 50, generator=g, dtype=torch.float64)
    layer.eval()
    torch.testing.assert_close(layer(X), X @ layer.weight.T + layer.bias)
    layer.train()
    outs = torch.stack([layer(X) for _ in range(4000)])
    # unbiased: the mean over masks is the eval-mode output
    err = (outs.mean(0) - (X @ layer.weight.T + layer.bias)).abs().max()
    assert err < 0.1 * outs.std(0).max()
    assert outs.std(0).min() > 0


def test_fast_dropout_rate_scale_and_gradient():
    from mlp_notes.regularization import FastDropout

    layer = FastDropout(0.1).train()
    k = round(0.1 * 65536)
    torch.manual_seed(0)
    X = torch.ones(1000, 1000, requires_grad=True)
    out = layer(X)
    dropped = (out == 0).double().mean().item()
    p_eff = k / 65536
    se = (p_eff * (1 - p_eff) / X.numel()) ** 0.5
    assert abs(dropped - p_eff) < 5 * se  # the drop rate is k / 2^16
    scale = 65536 / (65536 - k)
    assert out.unique().tolist() == [0.0, torch.tensor(scale).item()]
    assert abs(out.mean().item() - 1) < 5 * se * scale  # E[out] = X
    out.backward(torch.ones_like(out))
    torch.testing.assert_close(X.grad, out.detach())  # d out / d X = mask
    torch.manual_seed(0)
    assert torch.equal(layer(X), out)  # reproducible from the global seed


def test_fast_dropout_is_nn_dropout_in_eval_and_at_zero():
    from mlp_notes.regularization import FastDropout

    X = torch.randn(64, 32)
    assert torch.equal(FastDropout(0.5).eval()(X), X)
    assert torch.equal(FastDropout(0.0).train()(X), X)
    assert isinstance(FastDropout(0.5), nn.Dropout)  # graph_eligible sees it
