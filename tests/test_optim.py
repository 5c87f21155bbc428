"""LARS against a hand-computed step and its defining invariances."""

import pytest
import torch

from mlp_notes.optim import LARS


def one_step(w, g, **kw):
    p = torch.nn.Parameter(w.clone())
    p.grad = g.clone()
    LARS([p], **kw).step()
    return p.detach()


def test_step_matches_formula():
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(5, 4, generator=gen, dtype=torch.float64)
    g = torch.randn(5, 4, generator=gen, dtype=torch.float64)
    lr, eta, wd = 0.7, 0.02, 0.1
    trust = eta * w.norm() / (g.norm() + wd * w.norm())
    expected = w - lr * trust * (g + wd * w)
    got = one_step(w, g, lr=lr, momentum=0.0, weight_decay=wd,
                   trust_coefficient=eta, eps=0.0)  # fmt: skip
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-14)


def test_step_size_ignores_gradient_scale():
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(10, 10, generator=gen, dtype=torch.float64)
    g = torch.randn(10, 10, generator=gen, dtype=torch.float64)
    kw = dict(lr=1.0, momentum=0.0, trust_coefficient=0.01, eps=0.0)
    a, b = one_step(w, g, **kw), one_step(w, 1e6 * g, **kw)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    ratio = ((a - w).norm() / w.norm()).item()
    assert ratio == pytest.approx(0.01, rel=1e-12)  # lr * eta


def test_zero_norm_tensor_takes_plain_sgd_step():
    g = torch.tensor([0.5, -1.0], dtype=torch.float64)
    got = one_step(torch.zeros(2, dtype=torch.float64), g, lr=0.3,
                   momentum=0.0)  # fmt: skip
    torch.testing.assert_close(got, -0.3 * g)


def test_momentum_accumulates():
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = LARS([p], lr=1.0, momentum=0.5, trust_coefficient=0.1)
    for _ in range(2):
        p.grad = torch.ones(3, dtype=torch.float64)
        opt.step()
    # trust = 0.1 * ||w|| / ||g||; step1 = 0.1 * 1, step2 = 0.5*0.1 + 0.1*0.9
    torch.testing.assert_close(p.detach(), torch.full((3,), 1 - 0.1 - 0.14,
                               dtype=torch.float64))  # fmt: skip


def test_rejects_bad_arguments():
    with pytest.raises(ValueError):
        LARS([torch.nn.Parameter(torch.ones(1))], lr=0.0)


def test_defaults_momentum_and_trust_by_hand():
    """Two steps with only lr given: momentum 0.9, eta 0.001, no decay."""
    gen = torch.Generator().manual_seed(2)
    w = torch.randn(6, generator=gen, dtype=torch.float64)
    grads = torch.randn(2, 6, generator=gen, dtype=torch.float64)
    p = torch.nn.Parameter(w.clone())
    opt = LARS([p], lr=0.5)
    want, buf = w.clone(), torch.zeros(6, dtype=torch.float64)
    for g in grads:
        p.grad = g.clone()
        opt.step()
        trust = 0.001 * want.norm() / (g.norm() + 1e-8)
        buf = 0.9 * buf + g * (trust * 0.5)
        want = want - buf
        torch.testing.assert_close(p.detach(), want, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": 0.0},
        {"lr": 0.1, "momentum": -0.1},
        {"lr": 0.1, "weight_decay": -0.1},
    ],
)
def test_each_bad_argument_is_refused_with_its_message(kw):
    with pytest.raises(ValueError) as err:
        LARS([torch.nn.Parameter(torch.ones(1))], **kw)
    assert str(err.value) == "need lr > 0, momentum >= 0, weight_decay >= 0"
