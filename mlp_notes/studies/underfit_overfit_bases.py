"""§4.4 exercise 3: the features without 1/i!, and what fixes them.

The scales of the four bases, the runs of each fix on data set 0, why
standardized features need a smaller SGD step (the curvature of single
minibatches, not of the full batch), and the fixes over every data set.

Each function returns a :class:`~mlp_notes.claims.Finding`.
"""

from __future__ import annotations

import torch

from mlp_notes import capacity
from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.polynomial import make_features, split_data
from mlp_notes.runs.polynomial import (
    basis_fixes,
    fit_polynomial,
    outcome,
    run_batches,
)
from mlp_notes.studies.paired import compare_lines, log_score_difference
from mlp_notes.studies.underfit_overfit import Budget

BOOK = ("factorial", "sgd", 0.01)
HERMITE = ("hermite", "sgd", 0.01)
STD_SGD = ("standardized", "sgd", 0.01)
STD_SLOW = ("standardized", "sgd", 0.001)
STD_ADAM = ("standardized", "adam", 0.01)
#: The fixes run on every data set (the raw-feature runs: data set 0).
SEED_FIXES = (BOOK, STD_SGD, STD_SLOW, STD_ADAM, HERMITE)
#: The SGD runs at lr 0.01 whose minibatch curvature is tabulated.
LR = 0.01
CURVATURE_BASES = ("factorial", "standardized", "hermite")
#: Claims' thresholds: x^19 must be large; a stable raw step learns nothing
#: (train MSE above STUCK); Hermite reaches the noise floor (train below
#: NEAR_FLOOR) with a test MSE below TEST_LIMIT and above GAP x its train.
BIG, STUCK, NEAR_FLOOR, TEST_LIMIT, GAP = 1e8, 1.0, 0.012, 0.2, 2


def scales() -> Finding:
    """Column scales, the full-batch Hessian's top eigenvalue and cond(F)
    of each basis on data set 0."""
    x_tr, _, x_te, _ = split_data(0)
    x_max = x_tr.abs().max().item()
    table = capacity.basis_scales(x_tr, x_te)
    lines = [
        f"max |x| = {x_max:.2f}, so x^19 reaches {x_max**19:.1e}",
        "basis         std of x^1, x^5, x^10, x^19 columns   lambda_max   "
        "cond(F)",
    ]
    for basis, sc in table.items():
        stds = "  ".join(f"{sc['std'][i]:9.2e}" for i in (1, 5, 10, 19))
        lines.append(
            f"{basis:12s}  {stds}   {sc['lambda_max']:9.2e}   "
            f"{sc['cond']:8.1e}"
        )
    step = 2 / table["raw"]["lambda_max"]
    shrink = step * max(table["raw"]["curvature"])
    lines.append(
        f"raw: largest stable step {step:.1e} shrinks x^0..x^3's error by "
        f"{shrink:.1e}"
    )
    claims = Claims().add(f"x^19 reaches above {BIG:g}", x_max**19 > BIG)
    claims.extend(capacity.scale_claims(table))
    return Finding(lines, claims)


def fixes(budget: Budget) -> Finding:
    """Each (basis, optimizer, lr) of ``BASIS_FIXES`` on data set 0: the
    outcome table, the claims and the training curves."""
    runs = basis_fixes(num_epochs=budget.epochs, seed=0)
    lines = ["basis         optimizer  lr       outcome"]
    lines += [
        f"{basis:12s}  {opt:9s}  {lr:<7.0e}  {outcome(run)}"
        for (basis, opt, lr), run in runs.items()
    ]
    shown = {
        f"{b}, {o}, lr {lr:g}": r["train_loss"][:, 0]
        for (b, o, lr), r in runs.items()
        if not r["diverged_at"]
    }
    x = {k: list(range(1, len(v) + 1)) for k, v in shown.items()}
    return Finding(lines, fix_claims(runs), dict(x=x, ys=shown))


def fix_claims(runs: dict) -> Claims:
    """What §4.4 asserts about the runs of ``basis_fixes`` on data set 0
    ({(basis, optimizer, lr): run})."""
    final = {k: r["train_loss"][-1, 0].item() for k, r in runs.items()}
    test = {k: r["test_loss"][-1, 0].item() for k, r in runs.items()}
    diverged = {k: r["diverged_at"] for k, r in runs.items()}
    raw_slow, raw_adam = ("raw", "sgd", 1e-19), ("raw", "adam", 0.01)
    hermite = final[HERMITE]
    return (
        Claims()
        .add(
            "raw SGD at lr 0.01 diverges in epoch 1, standardized SGD at "
            "lr 0.01 diverges, at lr 0.001 and raw Adam do not",
            diverged["raw", "sgd", 0.01] == 1
            and diverged[STD_SGD]
            and not diverged[STD_SLOW]
            and not diverged[raw_adam],
        )
        .add(
            f"raw SGD at lr 1e-19 ({final[raw_slow]:.3g}) and raw Adam "
            f"({final[raw_adam]:.3g}) end with train MSE above {STUCK:g}",
            final[raw_slow] > STUCK and final[raw_adam] > STUCK,
        )
        .add(
            f"Hermite's train MSE {hermite:.4f} below {NEAR_FLOOR}, its test "
            f"MSE {test[HERMITE]:.3g} below {TEST_LIMIT} and above {GAP} x "
            "its train MSE (its fit is partly noise)",
            hermite < NEAR_FLOOR
            and GAP * hermite < test[HERMITE] < TEST_LIMIT,
        )
        .add(
            f"standardized SGD (lr 0.001) {final[STD_SLOW]:.4f} above {GAP} x "
            f"Hermite's; standardized Adam {final[STD_ADAM]:.4f} below it",
            final[STD_SLOW] > GAP * hermite
            and final[STD_ADAM] < final[STD_SLOW],
        )
    )


def curvature(budget: Budget) -> Finding:
    """Why standardized SGD at lr 0.01 diverges on data set 0: the full
    batch's curvature allows the step, single minibatches holding the
    extreme-x example do not."""
    x_tr, _, x_te, _ = split_data(0)
    F = make_features(x_tr, x_te, 20, "standardized")[0].float()  # as run
    run = fit_polynomial(
        num_features=20, num_epochs=budget.epochs, seed=0,
        basis="standardized", lr=LR,
    )  # fmt: skip
    epochs = run["diverged_at"] or budget.epochs
    batches = run_batches(num_features=20, num_epochs=epochs, seed=0)
    full = capacity.top_curvature(F).item()
    per_batch = capacity.top_curvature(F[batches])  # (num_batches,)
    extreme = int(x_tr.abs().argmax())
    holds = (batches == extreme).any(1)  # batches with that example
    alone = capacity.top_curvature(F[extreme : extreme + 1]).item() / 10
    over = int((per_batch > 2 / LR).sum())
    top, rest = per_batch.max().item(), per_batch[~holds].max().item()
    state = f"diverged in epoch {epochs}" if run["diverged_at"] else "trained"
    lines = [
        f"standardized features, data set 0, SGD at lr {LR}: {state}",
        f"full batch: largest Hessian eigenvalue {full:.1f}, stable steps "
        f"below 2/{full:.1f} = {2 / full:.3f}",
        f"the run's {len(batches)} minibatches of 10 (epochs 1-{epochs}): "
        f"largest eigenvalue {top:.1f};",
        f"  {over} of them above 2/lr = {2 / LR:g}, each holding "
        f"example {extreme}",
        f"  (x = {x_tr[extreme]:.2f}, the largest |x|; alone it gives "
        f"2 |f|^2 / 10 = {alone:.1f});",
        f"  the largest eigenvalue of a minibatch without it: {rest:.1f}",
    ]
    return Finding(lines, curvature_claims(full, per_batch, holds))


def curvature_claims(
    full: float, per_batch: torch.Tensor, holds: torch.Tensor
) -> Claims:
    """The full batch allows lr 0.01, minibatches do not, and the
    minibatches that do not are exactly those holding the extreme
    example (``holds``, one flag per minibatch); lr 0.001 is stable on
    every minibatch."""
    over = per_batch > 2 / LR
    top = per_batch.max().item()
    rest = per_batch[~holds].max().item()
    return (
        Claims()
        .add(
            f"full batch: the stable step limit 2/{full:.1f} = "
            f"{2 / full:.3f} is above lr {LR}",
            2 / full > LR,
        )
        .add(
            f"the largest minibatch eigenvalue {top:.1f} is above 2/lr = "
            f"{2 / LR:g}",
            top > 2 / LR,
        )
        .add(
            "every minibatch above 2/lr holds the extreme example, and "
            f"without it the largest eigenvalue {rest:.1f} is below 2/lr",
            bool(over.any()) and bool(holds[over].all()) and rest < 2 / LR,
        )
        .add(
            f"lr 0.001 is below 2/{top:.1f} = {2 / top:.4f}: stable on "
            "every minibatch",
            0.001 < 2 / top,
        )
    )


def _top_over_run(seed: int, basis: str, run: dict, epochs: int) -> float:
    """Largest minibatch-Hessian eigenvalue over the minibatches ``run``
    (SGD on ``basis`` features of data set ``seed``) took."""
    x_tr, _, x_te, _ = split_data(seed)
    F = make_features(x_tr, x_te, 20, basis)[0].float()
    done = run["diverged_at"] or epochs
    batches = run_batches(num_features=20, num_epochs=done, seed=seed)
    return capacity.top_curvature(F[batches]).max().item()


def over_seeds(budget: Budget) -> Finding:
    """The fixes on every data set: per SGD run at lr 0.01, its largest
    minibatch eigenvalue and outcome; paired comparisons of the fixes."""
    runs = {s: basis_fixes(budget.epochs, s, SEED_FIXES) for s in budget.seeds}
    lines = [
        f"SGD at lr {LR}: the largest minibatch-Hessian eigenvalue over each",
        f"run (2/lr = {2 / LR:g}), and the epoch the run diverged in",
        (
            "seed  max|x|  " + "".join(f"{b:21s}" for b in CURVATURE_BASES)
        ).rstrip(),
    ]
    top, diverged, x_max = {}, {}, {}
    for s, by_fix in runs.items():
        cells = []
        for basis in CURVATURE_BASES:
            run = by_fix[basis, "sgd", LR]
            top[s, basis] = _top_over_run(s, basis, run, budget.epochs)
            diverged[s, basis] = run["diverged_at"]
            end = run["diverged_at"]
            state = f"diverged ({end})" if end else "trained"
            cells.append(f"{top[s, basis]:5.1f}  {state:14s}")
        x_max[s] = split_data(s)[0].abs().max().item()
        lines.append(f"{s:4d}  {x_max[s]:6.2f}  " + "".join(cells).rstrip())
    claims = divergence_claims(top, diverged, x_max, budget.decisive)
    more, more_claims = fix_comparisons(runs, budget.decisive)
    claims.extend(more_claims)
    return Finding(lines + more, claims)


def divergence_claims(
    top: dict, diverged: dict, x_max: dict, decisive: bool
) -> Claims:
    """Over {(seed, basis): ...} (``x_max``: {seed: largest |x|}): no run
    stable on every minibatch diverged; 1/i! stays below 2/lr on every
    data set; Hermite diverged, only where |x| reaches beyond data set
    0's; and (where ``decisive``) some run crossed 2/lr and trained."""
    calm = [k for k in top if top[k] < 2 / LR]
    survived = [k for k in top if top[k] >= 2 / LR and not diverged[k]]
    book = max(v for (s, b), v in top.items() if b == "factorial")
    hermite = [s for s, b in diverged if b == "hermite" and diverged[s, b]]
    claims = Claims().add(
        f"none of the {len(calm)} runs whose every minibatch eigenvalue is "
        f"below 2/lr diverged; all {sum(bool(v) for v in diverged.values())} "
        f"runs that diverged crossed it; 1/i! stays below ({book:.1f})",
        not any(diverged[k] for k in calm) and book < 2 / LR,
    )
    claims.add(
        f"Hermite at lr {LR} diverges on data sets {hermite}, each with a "
        f"larger |x| than data set 0's {x_max[0]:.2f}",
        hermite and all(x_max[s] > x_max[0] for s in hermite),
    )
    claims.append(
        Claim(
            f"crossing 2/lr is not sufficient: {len(survived)} of the runs "
            f"that crossed it trained ({survived})",
            bool(survived),
            decisive,
        )
    )
    return claims


def fix_comparisons(
    runs: dict[int, dict], decisive: bool
) -> tuple[list[str], Claims]:
    """Standardized Adam against SGD at lr 0.001 (final train MSE), and
    Hermite against the book's basis (final test MSE), paired by data
    set; ``runs``: {seed: {(basis, optimizer, lr): run}}."""

    def final(fix: tuple, part: str) -> dict[int, float]:
        """{seed: final MSE} of the runs of ``fix`` that did not diverge."""
        return {
            s: r[fix][f"{part}_loss"][-1, 0].item()
            for s, r in runs.items()
            if not r[fix]["diverged_at"]
        }

    lines = [
        "paired by data set, score -log10(final MSE) (higher: lower MSE):"
    ]
    claims = Claims()
    adam, slow = "standardized Adam", "standardized SGD lr 0.001"
    d, seeds = log_score_difference(
        final(STD_ADAM, "train"), final(STD_SLOW, "train")
    )
    lines += compare_lines(d, adam, slow, "train", seeds)
    claims.compare(d, adam, slow, ">", enforce=decisive)
    test_h, test_b = final(HERMITE, "test"), final(BOOK, "test")
    d, seeds = log_score_difference(test_h, test_b)
    lines += compare_lines(d, "Hermite", "1/i!", "test", seeds)
    higher = [s for s in seeds if test_h[s] > test_b[s]]
    lines.append(f"  Hermite's test MSE is the higher on data sets {higher}")
    claims.compare(d, "Hermite", "1/i!", "~", enforce=decisive)
    return lines, claims
