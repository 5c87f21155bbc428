"""Weight-decay update, scratch = concise, Bayesian reading."""

import torch

from mlp_notes.weight_decay import (
    half_mse,
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


def test_half_mse_per_column():
    """(1/n) sum_i (x_i^T w_j + b_j - y_i)^2 / 2 for each column j."""
    g = torch.Generator().manual_seed(1)
    X = torch.randn(6, 3, generator=g, dtype=torch.float64)
    y = torch.randn(6, 1, generator=g, dtype=torch.float64)
    w = torch.randn(3, 2, generator=g, dtype=torch.float64)
    b = torch.tensor([0.7, -1.3], dtype=torch.float64)
    want = torch.tensor(
        [
            sum((X[i] @ w[:, j] + b[j] - y[i, 0]) ** 2 for i in range(6)) / 12
            for j in range(2)
        ],
        dtype=torch.float64,
    )
    torch.testing.assert_close(half_mse(X, w, b, y), want, rtol=1e-14, atol=0)


def test_highdim_data_is_d2ls_seeded_problem():
    """20 + 100 examples of 200 inputs, y = 0.05 + 0.01 sum x + N(0, 0.01^2),
    drawn from the seed alone (the global state plays no part)."""
    torch.manual_seed(1)
    X_tr, y_tr, X_te, y_te = highdim_data()
    assert [t.shape for t in (X_tr, y_tr, X_te, y_te)] == [
        (20, 200), (20, 1), (100, 200), (100, 1)
    ]  # fmt: skip
    for X, y in ((X_tr, y_tr), (X_te, y_te)):
        noise = y[:, 0] - (0.05 + 0.01 * X.sum(1))
        assert noise.abs().max() < 0.05 and 0.005 < noise.std() < 0.015
    torch.manual_seed(2)
    again = highdim_data(seed=0)
    assert all(torch.equal(a, b) for a, b in zip(again, (X_tr, y_tr, X_te,
                                                           y_te)))  # fmt: skip
    assert not torch.equal(highdim_data(seed=1)[0], X_tr)


def test_manual_step_with_a_bias_and_two_columns():
    """Each column of w (with its entry of b) is its own model."""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(4, 3, generator=g, dtype=torch.float64)
    y = torch.randn(4, 1, generator=g, dtype=torch.float64)
    w = torch.randn(3, 2, generator=g, dtype=torch.float64)
    b = torch.tensor([0.5, -2.0], dtype=torch.float64)
    w2, b2 = sgd_weight_decay_step(w, b, X, y, lr=0.1, lambd=0.3)
    for j in range(2):
        wj = w[:, j : j + 1].clone().requires_grad_(True)
        bj = b[j : j + 1].clone().requires_grad_(True)
        loss = ((X @ wj + bj - y) ** 2 / 2).mean() + 0.3 / 2 * (wj**2).sum()
        loss.backward()
        torch.testing.assert_close(w2[:, j : j + 1], wj - 0.1 * wj.grad)
        torch.testing.assert_close(b2[j : j + 1], bj - 0.1 * bj.grad)


def test_train_scratch_is_the_manual_step_on_d2ls_minibatches():
    """The init and minibatch order come from INIT_SEED + seed; each
    minibatch is one sgd_weight_decay_step; the recorded losses are the
    half-MSE after each epoch."""
    from mlp_notes.weight_decay import INIT_SEED

    data = highdim_data(seed=0)
    X, y, X_te, y_te = data
    out = train_scratch(data, [0.5], num_epochs=3, lr=0.01, seed=1)
    g = torch.Generator().manual_seed(INIT_SEED + 1)
    w, b = torch.randn(200, 1, generator=g), torch.zeros(1)
    losses = []
    for _ in range(3):
        perm = torch.randperm(20, generator=g)
        for i in range(0, 20, 5):
            idx = perm[i : i + 5]
            w, b = sgd_weight_decay_step(w, b, X[idx], y[idx], lr=0.01,
                                         lambd=0.5)  # fmt: skip
        losses.append([((A @ w + b - t) ** 2).mean() / 2
                       for A, t in ((X, y), (X_te, y_te))])  # fmt: skip
    assert out["b"].abs().item() > 0.01
    torch.testing.assert_close(out["b"], b, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(out["w"], w, rtol=1e-4, atol=1e-6)
    losses = torch.tensor(losses)
    torch.testing.assert_close(out["train_loss"][:, 0], losses[:, 0])
    torch.testing.assert_close(out["test_loss"][:, 0], losses[:, 1])


def test_train_concise_starts_where_scratch_does_for_any_seed():
    """Both draw the same init from INIT_SEED + seed (lr 0: no step)."""
    import warnings

    from mlp_notes.weight_decay import INIT_SEED

    data = highdim_data(seed=0)
    w0 = torch.randn(200, 1, generator=torch.Generator().manual_seed(
        INIT_SEED + 2))  # fmt: skip
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch's warn-once warnings too
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a deprecated 1-d .T
            concise = train_concise(data, 1.0, num_epochs=1, lr=0.0, seed=2)
    finally:
        torch.set_warn_always(always)
    scratch = train_scratch(data, [1.0], num_epochs=1, lr=0.0, seed=2)
    assert torch.equal(concise["w"], w0) and torch.equal(scratch["w"], w0)


def test_d2ls_mse_loss_is_scratch_with_twice_the_rate_and_half_lambda():
    """MSELoss without the 1/2 doubles the data gradient: SGD(lr, wd) on it
    takes the steps of the scratch objective with 2 lr and wd / 2."""
    data = highdim_data(seed=0)
    c = train_concise(data, 3.0, num_epochs=5, half=False, lr=0.002)
    s = train_scratch(data, [1.5], num_epochs=5, lr=0.004)
    torch.testing.assert_close(c["w"], s["w"], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(c["train_loss"], s["train_loss"], rtol=1e-4,
                               atol=1e-6)  # fmt: skip


def test_ridge_solves_the_normal_equations_in_float64():
    """Against least squares on the augmented system [A; sqrt(n lambd) I]:
    the penalty enters in X's dtype (0.1 is not a float32 number)."""
    X, y, _, _ = (t.double() for t in highdim_data(seed=3, num_inputs=30))
    n, d = X.shape
    A = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], 1)
    root = (n * 0.1) ** 0.5 * torch.eye(d, d + 1, dtype=X.dtype)
    want = torch.linalg.lstsq(
        torch.cat([A, root]), torch.cat([y, torch.zeros(d, 1, dtype=X.dtype)])
    ).solution
    torch.testing.assert_close(ridge(X, y, 0.1), want, rtol=0, atol=1e-14)


def test_map_estimate_converges_to_ridge_tightly():
    """L-BFGS with its strong-Wolfe line search and tight tolerances
    reaches the ridge solution well below 1e-8, even where the
    curvature is small (large sigma)."""
    cases = [(2, 30, 1.0, 0.1, 1e-8), (1, 30, 0.01, 1.0, 1e-9),
             (2, 10, 100.0, 1.0, 5e-7)]  # fmt: skip
    for seed, d, sigma, tau, tol in cases:
        data = highdim_data(seed=seed, num_inputs=d)
        X, y = data[0].double(), data[1].double()
        lam = sigma**2 / (len(y) * tau**2)
        got = map_estimate(X, y, sigma=sigma, tau=tau)
        assert (got - ridge(X, y, lam)).abs().max() < tol, (seed, sigma)


def test_map_estimate_works_in_xs_dtype():
    X, y, _, _ = highdim_data(seed=1, num_inputs=5)
    for dtype in (torch.float32, torch.bfloat16):
        got = map_estimate(X.to(dtype), y.to(dtype), sigma=1.0, tau=0.1)
        assert got.dtype == dtype and got.shape == (6, 1)
