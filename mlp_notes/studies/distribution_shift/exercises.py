"""§4.9: concept shift, a feedback loop, what else separates empirical
risk from risk, and weights with infinite variance."""

from __future__ import annotations

import math

import torch

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import LABELS, fashion_mnist_split
from mlp_notes.runs import shift as runs
from mlp_notes.runs.chapter import CHAPTER_RECIPE
from mlp_notes.shift import concept, label
from mlp_notes.shift.weighting import (
    effective_sample_size,
    gaussian_second_moment,
)
from mlp_notes.studies.distribution_shift.budget import Budget
from mlp_notes.studies.distribution_shift.label import Outputs


def concept_shift(b: Budget) -> Finding:
    """The old model under the new labels, fine-tuned on recent images,
    and a fresh model trained on the same images; paired over seeds."""
    rs = [
        runs.concept_update(
            base_epochs=b.classifier_epochs,
            recent=b.concept_recent,
            epochs=b.concept_epochs,
            seed=s,
        )  # fmt: skip
        for s in b.concept_seeds
    ]
    ((a, z),) = runs.CONCEPT.items()
    batches = math.ceil(b.concept_recent / CHAPTER_RECIPE.batch_size)
    steps = b.concept_epochs * batches
    lines = [
        f"from now on {LABELS[a]} is labelled {LABELS[z]}; "
        f"{b.concept_recent} recent images, {b.concept_epochs} epochs "
        f"({steps} SGD steps, for either model), seeds "
        f"{list(b.concept_seeds)}; test accuracy:"
    ]
    for key in rs[0]:
        v = [r[key] for r in rs]
        lines.append(f"{key:>24}: {stats.fmt_spread(*stats.spread(v))}")
    claims = Claims()
    pairs = (
        ("fine-tuned", "old model", ">"),
        ("fine-tuned", "from scratch", ">"),
        ("fine-tuned, old labels", "old model, old labels", "<"),
    )
    for a, z, expect in pairs:
        d = stats.paired([r[a] for r in rs], [r[z] for r in rs])
        lines.append(f"{a} - {z}: {d}")
        claims.compare(d, a, z, expect, enforce=b.decisive)
    return Finding(lines, claims)


def feedback(b: Budget) -> Finding:
    """A ranking learnt from its own clicks, with and without inverse
    propensity weights: how often the better result ends on top."""
    g = torch.Generator().manual_seed(10)
    relevance, examine = (0.5, 0.3), (1.0, 0.3)
    lines = [
        f"relevance {relevance}, examination by position {examine}; "
        f"{b.feedback_reps} replications of {b.feedback_rounds} users"
    ]
    share = {}
    for ipw in (False, True):
        tops = concept.ranking_feedback(
            relevance, examine, b.feedback_rounds, b.feedback_reps,
            ipw=ipw, generator=g,
        )  # fmt: skip
        share[ipw] = (tops[:, -1] == 0).double().mean().item()
        name = "clicks / examinations" if ipw else "clicks / impressions"
        lines.append(
            f"{name}: better result on top at the end in {share[ipw]:.2f}"
        )
    claims = Claims()
    claims.add(
        f"weighted: the better result wins ({share[True]:.2f} >= 0.95)",
        share[True] >= 0.95,
    )
    claims.add(
        f"unweighted: the incumbent often stays ({share[False]:.2f} < 0.8)",
        share[False] < 0.8,
    )
    return Finding(lines, claims)


def risk_gaps(o: Outputs, b: Budget) -> Finding:
    """Besides shift: sampling noise, dependent examples, label noise and
    the optimism of the training error, each measured."""
    g = torch.Generator().manual_seed(11)
    wrong = (o.test.argmax(1) != o.y_test).double()  # (10000,)
    R = wrong.mean().item()
    lines, claims, n, reps = [f"test error R = {R:.4f}"], Claims(), 1000, 2000
    iid = wrong[torch.randint(len(wrong), (reps, n), generator=g)].mean(1)
    distinct = torch.randint(len(wrong), (reps, n // 10), generator=g)
    copies = wrong[distinct].repeat_interleave(10, 1).mean(1)  # 10 copies
    sd = math.sqrt(R * (1 - R) / n)
    for name, est, expect in (
        ("independent", iid, sd),
        ("10 copies of each", copies, sd * math.sqrt(10)),
    ):
        cover = ((est - R).abs() <= 1.96 * sd).double().mean().item()
        lines.append(
            f"n = {n}, {name}: SD {est.std():.4f} (formula {expect:.4f}); "
            f"the i.i.d. 95% interval covers R in {cover:.3f}"
        )
        claims.add(
            f"{name}: SD within 10% of {expect:.4f}",
            abs(est.std().item() / expect - 1) < 0.1,
        )
    rho, K = 0.2, 10
    flip = torch.rand(len(wrong), generator=g) < rho
    other = (o.y_test + torch.randint(1, K, o.y_test.shape, generator=g)) % K
    noisy = torch.where(flip, other, o.y_test)
    R_noisy = (o.test.argmax(1) != noisy).double().mean().item()
    formula = (1 - R) * rho + R * (1 - rho / (K - 1))
    se = math.sqrt(formula * (1 - formula) / len(wrong))
    lines.append(
        f"labels flipped with probability {rho}: error {R_noisy:.4f}, "
        f"formula (1-R) rho + R (1 - rho/(K-1)) = {formula:.4f}"
    )
    claims.add(
        f"label noise: within 4 s.e. ({4 * se:.4f})",
        abs(R_noisy - formula) <= 4 * se,
    )
    train_err = _train_error(b)
    lines.append(
        f"the same model's error on its own training images: "
        f"{train_err:.4f} (test {R:.4f})"
    )
    claims.add("the training error is optimistic", train_err < R)
    return Finding(lines, claims)


def _train_error(b: Budget) -> float:
    data = fashion_mnist_split(seed=0)
    P = label.softmax_outputs(
        runs.classifier(b.classifier_epochs), data.X_train
    )
    return (P.argmax(1) != data.y_train).double().mean().item()


def exploding_weights() -> Finding:
    """Source N(0, 1), targets N(0, s^2): the ESS of the exact weights as
    the sample grows, against its limit n / E[beta^2] (zero once
    s^2 >= 2: infinite variance)."""
    g = torch.Generator().manual_seed(12)
    x = torch.randn(10**6, generator=g, dtype=torch.float64)
    lines, claims, ns = [], Claims(), (10**3, 10**4, 10**5, 10**6)
    for s in (1.2, 1.5, 2.0):
        beta = torch.exp(-(x**2) / (2 * s * s) + x**2 / 2) / s  # p_t / p_s
        m2 = gaussian_second_moment(1.0, s)
        frac = [effective_sample_size(beta[:n]) / n for n in ns]
        lines.append(
            f"target sd {s}: E[beta^2] = {m2:.3f}, limit ESS/n "
            f"{1 / m2:.3f}; ESS/n at n = 1e3..1e6: "
            + " ".join(f"{f:.3f}" for f in frac)
        )
        if m2 == math.inf:
            claims.add(
                f"sd {s}: ESS/n falls from n = 1e3 to 1e6 "
                f"({frac[0]:.3f} -> {frac[-1]:.3f})",
                frac[-1] < frac[0],
            )
        else:
            claims.add(
                f"sd {s}: ESS/n at 1e6 within 10% of its limit",
                abs(frac[-1] * m2 - 1) < 0.1,
            )
    return Finding(lines, claims)
