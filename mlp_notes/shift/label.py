"""Label shift: black-box shift estimation (BBSE, Lipton, Wang & Smola
2018) and the prior correction of a classifier's outputs.

Under label shift p(x | y) is the same in source and target; only the
label proportions move from p to q.  For any fixed classifier, the share
of target inputs it assigns to class i is then

    mu_i = sum_j P(yhat = i | y = j) q_j,   i.e.  mu = C q,

with D2L's orientation of the confusion matrix: rows are predicted
classes, columns true classes, each column a distribution (it sums to 1).
C is estimated on labelled source (validation) data, mu on the unlabelled
target sample, and q = C^{-1} mu.  The soft version replaces the
indicator of the predicted class by the predicted probability.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


@torch.no_grad()
def softmax_outputs(
    model: torch.nn.Module, X: torch.Tensor, batch_size: int = 4096
) -> torch.Tensor:
    """(n, k) predicted probabilities in float64, the model in eval mode
    (float64 keeps confident outputs apart: float32 rounds many to 1)."""
    was_training = model.training
    model.eval()
    out = torch.cat(
        [
            model(X[i : i + batch_size]).double().softmax(1)
            for i in range(0, len(X), batch_size)
        ]
    )
    model.train(was_training)
    return out


# --8<-- [start:confusion]
def confusion_matrix(
    probs: torch.Tensor, y: torch.Tensor, *, soft: bool = False
) -> torch.Tensor:
    """C[i, j]: the mean over examples of true class j of the indicator
    that class i is predicted (hard) or of its predicted probability
    (soft).  Rows predicted, columns true; each column sums to 1 (a
    column of a class without examples is NaN: 0 / 0).

    Args:
        probs: (n, k) predicted probabilities; y: (n,) true labels.
    """
    k = probs.shape[1]
    out = probs if soft else F.one_hot(probs.argmax(1), k).to(probs.dtype)
    Y = F.one_hot(y, k).to(probs.dtype)  # (n, k)
    return (out.T @ Y) / Y.sum(0)  # (k predicted, k true)


def predicted_mean(probs: torch.Tensor, *, soft: bool = False):
    """(k,) mu: the share of each predicted class (hard) or the mean
    predicted probability (soft) over a sample."""
    k = probs.shape[1]
    if soft:
        return probs.mean(0)
    return F.one_hot(probs.argmax(1), k).to(probs.dtype).mean(0)


# --8<-- [end:confusion]


# --8<-- [start:bbse]
def bbse(C: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """q with C q = mu: the target's label proportions.  Through the
    pseudo-inverse, so a singular C gives the minimum-norm least-squares
    solution instead of failing (q is then not identified)."""
    return torch.linalg.pinv(C) @ mu


def project(q: torch.Tensor) -> torch.Tensor:
    """Negative estimates set to 0, then renormalized to sum 1."""
    q = q.clamp(min=0)
    return q / q.sum()


def prior_correct(probs: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """p_t(y | x) proportional to w_y p_s(y | x), w = q / p: Bayes' rule
    with the new label proportions (p(x | y) unchanged)."""
    scaled = probs * w  # (n, k)
    return scaled / scaled.sum(1, keepdim=True)


# --8<-- [end:bbse]


def condition_number(C: torch.Tensor) -> float:
    """sigma_max / sigma_min of C (infinite when C is singular to working
    precision): how much C^{-1} can amplify errors in mu and C."""
    s = torch.linalg.svdvals(C)
    if s[-1] <= s[0] * len(s) * torch.finfo(s.dtype).eps:
        return float("inf")
    return (s[0] / s[-1]).item()


def weight_mse(w_hat: torch.Tensor, w: torch.Tensor) -> float:
    """Mean over classes of (w_hat_k - w_k)^2."""
    return ((w_hat - w) ** 2).mean().item()
