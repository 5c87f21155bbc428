"""§4.9: when BBSE breaks: an ill-conditioned or singular confusion
matrix, a class absent from the target, a transposed matrix, and a
shift that is not a label shift."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mlp_notes.claims import Claims, Finding
from mlp_notes.data import LABELS, fashion_mnist_split
from mlp_notes.shift import covariate, label, sampling
from mlp_notes.studies.distribution_shift.label import Outputs

N = 8000  # target sample size of these checks
DRAWS = 20  # draws averaged where an error is compared


def _error(o: Outputs, probs_val, probs_target, q, *, transpose=False):
    """||q_hat - q|| (hard BBSE, the whole validation set)."""
    C = label.confusion_matrix(probs_val, o.y_val)
    C = C.T if transpose else C
    q_hat = label.bbse(C, label.predicted_mean(probs_target))
    return (q_hat - q).norm().item(), q_hat


def conditioning(o: Outputs) -> Finding:
    """Condition numbers, a target without trousers, and a classifier
    that never predicts "shirt"."""
    g = torch.Generator().manual_seed(5)
    claims, lines = Claims(), []
    for soft in (False, True):
        C = label.confusion_matrix(o.val, o.y_val, soft=soft)
        sums = (C.sum(0) - 1).abs().max().item()
        lines.append(
            f"{'soft' if soft else 'hard'} C on the validation set: condition "
            f"number {label.condition_number(C):.2f}, smallest diagonal entry "
            f"{C.diagonal().min():.3f} ({LABELS[C.diagonal().argmin()]})"
        )
        claims.add(f"columns sum to 1 (within {sums:.0e})", sums < 1e-12)
    q = torch.full((10,), 1 / 9, dtype=torch.float64)
    q[1] = 0.0  # no trousers in the target
    ti = sampling.label_shift_indices(o.y_test, q, N, generator=g)
    err, q_hat = _error(o, o.val, o.test[ti], q)
    claims.add(
        f"the absent class is estimated near 0: |{q_hat[1]:+.4f}| < 0.02",
        abs(q_hat[1].item()) < 0.02,
    )
    lines.append(
        f"target without trousers (n = {N}): q_hat[trouser] = "
        f"{q_hat[1]:+.4f}; after clipping at 0: "
        f"{label.project(q_hat)[1]:.4f}; error ||q_hat - q|| = {err:.4f}"
    )
    merged = o.val.clone(), o.test.clone()
    for P in merged:  # shirts predicted as t-shirts
        P[:, 0] += P[:, 6]
        P[:, 6] = 0
    q = sampling.dirichlet(1.0, 10, 1, generator=g)[0]
    ti = sampling.label_shift_indices(o.y_test, q, N, generator=g)
    C = label.confusion_matrix(merged[0], o.y_val)
    err_m, _ = _error(o, merged[0], merged[1][ti], q)
    err_o, _ = _error(o, o.val, o.test[ti], q)
    kappa = label.condition_number(C)
    lines.append(
        f"never predicting shirt: condition number {kappa}; error "
        f"{err_m:.4f} against {err_o:.4f} for the same draw with all classes"
    )
    claims.add(
        f"that C is singular (condition number {kappa})", kappa == float("inf")
    )
    return Finding(lines, claims)


def transposed(o: Outputs) -> Finding:
    """BBSE with C and with its transpose, over the same draws."""
    g = torch.Generator().manual_seed(6)
    errs = {"C": [], "C^T": []}
    for q in sampling.dirichlet(1.0, 10, DRAWS, generator=g):
        T = o.test[sampling.label_shift_indices(o.y_test, q, N, generator=g)]
        errs["C"].append(_error(o, o.val, T, q)[0])
        errs["C^T"].append(_error(o, o.val, T, q, transpose=True)[0])
    mean = {k: sum(v) / len(v) for k, v in errs.items()}
    lines = [
        f"mean ||q_hat - q|| over {DRAWS} Dirichlet(1) targets of {N}: "
        + ", ".join(f"{k} {v:.4f}" for k, v in mean.items())
    ]
    claims = Claims().add(
        f"the transpose is at least 3x worse: {mean['C^T']:.4f} > 3 x "
        f"{mean['C']:.4f}",
        mean["C^T"] > 3 * mean["C"],
    )
    return Finding(lines, claims)


def under_covariate_shift(o: Outputs, k: float) -> Finding:
    """BBSE at the population level, C and mu exact over the test images:
    a label shift and the brightness shift with the same label
    proportions q.  Under label shift C q = mu holds exactly; when p(x|y)
    moves, no sample size removes the error."""
    data = fashion_mnist_split(seed=0)
    shift = covariate.BrightnessShift.of_pool(data.X_train, k)
    keep = shift.keep_probability(data.X_test, "target").cpu()
    q = torch.zeros(10, dtype=torch.float64).index_add_(0, o.y_test, keep)
    q = q / q.sum()  # the brightness target's label proportions
    lines = [f"target label proportions q = {q.numpy().round(3)}"]
    claims = Claims()
    for soft in (False, True):
        C = label.confusion_matrix(o.test, o.y_test, soft=soft)
        out = o.test if soft else F.one_hot(o.test.argmax(1), 10).double()
        mu_cov = (keep[:, None] * out).sum(0) / keep.sum()
        err = {
            "label shift": (label.bbse(C, C @ q) - q).norm().item(),
            "brightness shift": (label.bbse(C, mu_cov) - q).norm().item(),
        }
        kind = "soft" if soft else "hard"
        lines.append(
            f"{kind}: ||q_hat - q|| "
            + ", ".join(f"{name} {e:.1e}" for name, e in err.items())
        )
        claims.add(
            f"{kind}: exact under label shift ({err['label shift']:.0e}), "
            f"off by {err['brightness shift']:.3f} > 0.01 when p(x|y) moves",
            err["label shift"] < 1e-12 and err["brightness shift"] > 0.01,
        )
    return Finding(lines, claims)
