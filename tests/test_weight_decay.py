"""Weight-decay update, scratch = concise, Bayesian reading."""

import torch

from mlp_notes.weight_decay import (
    highdim_data,
    map_estimate,
    ridge,
    sgd_weight_decay_step,
    train_concise,
    train_scratch,
)


def test_manual_step_equals_autograd_step():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(5, 30, generator=g, dtype=torch.float64)
    y = torch.randn(5, 1, generator=g, dtype=torch.float64)
    w = torch.randn(30, 1, generator=g, dtype=torch.float64,
                    requires_grad=True)  # fmt: skip
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    lr, lambd = 0.1, 2.0
    loss = ((X @ w + b - y) ** 2 / 2).mean() + lambd / 2 * (w**2).sum()
    loss.backward()
    w2, b2 = sgd_weight_decay_step(w.detach(), b.detach(), X, y, lr=lr,
                                   lambd=lambd)  # fmt: skip
    torch.testing.assert_close(w2, w - lr * w.grad)
    torch.testing.assert_close(b2, b - lr * b.grad)


def test_scratch_and_concise_take_the_same_steps():
    data = highdim_data(seed=0)
    a = train_scratch(data, [3.0], num_epochs=10)
    b = train_concise(data, 3.0, num_epochs=10)
    torch.testing.assert_close(a["w"], b["w"], atol=1e-5, rtol=1e-4)
    c = train_concise(data, 3.0, num_epochs=10, half=False)
    assert (c["w"] - a["w"]).abs().max() > 1e-3


def test_weight_decay_shrinks_and_sign_bug_grows():
    data = highdim_data(seed=0)
    run = train_scratch(data, [0.0, 3.0], num_epochs=20)
    assert run["norm"][-1, 1] < 0.6 * run["norm"][-1, 0]
    bug = train_scratch(data, [3.0], num_epochs=20, penalty="l1", sign=-1.0)
    assert bug["norm"][-1, 0] > bug["norm"][0, 0] + 1


def test_map_with_gaussian_prior_is_ridge():
    X, y, _, _ = (t.double() for t in highdim_data(seed=1, num_inputs=30))
    sigma, tau = 0.01, 0.05
    lam = sigma**2 / (len(y) * tau**2)
    torch.testing.assert_close(
        map_estimate(X, y, sigma=sigma, tau=tau), ridge(X, y, lam),
        atol=1e-7, rtol=1e-6,
    )  # fmt: skip
    # the wrong scaling (forgetting n) gives a different estimate
    assert (ridge(X, y, lam * len(y)) - ridge(X, y, lam)).abs().max() > 1e-4
