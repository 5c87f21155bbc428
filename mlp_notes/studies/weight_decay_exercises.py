"""§4.5 exercises 3-6 and the pitfalls: L1 against L2, the Frobenius
norm, other remedies (more data, early stopping), the Bayesian reading,
the subtracted-L1 sign bug and the decay factor past 2.

Each function returns a :class:`~mlp_notes.claims.Finding`.
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Laplace

from mlp_notes.claims import Claims, Finding
from mlp_notes.studies.weight_decay import Budget
from mlp_notes.weight_decay import (
    LR,
    highdim_data,
    map_estimate,
    ridge,
    train_scratch,
)

#: Exercise 3: lambdas, a "small" weight, the share of L1 weights below
#: it that is asserted at lambda 3.
L1_LAMBDS, TINY, MOST = (1.0, 3.0), 1e-2, 0.5
#: Exercise 4: the four forms agree to this relative tolerance.
FORMS_TOL = 1e-8
#: Exercise 5: 400 examples end below CUT x the 20-example test loss and
#: below STILL x their own a tenth of the epochs earlier; with 20
#: examples the best test loss over the epochs stays above EARLY x the
#: final one.
N_MORE, CUT, STILL, EARLY = 400, 0.01, 0.9, 0.9
#: Exercise 6: noise and prior scales; MAP and ridge agree to MAP_TOL.
SIGMA, TAUS, MAP_TOL = 0.01, (0.01, 0.05), 1e-6
#: Pitfalls: the sign bug grows ||w|| by more than GROWS x; its steps
#: differ by less than EVEN x; with n > d the norm settles (last fifth
#: moves less than SETTLED).
GROWS, EVEN, SETTLED = 1.5, 1.5, 0.05
#: Pitfalls: lambdas with lr * lambda = 1.5 (stable, oscillating) and
#: 2.1 (explodes); an exploded norm is above BLOWN or not finite.
PAST = (500.0, 700.0)
BLOWN = 1e6


def l1_vs_l2(budget: Budget) -> Finding:
    """Exercise 3: L1 and L2 penalties at lambda 1 and 3 on data set 0:
    the share of small weights, exact zeros, test losses."""
    data = highdim_data(seed=0)
    runs = {
        name: train_scratch(
            data, list(L1_LAMBDS), num_epochs=budget.epochs, penalty=name
        )
        for name in ("l1", "l2")
    }
    small, lines = {}, []
    for name, run in runs.items():
        for j, lam in enumerate(L1_LAMBDS):
            small[name, lam] = (run["w"][:, j].abs() < TINY).float().mean()
            lines.append(
                f"{name.upper()} lambda {lam:g}: {small[name, lam]:.0%} of "
                f"|w_i| < {TINY}, test {run['test_loss'][-1, j]:.3f}"
            )
    zeros = int((runs["l1"]["w"] == 0).sum())
    lines.append(f"exact zeros in the L1 weights: {zeros}")
    l1, l2 = small["l1", 3.0].item(), small["l2", 3.0].item()
    claims = Claims().add(
        f"at lambda 3: {l1:.0%} of the L1 weights below {TINY}, more than "
        f"{MOST:.0%} and more than L2's {l2:.0%}; none exactly 0",
        l1 > MOST and l1 > l2 and zeros == 0,
    )
    ys = {
        f"{name.upper()} lambda {lam:g}": run["w"][:, j]
        .abs()
        .sort(descending=True)
        .values
        for name, run in runs.items()
        for j, lam in enumerate(L1_LAMBDS)
    }
    return Finding(lines, claims, dict(x=list(range(1, 201)), ys=ys))


def frobenius() -> Finding:
    """Exercise 4: four forms of ||W||_F^2 of a random 256 x 784 matrix."""
    g = torch.Generator().manual_seed(1)
    W = torch.randn(256, 784, generator=g, dtype=torch.float64)
    forms = {
        "sum w_ij^2": (W**2).sum(),
        "tr(W^T W)": torch.trace(W.T @ W),
        "matrix_norm(W, 'fro')^2": torch.linalg.matrix_norm(W, "fro") ** 2,
        "sum sigma_i^2": (torch.linalg.svdvals(W) ** 2).sum(),
    }
    lines = [f"{name:25s} {v.item():.6f}" for name, v in forms.items()]
    vals = torch.stack(list(forms.values()))
    spread = ((vals - vals[0]).abs().max() / vals[0]).item()
    claims = Claims().add(
        f"the four forms agree to {spread:.1e} relative, below {FORMS_TOL:g}",
        spread < FORMS_TOL,
    )
    return Finding(lines, claims)


def other_remedies(budget: Budget) -> Finding:
    """Exercise 5 without any penalty: 400 training examples instead of
    20, and early stopping (the best test loss over the epochs), on each
    seed's data (seed 0 printed in full)."""
    tenth = budget.epochs // 10
    rows = {}
    for s in budget.seeds:
        few = train_scratch(
            highdim_data(seed=s), [0.0, 3.0], num_epochs=budget.epochs, seed=s
        )["test_loss"][:, 0]
        more = highdim_data(seed=s, n_train=N_MORE)
        big = train_scratch(more, [0.0], num_epochs=budget.epochs, seed=s)
        rows[s] = {
            "big": big["test_loss"][-1, 0].item(),
            "big earlier": big["test_loss"][-1 - tenth, 0].item(),
            "few": few[-1].item(),
            "few best": few.min().item(),
            "best epoch": int(few.argmin()) + 1,
        }
    r = rows[0]
    lines = [
        f"{N_MORE} training examples, lambda 0: test {r['big']:.4f}",
        f"20 examples, lambda 0: best test over epochs {r['few best']:.3f} "
        f"(epoch {r['best epoch']}), final {r['few']:.3f}",
        f"seed  {N_MORE} ex.: final  {tenth} epochs earlier  "
        "20 ex.: best (epoch)  final",
    ]
    lines += [
        f"{s:4d}  {v['big']:12.4f}  {v['big earlier']:17.4f}  "
        f"{v['few best']:14.3f} ({v['best epoch']:3d})  {v['few']:6.3f}"
        for s, v in rows.items()
    ]
    return Finding(lines, remedy_claims(rows, tenth))


def remedy_claims(rows: dict[int, dict], tenth: int) -> Claims:
    """Exercise 5's claims, on every seed ({seed: row of
    :func:`other_remedies`})."""
    cut = max(v["big"] / v["few"] for v in rows.values())
    still = max(v["big"] / v["big earlier"] for v in rows.values())
    early = min(v["few best"] / v["few"] for v in rows.values())
    return (
        Claims()
        .add(
            f"on every seed, {N_MORE} examples end below {CUT} x the "
            f"20-example test loss (largest ratio {cut:.1e})",
            cut < CUT,
        )
        .add(
            f"and below {STILL} x their own {tenth} epochs earlier (largest "
            f"ratio {still:.3f}): still falling",
            still < STILL,
        )
        .add(
            f"20 examples: the best test loss over the epochs is above "
            f"{EARLY} x the final one on every seed (smallest ratio "
            f"{early:.4f}): early stopping hardly helps",
            early > EARLY,
        )
    )


def map_is_ridge() -> Finding:
    """Exercise 6: the MAP estimate under a N(0, tau^2 I) prior equals
    the L2 solution with lambda = sigma^2 / (n tau^2), and not with a
    lambda that leaves out n or uses another sigma."""
    X_all, y_all = (t.double() for t in highdim_data(seed=0)[:2])
    n = len(y_all)
    lines, errs = [], {}
    for tau in TAUS:
        lam = SIGMA**2 / (n * tau**2)
        err = _gap(X_all, y_all, SIGMA, tau, lam)
        errs[f"tau {tau}"] = err
        lines.append(
            f"tau {tau}: lambda = sigma^2/(n tau^2) = {lam:.4f}; max |MAP - "
            f"ridge| = {err:.1e}"
        )
    tau, half = TAUS[0], n // 2
    cases = {  # (rows used, sigma of the likelihood, sigma and n in lambda)
        f"n = {half}, lambda with n = {half}": (half, SIGMA, SIGMA, half),
        f"n = {half}, lambda with n = {n}": (half, SIGMA, SIGMA, n),
        f"sigma = {2 * SIGMA}, lambda with it": (n, 2 * SIGMA, 2 * SIGMA, n),
        f"sigma = {2 * SIGMA}, lambda with {SIGMA}": (n, 2 * SIGMA, SIGMA, n),
    }
    for name, (rows, sigma, sigma_lam, n_lam) in cases.items():
        lam = sigma_lam**2 / (n_lam * tau**2)
        errs[name] = _gap(X_all[:rows], y_all[:rows], sigma, tau, lam)
        lines.append(
            f"tau {tau}, {name} ({lam:.4f}): max |MAP - ridge| = "
            f"{errs[name]:.1e}"
        )
    return Finding(lines, bayes_claims(errs, half, n))


def _gap(X, y, sigma: float, tau: float, lam: float) -> float:
    """max |MAP estimate - ridge(lam)|."""
    theta = map_estimate(X, y, sigma=sigma, tau=tau)
    return (theta - ridge(X, y, lam)).abs().max().item()


def bayes_claims(errs: dict[str, float], half: int, n: int) -> Claims:
    """MAP equals ridge with sigma^2/(n tau^2) in every case; a lambda
    with the wrong n or the wrong sigma misses by more than MAP_TOL."""
    wrong = [f"n = {half}, lambda with n = {n}", f"sigma = {2 * SIGMA}, "
             f"lambda with {SIGMA}"]  # fmt: skip
    right = [k for k in errs if k not in wrong]
    worst = max(errs[k] for k in right)
    missed = min(errs[k] for k in wrong)
    return Claims().add(
        f"MAP = ridge with lambda = sigma^2/(n tau^2) to {worst:.1e} (below "
        f"{MAP_TOL:g}) in all {len(right)} cases; with the wrong n or sigma "
        f"it misses by at least {missed:.1e}",
        worst < MAP_TOL < missed,
    )


def laplace_prior() -> Finding:
    """Exercise 6: the Laplace log-prior is -|w|/beta up to a constant."""
    wv = torch.tensor([-0.3, 0.0, 0.2], dtype=torch.float64)
    beta = 0.05
    const = Laplace(0.0, beta).log_prob(wv) + wv.abs() / beta
    gap = (const + math.log(2 * beta)).abs().max().item()
    lines = [
        f"Laplace log-prior + |w|/beta, a constant: {const.numpy().round(6)}"
    ]
    claims = Claims().add(
        f"the constant is -log(2 beta) to {gap:.1e} (below 1e-6: Laplace "
        "keeps beta in float32)",
        gap < 1e-6,
    )
    return Finding(lines, claims)


def sign_bug(budget: Budget) -> Finding:
    """Pitfall: the subtracted L1 penalty on data set 0 (20 examples, 200
    inputs) and on 100 examples of 5 inputs."""
    data = highdim_data(seed=0)
    bug = train_scratch(
        data, [3.0], num_epochs=budget.epochs, penalty="l1", sign=-1.0
    )
    norms = bug["norm"][:, 0]
    step = budget.epochs // 5
    incr = norms[step::step] - norms[:-step:step]
    wide = highdim_data(seed=0, n_train=100, num_inputs=5)
    ok = train_scratch(
        wide, [1.0], num_epochs=budget.epochs, penalty="l1", sign=-1.0
    )
    settled = abs(ok["norm"][-1, 0] - ok["norm"][-step, 0]).item()
    lines = [
        f"||w|| every {step} epochs: {norms[::step].numpy().round(2)}",
        f"increments: {incr.numpy().round(2)} (constant: linear growth)",
        f"test loss {bug['test_loss'][-1, 0]:.1f}",
        "n > d (100 examples, 5 inputs): ||w|| at the end of each fifth:",
        f"  {ok['norm'][::step, 0].numpy().round(3)}",
    ]
    claims = Claims().add(
        f"n < d: ||w|| grows above {GROWS} x its first value "
        f"({norms[-1]:.1f} vs {norms[0]:.1f}), by steps within {EVEN} x of "
        "each other (after the first)",
        norms[-1] > GROWS * norms[0]
        and incr[1:].max() < EVEN * incr[1:].min(),
    )
    claims.add(
        f"n > d: the last fifth moves ||w|| by {settled:.3f}, below {SETTLED}",
        settled < SETTLED,
    )
    return Finding(lines, claims)


def decay_factor(budget: Budget) -> Finding:
    """Pitfall: lr * lambda past 1 (the decay factor negative) and past
    2 (its size above 1) on data set 0."""
    data = highdim_data(seed=0)
    run = train_scratch(data, list(PAST), num_epochs=budget.epochs)
    lines, norm = [], {}
    for j, lam in enumerate(PAST):
        norm[lam] = run["norm"][:, j]
        lines += [
            f"lambda {lam:g}: lr lambda {LR * lam:.1f}, decay factor "
            f"{1 - LR * lam:+.1f}",
            f"  ||w|| {norm[lam][0]:.3g} after epoch 1, {norm[lam][-1]:.3g} "
            f"after epoch {budget.epochs}",
        ]
    calm, wild = norm[PAST[0]], norm[PAST[1]]
    claims = Claims().add(
        f"lr lambda {LR * PAST[0]:.1f}: ||w|| ends finite and below its "
        f"first-epoch value; {LR * PAST[1]:.1f}: it ends above {BLOWN:g} "
        "or not finite",
        bool(torch.isfinite(calm[-1]))
        and calm[-1] < calm[0]
        and not (torch.isfinite(wild[-1]) and wild[-1] <= BLOWN),
    )
    return Finding(lines, claims)
