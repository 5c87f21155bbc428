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
    assert isinstance(FastDropout(0.5), nn.Dropout)  # steps.why_not sees it


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_the_errors_say_what_is_wrong():
    with pytest.raises(
        ValueError, match=r"dropout must be in \[0, 1\], got 1.5"
    ):
        dropout_layer(torch.ones(2), 1.5)
    with pytest.raises(
        ValueError, match="dropout=1 has no Gaussian counterpart"
    ):
        gaussian_noise_layer(torch.ones(2), 1.0)
    with pytest.raises(ValueError, match="got -0.5"):
        DropConnectLinear(2, 2, -0.5)


def test_noise_layers_draw_from_their_generator_or_the_global_one():
    """With a generator: its numbers, whatever the global state; without:
    the global generator's."""
    X = torch.ones(6, 7, dtype=torch.float64)
    for layer in (dropout_layer, gaussian_noise_layer):
        a = layer(X, 0.4, _g(1))
        torch.manual_seed(5)
        torch.rand(3)
        assert torch.equal(a, layer(X, 0.4, _g(1)))
        assert not torch.equal(a, layer(X, 0.4, _g(2)))
        torch.manual_seed(7)
        b = layer(X, 0.4)
        torch.manual_seed(7)
        assert torch.equal(b, layer(X, 0.4))


def test_gaussian_noise_is_one_plus_sigma_z():
    """Exactly X (1 + sigma z) with z from the generator and sigma^2 =
    p / (1 - p); at p = 0 the input itself."""
    X = torch.randn(5, 4, generator=_g(0), dtype=torch.float64)
    p = 0.3
    z = torch.randn(X.shape, generator=_g(9))  # drawn in the default dtype
    want = X * (1 + (p / (1 - p)) ** 0.5 * z)
    torch.testing.assert_close(
        gaussian_noise_layer(X, p, _g(9)), want, rtol=1e-15, atol=0
    )
    assert gaussian_noise_layer(X, 0.0, _g(9)) is X


def test_dropout_mask_keeps_draws_above_p():
    """Kept exactly where the generator's uniform draw exceeds p."""
    X = torch.randn(50, 40, generator=_g(0), dtype=torch.float64)
    u = torch.rand(X.shape, generator=_g(3))  # drawn in the default dtype
    want = torch.where(u > 0.25, X / 0.75, 0.0)
    torch.testing.assert_close(dropout_layer(X, 0.25, _g(3)), want)


def test_drop_connect_draws_its_mask_from_its_generator():
    X = torch.randn(8, 5, generator=_g(0))
    outs = []
    for seed in (1, 1, 2):
        layer = DropConnectLinear(5, 3, 0.5, generator=_g(seed))
        with torch.no_grad():
            layer.weight.copy_(torch.arange(15.0).reshape(3, 5))
            layer.bias.zero_()
        torch.manual_seed(10)  # one global state: only the generator varies
        outs.append(layer.train()(X))
    assert torch.equal(outs[0], outs[1]) and not torch.equal(outs[0], outs[2])


def test_fast_dropout_is_its_formula():
    """The mask from 64-bit words read as four 16-bit numbers u each,
    kept where u >= k - 2^15 (k = round(p 2^16)), survivors scaled by
    2^16 / (2^16 - k); the global generator advances by exactly the
    words drawn."""
    from mlp_notes.regularization import FastDropout

    for p in (0.9, 0.3):
        X = torch.randn(1024, 1024, generator=_g(0))  # numel % 4 == 0
        k = round(p * 65536)
        torch.manual_seed(4)
        words = torch.empty(X.numel() // 4, dtype=torch.int64)
        u = words.random_(-(2**63), None).view(torch.int16).view(X.shape)
        after = torch.rand(1)
        want = X * ((u >= k - 32768).to(X.dtype) * (65536 / (65536 - k)))
        torch.manual_seed(4)
        got = FastDropout(p).train()(X)
        assert torch.equal(got, want) and torch.equal(torch.rand(1), after)


def test_fast_dropout_at_zero_is_the_input_and_draws_nothing():
    from mlp_notes.regularization import FastDropout

    X = torch.randn(64, 32)
    torch.manual_seed(0)
    assert FastDropout(0.0).train()(X) is X
    after = torch.rand(1)
    torch.manual_seed(0)
    assert torch.equal(torch.rand(1), after)


def test_masks_are_drawn_on_the_generators_device_and_moved():
    """With X on another device than the generator (meta here, standing in
    for CUDA on a CPU-only machine), the noise is drawn by the generator on
    its own device, advancing it as a CPU draw of X's shape does, even
    inside a ``torch.device`` default; the result is on X's device.
    Without a generator the draw is on X's device."""
    X = torch.ones(6, 7, device="meta")
    for layer, draw in ((dropout_layer, torch.rand),
                        (gaussian_noise_layer, torch.randn)):  # fmt: skip
        for default in ("cpu", "meta"):
            g, ref = _g(1), _g(1)
            with torch.device(default):
                out = layer(X, 0.4, g)
            draw(X.shape, generator=ref)
            assert torch.equal(g.get_state(), ref.get_state())
            assert out.device == X.device and out.shape == X.shape
            assert out.dtype == X.dtype
        assert layer(X, 0.4).device == X.device


def test_dropout_drops_a_draw_equal_to_p():
    """Kept only where the draw exceeds p: P(drop) = P(u <= p) = p."""
    X = torch.ones(40, dtype=torch.float64)
    u = torch.rand(X.shape, generator=_g(6))
    p = u[7].item()  # a float32 value, exact as a Python float
    out = dropout_layer(X, p, _g(6))
    assert out[7] == 0
    torch.testing.assert_close(out, torch.where(u > p, X / (1 - p), 0.0))


def test_penalties_without_dim_are_scalars():
    w = torch.randn(4, 5, generator=_g(2), dtype=torch.float64)
    for pen, want in ((l2_penalty, (w * w).sum() / 2),
                      (l1_penalty, w.abs().sum())):  # fmt: skip
        got = pen(w)
        assert got.shape == () and got.dtype == w.dtype
        torch.testing.assert_close(got, want, rtol=1e-15, atol=0)


def test_the_gaussian_error_is_exactly_its_message():
    with pytest.raises(ValueError) as e:
        gaussian_noise_layer(torch.ones(2), 1.0)
    assert str(e.value) == "dropout=1 has no Gaussian counterpart"
    with pytest.raises(ValueError) as e:
        dropout_layer(torch.ones(2), 1.5)
    assert str(e.value) == "dropout must be in [0, 1], got 1.5"


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64])
def test_fast_dropout_keeps_the_dtype_and_scales_in_it(dtype):
    """Survivors are X * 2^16 / (2^16 - k) computed in X's dtype."""
    from mlp_notes.regularization import FastDropout

    X = torch.randn(64, 32, generator=_g(0)).to(dtype)
    torch.manual_seed(3)
    out = FastDropout(0.3).train()(X)
    k = round(0.3 * 65536)
    kept = out != 0
    assert out.dtype == dtype and 0 < kept.sum() < X.numel()
    scale = torch.tensor(65536 / (65536 - k), dtype=dtype)
    assert torch.equal(out[kept], X[kept] * scale)


def test_fast_dropout_at_one_drops_everything():
    """As nn.Dropout(1.0): zeros (the 16-bit threshold k = 2^16 would
    leave no survivor to scale)."""
    from mlp_notes.regularization import FastDropout

    X = torch.randn(8, 4)
    assert torch.equal(FastDropout(1.0).train()(X), torch.zeros_like(X))


def test_fast_dropout_uses_its_16_bit_formula_for_every_k_between():
    """k = 2^16 - 1 still takes the 16-bit path (one survivor level,
    scale 2^16); a p that rounds to k = 0 is nn.Dropout's."""
    from mlp_notes.regularization import FastDropout

    X = torch.randn(1024, 1024, generator=_g(0))  # about 16 survivors
    torch.manual_seed(4)
    words = torch.empty(X.numel() // 4, dtype=torch.int64)
    u = words.random_(-(2**63), None).view(torch.int16).view(X.shape)
    want = X * ((u >= 65535 - 32768).to(X.dtype) * 65536.0)
    torch.manual_seed(4)
    got = FastDropout(65535 / 65536).train()(X)
    assert torch.equal(got, want) and got.count_nonzero() > 0
    torch.manual_seed(5)
    want = torch.nn.Dropout(1e-6).train()(X)
    torch.manual_seed(5)
    assert torch.equal(FastDropout(1e-6).train()(X), want)
