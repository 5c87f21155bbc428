"""§4.9: detecting shift from the classifier's softmax outputs: per-class
KS tests with a Bonferroni correction (BBSD, "Failing Loudly").

Reference samples are validation images; a shifted sample comes from the
test images, with a fixed Dirichlet(1) label shift or with the
brightness shift.  Under no shift both samples are disjoint draws from
the validation images, so the exact p-value is exact for them.
"""

from __future__ import annotations

import math

import torch

from mlp_notes.claims import Claims, Finding
from mlp_notes.data import fashion_mnist_split
from mlp_notes.shift import covariate, detect, sampling
from mlp_notes.studies.distribution_shift.budget import Budget
from mlp_notes.studies.distribution_shift.label import Outputs

ALPHA = 0.05  # the level of the whole test (Bonferroni over 10 classes)


def _limit(D: float, e: float) -> float:
    """Kolmogorov's limit P(sqrt(e) D' >= sqrt(e) D), no correction."""
    x = math.sqrt(e) * D
    return 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * x * x)
                   for j in range(1, 101))  # fmt: skip


def exact_null() -> Finding:
    """The reflection formula against enumeration of every split."""
    worst = 0.0
    for n in range(1, 8):
        table = detect.ks_null_by_enumeration(n)
        k = torch.arange(n + 1, dtype=torch.float64)
        p = detect.ks_pvalue(k / n, n, n)
        worst = max(worst, max(abs(table[i] - p[i].item()) for i in table))
    lines = [
        "P(D >= k/n), n = 1..7: formula vs enumeration of all "
        f"C(2n, n) splits: largest difference {worst:.1e}",
        "at n = 1000, D = 0.06: exact "
        f"{detect.ks_pvalue(torch.tensor(0.06), 1000, 1000).item():.5f}, "
        f"Kolmogorov's limit {_limit(0.06, 1000 * 1000 / 2000):.5f}; "
        "with m = 1001 (unequal sizes: the limit with Stephens' "
        "small-sample factor) "
        f"{detect.ks_pvalue(torch.tensor(0.06), 1000, 1001).item():.5f}",
    ]
    claims = Claims().add(f"they agree ({worst:.1e} < 1e-12)", worst < 1e-12)
    return Finding(lines, claims)


def false_alarms(o: Outputs, b: Budget) -> Finding:
    """Rejections under no shift: of the Bonferroni test (at most ALPHA)
    and of each class's test at ALPHA (its exact size, discreteness
    included)."""
    g = torch.Generator().manual_seed(8)
    lines, claims = [f"{b.null_trials} trials per n, level {ALPHA}"], Claims()
    for n in b.null_sizes:
        rejects, per_class = 0, torch.zeros(10, dtype=torch.float64)
        for _ in range(b.null_trials):
            perm = torch.randperm(len(o.val), generator=g)
            hit, p = detect.bbsd(
                o.val[perm[:n]], o.val[perm[n : 2 * n]], ALPHA
            )
            rejects += hit
            per_class += (p <= ALPHA).double()
        lo, hi = detect.clopper_pearson(rejects, b.null_trials)
        size = detect.ks_exact_size(n, ALPHA)
        a, z = detect.binomial_acceptance(b.null_trials, size)
        mean = per_class.mean().item()
        lines.append(
            f"n = {n:>4}: Bonferroni test rejects "
            f"{rejects / b.null_trials:.3f} "
            f"(95% CI {lo:.3f} to {hi:.3f}); a class's test rejects "
            f"{mean:.1f} times on average, exact size {size:.4f} -> "
            f"{a} to {z} expected"
        )
        claims.add(
            f"n = {n}: the false-alarm rate is consistent with <= {ALPHA} "
            f"(interval starts at {lo:.3f})",
            lo <= ALPHA,
        )
        claims.add(
            f"n = {n}: per-class rejections {mean:.1f} in [{a}, {z}]",
            a <= mean <= z,
        )
    return Finding(lines, claims)


def detection_rates(o: Outputs, b: Budget) -> Finding:
    """How often each shift is detected, by sample size."""
    g = torch.Generator().manual_seed(9)
    q = sampling.dirichlet(1.0, 10, 1, generator=g)[0]
    data = fashion_mnist_split(seed=0)
    shift = covariate.BrightnessShift.of_pool(data.X_train, b.k)
    keep = shift.keep_probability(data.X_test, "target").cpu()
    rates = {"label shift": [], "brightness shift": []}
    for n in b.ks_sizes:
        hits = dict.fromkeys(rates, 0)
        for _ in range(b.ks_trials):
            ref = o.val[torch.randperm(len(o.val), generator=g)[:n]]
            lab = sampling.label_shift_indices(o.y_test, q, n, generator=g)
            cov = torch.multinomial(keep, n, replacement=True, generator=g)
            hits["label shift"] += detect.bbsd(ref, o.test[lab], ALPHA)[0]
            hits["brightness shift"] += detect.bbsd(ref, o.test[cov], ALPHA)[0]
        for name in rates:
            rates[name].append(hits[name] / b.ks_trials)
    lines = [
        f"label shift: q = {q.numpy().round(3)} (one Dirichlet(1) draw)",
        f"{b.ks_trials} trials per n; detection rate at n = "
        + ", ".join(map(str, b.ks_sizes))
        + ":",
    ]
    lines += [f"  {k}: {v}" for k, v in rates.items()]
    claims = Claims()
    for name, r in rates.items():
        claims.add(
            f"{name}: detected in >= 90% of the trials at n = "
            f"{b.ks_sizes[-1]} ({r[-1]:.2f})",
            r[-1] >= 0.9,
        )
    return Finding(lines, claims, {"sizes": b.ks_sizes, "rates": rates})
