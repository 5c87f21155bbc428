"""§4.9 on Fashion-MNIST, covariate shift: images selected on their
brightness, the weights a domain classifier estimates for them, weighted
training of D2L's MLP, and the classifier as a shift detector."""

from __future__ import annotations

import torch

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import LABELS
from mlp_notes.runs import shift as runs
from mlp_notes.shift import detect, ratio
from mlp_notes.shift.weighting import (
    clip_weights,
    effective_sample_size,
    normalize,
)
from mlp_notes.studies.distribution_shift.budget import Budget

#: Estimated log-weights must track the exact ones at least this well.
MIN_CORRELATION = 0.9


def _shares(y: torch.Tensor, weight: torch.Tensor | None = None):
    """(10,) label proportions, each example counted with its weight."""
    w = torch.ones(len(y), dtype=torch.float64) if weight is None else weight
    counts = torch.zeros(10, dtype=torch.float64).index_add_(
        0, y.cpu(), w.cpu().double()
    )
    return counts / counts.sum()


def brightness_shift(b: Budget) -> Finding:
    """The two samples, their label proportions, and the domain
    classifier's log-weights against the exact ones."""
    data, shift, src, tgt = runs.brightness_samples(b.k, b.covariate_subset)
    fit = runs.domain_classifier(k=b.k, subset=b.covariate_subset)
    Xs = data.X_train[src]
    exact = shift.log_ratio(Xs, data.X_train).cpu()
    logits = Xs.flatten(1).double() @ fit["w"].to(Xs.device) + fit["b"]
    est = ratio.log_ratio(logits, *fit["n_fit"]).cpu()
    r = torch.corrcoef(torch.stack([est, exact]))[0, 1].item()
    slope = torch.linalg.lstsq(
        torch.stack([exact, torch.ones_like(exact)], 1), est[:, None]
    ).solution[0, 0]
    p_source = _shares(data.y_train[src])
    p_target = _shares(
        data.y_test, shift.keep_probability(data.X_test, "target")
    )
    lines = [
        f"k = {b.k}: source {len(src):,} training images, unlabelled target "
        f"{len(tgt):,} validation images",
        "label shares, source -> target: "
        + ", ".join(
            f"{LABELS[i]} {p_source[i]:.2f}->{p_target[i]:.2f}"
            for i in range(10)
        ),
        f"domain classifier: ridge {fit['l2']:g} chosen on held-out loss "
        + str({k: round(v, 4) for k, v in fit["held_out_loss"].items()}),
        f"estimated vs exact log-weights: correlation {r:.4f}, "
        f"slope {slope:.3f}",
    ]
    w = {"exact": exact.exp(), "estimated": est.exp()}
    w[f"estimated, clipped at {b.clip:g}"] = clip_weights(
        normalize(w["estimated"]), b.clip
    )
    for name, v in w.items():
        v = normalize(v)
        lines.append(
            f"{name} weights: ESS {effective_sample_size(v):,.0f} of "
            f"{len(v):,}, largest {v.max():.1f}"
        )
    claims = Claims().add(
        f"estimated log-weights track the exact ones: correlation "
        f"{r:.4f} >= {MIN_CORRELATION}",
        r >= MIN_CORRELATION,
    )
    return Finding(
        lines, claims, {"exact": exact[:400], "estimated": est[:400]}
    )


def arms(b: Budget) -> dict[str, tuple[str, float | None]]:
    """The weightings trained: {label: (kind, clip)}."""
    return {
        "no weights": ("none", None),
        "exact weights": ("true", None),
        "estimated weights": ("estimated", None),
        f"estimated, clipped at {b.clip:g}": ("estimated", b.clip),
    }


def corrected_training(b: Budget) -> Finding:
    """D2L's MLP trained on the source with each weighting, over paired
    seeds; each run scored by its mean accuracy over its last three
    epochs on the target and on the source distribution."""
    runs_ = {
        name: [
            runs.train_corrected(
                k=b.k,
                weights=kind,
                clip=clip,
                epochs=b.covariate_epochs,
                subset=b.covariate_subset,
                seed=s,
            )  # fmt: skip
            for s in b.covariate_seeds
        ]
        for name, (kind, clip) in arms(b).items()
    }
    late = {
        side: {n: [sum(r[side][-3:]) / len(r[side][-3:]) for r in rs]
               for n, rs in runs_.items()}
        for side in ("target_acc", "source_acc")
    }  # fmt: skip
    lines = [f"seeds {list(b.covariate_seeds)}, {b.covariate_epochs} epochs"]
    for name in runs_:
        t, s = (stats.spread(late[side][name]) for side in late)
        lines.append(
            f"{name:>24}: target {stats.fmt_spread(*t)}, "
            f"source {stats.fmt_spread(*s)}"
        )
    claims = Claims()
    for side, expect in (("target_acc", "<="), ("source_acc", "<")):
        base = late[side]["no weights"]
        for name, v in late[side].items():
            if name == "no weights":
                continue
            d = stats.paired(v, base)
            a, z = f"{name} ({side[:6]})", f"no weights ({side[:6]})"
            lines += [f"{a} - {z}: {d}", f"  -> {d.verdict(a, z)}"]
            claims.compare(d, a, z, expect, enforce=b.decisive)
    curves = {
        n: [sum(e) / len(e) for e in zip(*(r["target_acc"] for r in rs))]
        for n, rs in runs_.items()
    }
    return Finding(lines, claims, {"target_acc": curves})


def detector(b: Budget) -> Finding:
    """The domain classifier as a detector: a KS test between its held-out
    logits on source and on target images, and the same for a classifier
    trained between two halves of the source (no shift)."""
    fit = runs.domain_classifier(k=b.k, subset=b.covariate_subset)
    lines, p = [], {}
    pairs = {
        "source vs target": (fit["held_source"], fit["held_target"]),
        "source vs source (control)": fit["control"],
    }
    for name, (a, c) in pairs.items():
        m = min(len(a), len(c))
        D = detect.ks_statistic(a[:m], c[:m])
        p[name] = detect.ks_pvalue(D, m, m).item()
        auc = (c[:m, None] > a[None, :m]).double().mean().item()
        lines.append(
            f"{name}: {m:,} held-out images each, AUC {auc:.3f}, "
            f"KS D {D.item():.3f}, p = {p[name]:.2g}"
        )
    claims = Claims()
    claims.add(
        f"the shift is detected: p = {p['source vs target']:.2g} < 1e-6",
        p["source vs target"] < 1e-6,
    )
    claims.add(
        f"no false alarm on the control: p = "
        f"{p['source vs source (control)']:.2g} > 0.001",
        p["source vs source (control)"] > 0.001,
    )
    return Finding(lines, claims)
