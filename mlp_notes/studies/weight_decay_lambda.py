"""§4.5 exercises 1 and 2: the lambda sweep, and lambda chosen on
validation data.

Settings are compared seed by seed on the score -log10(final loss)
(higher: a lower loss), see ``paired.log_score_difference``;
results are looked up by lambda, never by position.  Each function
returns a :class:`~mlp_notes.claims.Finding`.
"""

from __future__ import annotations

import textwrap

import torch

from mlp_notes.claims import Claims, Finding
from mlp_notes.runs.weight_decay import lambda_sweep
from mlp_notes.studies.paired import log_score_difference
from mlp_notes.studies.weight_decay import Budget
from mlp_notes.weight_decay import LR, highdim_data, ridge

#: The lambdas of exercises 1 and 2.
LAMBDS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
#: Exercise 1 (means over seeds): test at lambda 0 above DROP x the
#: lowest, the last three lambdas below FLAT_TOL x it; train at the
#: largest lambda above WORST x the lowest.
DROP, FLAT_TOL, WORST = 1000, 1.5, 2
#: Exercise 1: training-loss steps up the grid from this lambda on are
#: resolved at the full budget; the steps below it are not.
RISES_FROM = 0.1
#: Exercise 1: the flat end of the test curve, and the paired test-loss
#: comparisons (a, b, what the prose says of a - b).
FLAT = (30.0, 100.0, 300.0)
TEST_STEPS = ((30.0, 0.0, ">"), (30.0, 100.0, "~"), (100.0, 300.0, "~"))
#: Exercise 1's references (means over seeds): the best lambda and the
#: minimum-norm interpolant within a factor NEAR_MEAN of the mean
#: predictor's test loss, either way (neither learns much beyond the
#: mean), SGD at lambda 0 above FAR x it.
NEAR_MEAN, FAR = 1.2, 100
#: Exercise 2: each choice's test loss below CHOICE_TOL x the grid's
#: best, the best's grid neighbours' below NEAR_TOL x.
CHOICE_TOL, NEAR_TOL = 2, 1.5


def by_lambda(values: torch.Tensor) -> dict[float, float]:
    """{lambda: value} from a tensor ordered as ``LAMBDS``."""
    return dict(zip(LAMBDS, values.tolist(), strict=True))


def lambda_sweeps(budget: Budget) -> dict[int, dict[str, dict]]:
    """{seed: {"train" | "val" | "cv" | "test": {lambda: final loss}}}."""
    return {
        s: {
            key: by_lambda(values)
            for key, values in lambda_sweep(
                lambds=LAMBDS, num_epochs=budget.epochs, seed=s
            ).items()
        }
        for s in budget.seeds
    }


def lambda_curve(budget: Budget) -> Finding:
    """Exercise 1: final train and test loss against lambda (means over
    seeds), the exact minimizer's training loss, and paired steps."""
    sweeps = lambda_sweeps(budget)
    mean = {
        key: {
            lam: sum(sw[key][lam] for sw in sweeps.values()) / len(sweeps)
            for lam in LAMBDS
        }
        for key in ("train", "test")
    }
    lines = [
        f"the decay factor 1 - lr lambda stays in (-1, 1) for lambda < 2/lr "
        f"= {2 / LR:.0f}",
        "lambda    train      test",
    ]
    lines += [
        f"{lam:6g}  {mean['train'][lam]:.2e}  {mean['test'][lam]:.2e}"
        for lam in LAMBDS
    ]
    more, claims = curve_claims(sweeps, mean, budget.decisive)
    exact_lines, exact = ridge_claims(budget)
    claims.extend(exact)
    ref_lines, refs = reference_claims(mean["test"], references(budget))
    exact_lines += ref_lines
    claims.extend(refs)
    data = dict(
        x=[max(lam, 3e-3) for lam in LAMBDS],  # lambda 0 at the left edge
        ys={key: list(mean[key].values()) for key in ("train", "test")},
        title=f"mean over seeds {list(budget.seeds)}",
    )
    return Finding(lines + more + exact_lines, claims, data)


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, 79, subsequent_indent="     ")


def curve_claims(
    sweeps: dict[int, dict[str, dict]], mean: dict, decisive: bool
) -> tuple[list[str], Claims]:
    """Exercise 1's claims: the old thresholds on the means, and paired
    intervals (score -log10 loss) for the steps of the training loss up
    the grid and for the test loss's fall and flat end (enforced where
    ``decisive``).  ``sweeps`` as :func:`lambda_sweeps`."""
    test, train = mean["test"], mean["train"]
    low, top = min(test.values()), max(LAMBDS)
    claims = (
        Claims()
        .add(
            f"mean test at lambda 0 {test[0.0]:.3g} above {DROP} x the "
            f"lowest {low:.3g}; at {FLAT} below {FLAT_TOL} x it",
            test[0.0] > DROP * low
            and max(test[lam] for lam in FLAT) < FLAT_TOL * low,
        )
        .add(
            f"mean train at the largest lambda, {top:g}, the highest "
            f"({train[top]:.2e}), above {WORST} x the lowest "
            f"({min(train.values()):.2e})",
            max(train, key=train.get) == top
            and train[top] > WORST * min(train.values()),
        )
    )

    def score(key: str, lam: float) -> dict[int, float]:
        return {s: sw[key][lam] for s, sw in sweeps.items()}

    lines = [
        "paired by seed, score -log10(final loss): in the claims below, "
        "'a beats b'",
        "means a ends with the lower loss",
    ]
    for small, large in zip(LAMBDS, LAMBDS[1:]):
        d, _ = log_score_difference(
            score("train", small), score("train", large)
        )
        a, b = f"lambda {small:g} (train)", f"lambda {large:g} (train)"
        expect = ">" if small >= RISES_FROM else "~"
        claims.compare(d, a, b, expect, enforce=decisive)
    for a_lam, b_lam, expect in TEST_STEPS:
        d, _ = log_score_difference(score("test", a_lam), score("test", b_lam))
        a, b = f"lambda {a_lam:g} (test)", f"lambda {b_lam:g} (test)"
        claims.compare(d, a, b, expect, enforce=decisive)
    return lines, claims


def ridge_claims(budget: Budget) -> tuple[list[str], Claims]:
    """The exact minimizer of the penalized loss (``ridge``) on each
    seed's data: its training loss rises at every step of the grid
    (lambda > 0; at 0 the minimum is 0, an interpolation)."""
    rises, lines = {}, []
    for s in budget.seeds:
        X, y, _, _ = (t.double() for t in highdim_data(seed=s))
        loss = {}
        for lam in LAMBDS[1:]:
            theta = ridge(X, y, lam)  # (d + 1, 1): w over b
            r = X @ theta[:-1] + theta[-1] - y
            loss[lam] = (r**2).mean().item() / 2
        steps = list(loss.values())
        rises[s] = all(b > a for a, b in zip(steps, steps[1:]))
        lines.append(
            f"exact minimizer, seed {s}: training loss {steps[0]:.2e} at "
            f"lambda {LAMBDS[1]:g}, {steps[-1]:.2e} at {LAMBDS[-1]:g}"
        )
    claims = Claims().add(
        f"the exact minimizer's training loss rises at every step of the "
        f"grid from lambda {LAMBDS[1]:g}, on every seed",
        all(rises.values()),
    )
    return lines, claims


def references(budget: Budget) -> dict[str, float]:
    """Two fits to compare the sweep with (test losses, means over the
    seeds): predicting the training mean, and the minimum-norm
    interpolant (the smallest (w, b) that fits the training set exactly:
    where gradient descent from a zero start ends; not ridge's lambda ->
    0 limit, which leaves the bias unpenalized)."""
    found = {"mean predictor": 0.0, "min-norm interpolant": 0.0}
    for s in budget.seeds:
        X, y, X_test, y_test = (t.double() for t in highdim_data(seed=s))
        ones = torch.ones(len(X), 1, dtype=X.dtype)
        theta = torch.linalg.pinv(torch.cat([X, ones], 1)) @ y
        fits = {
            "mean predictor": y.mean().expand_as(y_test),
            "min-norm interpolant": X_test @ theta[:-1] + theta[-1],
        }
        for name, fit in fits.items():
            found[name] += ((fit - y_test) ** 2).mean().item() / 2
    return {k: v / len(budget.seeds) for k, v in found.items()}


def reference_claims(
    test: dict[float, float], refs: dict[str, float]
) -> tuple[list[str], Claims]:
    """The sweep's mean test losses (``test``, by lambda) against the
    ``references``: what the penalty buys, to scale."""
    base, best = refs["mean predictor"], min(test.values())
    interpolant = refs["min-norm interpolant"]
    lines = [
        f"test, mean over seeds: predicting the training mean {base:.2e}; "
        f"the min-norm interpolant {interpolant:.2e}; the best lambda "
        f"{best:.2e}; SGD at lambda 0 {test[0.0]:.2e}",
    ]
    ratios = (best / base, interpolant / base)
    claims = Claims().add(
        f"the best lambda and the min-norm interpolant within a factor "
        f"{NEAR_MEAN} of the mean predictor either way ({ratios[0]:.2f}, "
        f"{ratios[1]:.2f}); SGD at lambda 0 above {FAR} x it "
        f"({test[0.0] / base:.0f})",
        all(1 / NEAR_MEAN < r < NEAR_MEAN for r in ratios)
        and test[0.0] > FAR * base,
    )
    return [w for line in lines for w in _wrapped(line)], claims


def lambda_choice(budget: Budget) -> Finding:
    """Exercise 2: lambda chosen on a validation set and by 5-fold
    cross-validation, against the grid's best test loss, per seed; the
    two choices' test losses paired by seed."""
    return choice_finding(lambda_sweeps(budget), budget.decisive)


def choice_finding(
    sweeps: dict[int, dict[str, dict]], decisive: bool
) -> Finding:
    """Exercise 2's lines and claims from ``sweeps`` (as
    :func:`lambda_sweeps`); the paired comparison enforced where
    ``decisive``."""
    lines = []
    worst_choice, worst_near, chosen = 0.0, 0.0, {"val": {}, "cv": {}}
    for s, sw in sweeps.items():
        test = sw["test"]
        best = min(test, key=test.get)
        lines.append(
            f"seed {s}: test optimum lambda {best:g} (test {test[best]:.4f})"
        )
        for name in ("val", "cv"):
            lam = min(sw[name], key=sw[name].get)
            chosen[name][s] = test[lam]
            ratio = test[lam] / test[best]
            worst_choice = max(worst_choice, ratio)
            lines.append(
                f"   chosen by {name:3s}: lambda {lam:g}, test "
                f"{test[lam]:.4f} ({ratio:.2f}x optimum)"
            )
        i = LAMBDS.index(best)
        near = [LAMBDS[j] for j in (i - 1, i + 1) if 0 <= j < len(LAMBDS)]
        worst_near = max([worst_near] + [test[n] / test[best] for n in near])
    claims = Claims().add(
        f"on every seed each choice's test loss is below {CHOICE_TOL} x the "
        f"optimum's (largest {worst_choice:.2f}), the optimum's grid "
        f"neighbours' below {NEAR_TOL} x (largest {worst_near:.2f})",
        worst_choice < CHOICE_TOL and worst_near < NEAR_TOL,
    )
    d, seeds = log_score_difference(chosen["val"], chosen["cv"])
    a, b = "chosen by val", "chosen by cv"
    lines += _wrapped(f"test loss, -log10, {a} - {b} (seeds {seeds}): {d}")
    lines += _wrapped(f"  -> {d.verdict(a, b)}")
    claims.compare(d, a, b, "~", enforce=decisive)
    return Finding(lines, claims)
