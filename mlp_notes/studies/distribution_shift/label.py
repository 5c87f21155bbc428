"""§4.9 on Fashion-MNIST, label shift: BBSE with hard and soft confusion
matrices under Dirichlet shifts, and the prior correction it enables.

The classifier is the chapter's run; its confusion matrix is estimated
on n validation images and the target's predictions on n target images
drawn from the test set with Dirichlet(alpha) label proportions (as in
Alexandari et al. 2020, where n is both sizes).  Each draw's target
sample and validation sample are nested: the first n of the largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from mlp_notes import stats
from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.data import fashion_mnist_split
from mlp_notes.runs import shift as runs
from mlp_notes.shift import label, sampling
from mlp_notes.studies.distribution_shift.budget import Budget

#: Alexandari, Kundaje & Shrikumar (2020), MNIST, alpha = 1: mean
#: squared error of BBSE's class weights at n = 2000, 4000, 8000.
PUBLISHED_MNIST = {
    "hard": {2000: 0.00326, 4000: 0.00201, 8000: 0.00134},
    "soft": {2000: 0.00274, 4000: 0.00151, 8000: 0.00101},
}


@dataclass
class Outputs:
    """The classifier's softmax outputs (float64) and the labels."""

    val: torch.Tensor  # (10000, 10)
    test: torch.Tensor  # (10000, 10)
    y_val: torch.Tensor
    y_test: torch.Tensor
    p_train: torch.Tensor  # (10,) the training labels' proportions
    p_val: torch.Tensor  # (10,) the validation pool's

    @property
    def val_accuracy(self) -> float:
        return (self.val.argmax(1) == self.y_val).double().mean().item()


def outputs(b: Budget) -> Outputs:
    """The chapter run's outputs on the validation and test images, on
    the CPU (the label-shift draws index them many times)."""
    data = fashion_mnist_split(seed=0)
    model = runs.classifier(b.classifier_epochs)
    share = lambda y: torch.bincount(y, minlength=10).double() / len(y)  # noqa: E731
    return Outputs(
        label.softmax_outputs(model, data.X_val).cpu(),
        label.softmax_outputs(model, data.X_test).cpu(),
        data.y_val.cpu(),
        data.y_test.cpu(),
        share(data.y_train.cpu()),
        share(data.y_val.cpu()),
    )


def _draw(o: Outputs, q, n, g):
    """A validation sample and a target sample of n each (indices)."""
    v = torch.randperm(len(o.y_val), generator=g)[:n]
    return v, sampling.label_shift_indices(o.y_test, q, n, generator=g)


def bbse_sweep(o: Outputs, b: Budget) -> dict:
    """Squared weight errors {(alpha, kind, n): [per draw]} and the draws'
    accuracies at the largest n {(alpha, method): [per draw]}."""
    g = torch.Generator().manual_seed(4)
    err, acc, top = {}, {}, max(b.bbse_sizes)
    for alpha in b.alphas:
        for q in sampling.dirichlet(alpha, 10, b.bbse_draws, generator=g):
            vi, ti = _draw(o, q, top, g)
            for n in b.bbse_sizes:
                V, yv, T = o.val[vi[:n]], o.y_val[vi[:n]], o.test[ti[:n]]
                p_hat = torch.bincount(yv, minlength=10).double() / n
                for kind in ("hard", "soft"):
                    soft = kind == "soft"
                    C = label.confusion_matrix(V, yv, soft=soft)
                    q_hat = label.bbse(C, label.predicted_mean(T, soft=soft))
                    e = label.weight_mse(q_hat / p_hat, q / o.p_val)
                    err.setdefault((alpha, kind, n), []).append(e)
                    if n == top:
                        w = label.project(q_hat) / o.p_train
                        _score(acc, (alpha, kind), T, w, o.y_test[ti])
            _score(acc, (alpha, "none"), T, None, o.y_test[ti])
            _score(acc, (alpha, "true q"), T, q / o.p_train, o.y_test[ti])
    return {"err": err, "acc": acc}


def _score(acc: dict, key, probs, w, y) -> None:
    corrected = probs if w is None else label.prior_correct(probs, w)
    right = (corrected.argmax(1) == y).double().mean().item()
    acc.setdefault(key, []).append(right)


def mse_table(sweep: dict, b: Budget) -> Finding:
    """Mean squared weight error by alpha, kind and n; the published MNIST
    trend beside ours; the claims on how it falls with n."""
    err, claims = sweep["err"], Claims()
    mse = {key: sum(v) / len(v) for key, v in err.items()}
    ns = b.bbse_sizes
    lines = [f"{b.bbse_draws} draws per alpha; n = " + ", ".join(map(str, ns))]
    for alpha in b.alphas:
        for kind in ("hard", "soft"):
            row = [mse[alpha, kind, n] for n in ns]
            slope = _slope(ns, row)
            lines.append(
                f"alpha {alpha:>4}, {kind}: "
                + " ".join(f"{m:.5f}" for m in row)
                + f"  (log-log slope {slope:+.2f})"
            )
            falls = all(x > y for x, y in zip(row, row[1:]))
            claims.add(
                f"alpha {alpha}, {kind}: the MSE falls at every larger n, "
                f"slope {slope:+.2f} in [-1.5, -0.5]",
                falls and -1.5 <= slope <= -0.5,
            )
        _soft_vs_hard(claims, err, alpha, ns, b.decisive)
    for kind, pub in PUBLISHED_MNIST.items():
        ratios = [pub[n] / pub[2 * n] for n in (2000, 4000)]
        ours = [
            mse[1.0, kind, n] / mse[1.0, kind, 2 * n]
            for n in (2000, 4000)
            if {(1.0, kind, n), (1.0, kind, 2 * n)} <= mse.keys()
        ]
        lines.append(
            f"published MNIST, alpha 1, {kind}: "
            + " ".join(f"{v:.5f}" for v in pub.values())
            + "; MSE(n) / MSE(2n): "
            + ", ".join(f"{r:.2f}" for r in ratios)
            + (
                f" (ours: {', '.join(f'{r:.2f}' for r in ours)})"
                if ours
                else ""
            )
        )
        above = [mse[1.0, kind, n] > m for n, m in pub.items()
                 if (1.0, kind, n) in mse]  # fmt: skip
        claims.add(
            f"{kind}: ours above the published MNIST errors at the same n",
            bool(above) and all(above),
        )
    return Finding(lines, claims, {"mse": mse})


def _soft_vs_hard(claims: Claims, err: dict, alpha, ns, decisive) -> None:
    """Soft against hard BBSE at one alpha: the ratio of the errors summed
    over n and draws, and their difference paired by draw (both estimate
    from the same samples)."""
    soft, hard = (
        [sum(e) for e in zip(*(err[alpha, kind, n] for n in ns))]
        for kind in ("soft", "hard")
    )
    claims.add(
        f"alpha {alpha}: soft <= hard averaged over n and draws "
        f"(ratio {sum(soft) / sum(hard):.3f})",
        sum(soft) <= sum(hard),
    )
    claims.compare(
        stats.paired(soft, hard),
        f"soft's error summed over n (alpha {alpha})",
        "hard's, paired by draw",
        "<",
        enforce=decisive,
        words="is lower than",
    )


def _slope(ns, values) -> float:
    """Least-squares slope of log(values) against log(ns)."""
    x = torch.tensor([math.log(n) for n in ns], dtype=torch.float64)
    y = torch.tensor([math.log(v) for v in values], dtype=torch.float64)
    x = x - x.mean()
    return ((x * (y - y.mean())).sum() / (x * x).sum()).item()


def correction(sweep: dict, b: Budget) -> Finding:
    """Accuracy on each target sample of the largest n, before and after
    the prior correction (soft BBSE, hard BBSE, the true q), paired over
    the draws."""
    acc, claims = sweep["acc"], Claims()
    n = max(b.bbse_sizes)
    lines = [f"target samples of {n}; accuracy, mean over draws:"]
    for alpha in b.alphas:
        row = {m: acc[alpha, m] for m in ("none", "hard", "soft", "true q")}
        lines.append(
            f"alpha {alpha:>4}: "
            + ", ".join(f"{m} {sum(v) / len(v):.4f}" for m, v in row.items())
        )
        d = stats.paired(row["soft"], row["none"])
        a, z = f"soft BBSE correction (alpha {alpha})", "no correction"
        lines.append(f"  {a} - {z}: {d}")
        claims.compare(d, a, z, ">", enforce=b.decisive)
    gains = [
        sum(acc[a, "soft"]) / len(acc[a, "soft"])
        - sum(acc[a, "none"]) / len(acc[a, "none"])
        for a in sorted(b.alphas)
    ]
    claims.append(
        Claim(
            "the mean gain shrinks as alpha grows (the shift weakens): "
            + " > ".join(f"{x:+.4f}" for x in gains),
            all(x > y for x, y in zip(gains, gains[1:])),
            b.decisive,
        )
    )
    return Finding(lines, claims)


def mse_curves(table: Finding, b: Budget) -> dict:
    """{alpha: (xs, ys)} for ``plotting.curves``: hard and soft MSE by n,
    a 1/n guide through the first hard point, and at alpha = 1 the
    published MNIST soft numbers."""
    mse, ns, out = table.data["mse"], list(b.bbse_sizes), {}
    for alpha in b.alphas:
        ys = {k: [mse[alpha, k, n] for n in ns] for k in ("hard", "soft")}
        ys["1/n"] = [ys["hard"][0] * ns[0] / n for n in ns]
        xs = dict.fromkeys(ys, ns)
        if alpha == 1.0:
            pub = PUBLISHED_MNIST["soft"]
            xs["MNIST soft (published)"] = list(pub)
            ys["MNIST soft (published)"] = list(pub.values())
        out[alpha] = (xs, ys)
    return out
