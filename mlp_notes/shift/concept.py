"""Concept shift and feedback: when the labels' meaning, or the data a
model sees, changes because of the world or because of the model.

* ``relabel``: concept shift built from Fashion-MNIST: the same images,
  p(x) unchanged, but a class now carries another class's label (a shop
  that merges two categories): p(y | x) moves.
* ``ranking_feedback``: a ranker trained on its own clicks.  Users
  examine the top result more often than the second, so clicks depend on
  the ranking the model chose; counting clicks per impression rewards
  the incumbent, and dividing each click by the probability that its
  position was examined (inverse propensity weighting, the importance
  weights of covariate shift again) removes that bias.
"""

from __future__ import annotations

import torch

from mlp_notes.shift.sampling import uniform


def relabel(y: torch.Tensor, mapping: dict[int, int]) -> torch.Tensor:
    """A copy of y with each label ``a`` of ``mapping`` replaced by
    ``mapping[a]``."""
    out = y.clone()
    for a, b in mapping.items():
        out[y == a] = b
    return out


# --8<-- [start:feedback]
def ranking_feedback(
    relevance: tuple[float, float],
    examine: tuple[float, float],
    rounds: int,
    replications: int,
    *,
    ipw: bool,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Two results ranked by their estimated click rate, re-estimated
    after every user; ``relevance``: click probability of an examined
    result (0 is the better), ``examine``: examination probability of
    each position; ``ipw``: clicks / summed examination probabilities
    (unbiased) instead of clicks / impressions.  Returns (replications,
    rounds): the result on top; each starts with result 1 on top."""
    rel, exam = torch.tensor(relevance), torch.tensor(examine)
    clicks = torch.zeros(replications, 2)
    shown = torch.zeros(replications, 2)
    top = torch.ones(replications, dtype=torch.long)
    tops = torch.empty(replications, rounds, dtype=torch.long)
    u = uniform((rounds, replications, 2), generator=generator).float()
    for t in range(rounds):
        tops[:, t] = top
        for pos, result in enumerate((top, 1 - top)):  # (replications,)
            seen = exam[pos] if ipw else torch.tensor(1.0)
            hit = u[t, :, pos] < exam[pos] * rel[result]
            clicks.scatter_add_(1, result[:, None], hit.float()[:, None])
            shown.scatter_add_(1, result[:, None], seen.expand(len(top), 1))
        rate = clicks / shown
        top = torch.where(rate[:, 0] > rate[:, 1], 0, top)
        top = torch.where(rate[:, 1] > rate[:, 0], 1, top)
    return tops


# --8<-- [end:feedback]
