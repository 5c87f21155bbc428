"""The runs of §4.9 (cached): a covariate shift of Fashion-MNIST corrected
by importance weights, and a concept shift met by fine-tuning.

The classifier whose outputs label-shift estimation and shift detection
read is the chapter's run (``runs.chapter``: D2L's 784-256-10 trained on
the training split), so that the page reuses it.
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from mlp_notes.data import Split, fashion_mnist_split
from mlp_notes.models import build
from mlp_notes.runs.cache import REPORT, cached
from mlp_notes.runs.chapter import (
    CHAPTER_NET,
    CHAPTER_RECIPE,
    chapter_config,
    rebuild,
    train_run,
)
from mlp_notes.shift import covariate, ratio, weighting
from mlp_notes.shift.concept import relabel
from mlp_notes.training import fit

DEPENDS = (
    "mlp_notes.training",
    "mlp_notes.models",
    "mlp_notes.data",
    "mlp_notes.shift",
)
#: Ridge penalties the domain classifier chooses from (held-out loss).
L2_GRID = (1e-4, 1e-3, 1e-2, 1e-1)
#: The concept shift: shirts (6) are sold as t-shirts (0) from now on.
CONCEPT = {6: 0}
SCRATCH_NET = CHAPTER_NET.replace(kind="scratch")


def brightness_samples(k: float, subset: int | None):
    """The shift of strength k, and the source sample (from the training
    split, its first ``subset`` images) and the unlabelled target sample
    (from the validation split), as indices; one fixed draw (seed 0)."""
    data = fashion_mnist_split(seed=0)
    shift = covariate.BrightnessShift.of_pool(data.X_train, k)
    g = torch.Generator().manual_seed(0)
    pool = data.X_train[:subset] if subset else data.X_train
    source = shift.select(pool, "source", generator=g)
    target = shift.select(data.X_val, "target", generator=g)
    return data, shift, source, target


def _logistic_loss(w, b, X, z) -> float:
    s = 2.0 * z.double() - 1
    return F.softplus(-s * (X.double() @ w + b)).mean().item()


# --8<-- [start:domain]
@cached(*DEPENDS)
def domain_classifier(*, k: float, subset: int | None = None) -> dict:
    """Logistic regression on pixels telling target (1) from source (0).

    Fitted on the first half of each sample for each ridge penalty of
    ``L2_GRID``; the penalty with the lowest loss on the second halves is
    kept.  The held-out halves' logits are returned for a two-sample
    test, and a control classifier is fitted between two halves of the
    source sample (no shift) and scored on two held-out quarters.
    """
    data, shift, src, tgt = brightness_samples(k, subset)
    Xs, Xt = data.X_train[src].flatten(1), data.X_val[tgt].flatten(1)
    hs, ht = len(Xs) // 2, len(Xt) // 2
    X, z = ratio.domain_data(Xs[:hs], Xt[:ht])
    Xh, zh = ratio.domain_data(Xs[hs:], Xt[ht:])
    fits = {l2: ratio.fit_logistic(X, z, l2=l2) for l2 in L2_GRID}
    held = {l2: _logistic_loss(*wb, Xh, zh) for l2, wb in fits.items()}
    l2 = min(held, key=held.get)
    w, b = fits[l2]
    q = hs // 2  # the control: source against source
    Xc, zc = ratio.domain_data(Xs[:q], Xs[q:hs])
    wc, bc = ratio.fit_logistic(Xc, zc, l2=l2)
    r = (len(Xs) - hs) // 2
    return {
        "l2": l2,
        "held_out_loss": held,
        "w": w.cpu(),
        "b": b.item(),
        "n_fit": (hs, ht),  # (source, target) sizes of the fit
        "held_source": (Xs[hs:].double() @ w + b).cpu(),
        "held_target": (Xt[ht:].double() @ w + b).cpu(),
        "control": (
            (Xs[hs : hs + r].double() @ wc + bc).cpu(),
            (Xs[hs + r : hs + 2 * r].double() @ wc + bc).cpu(),
        ),
    }


# --8<-- [end:domain]


def source_weights(
    kind: str, k: float, subset: int | None, clip: float | None = None
) -> torch.Tensor | None:
    """Mean-1 weights of the source sample: None ("none"), the exact
    ratio ("true") or the domain classifier's ("estimated"), clipped at
    ``clip`` times the mean weight if given."""
    if kind == "none":
        return None
    data, shift, src, _ = brightness_samples(k, subset)
    Xs = data.X_train[src]
    if kind == "true":
        log_beta = shift.log_ratio(Xs, data.X_train)
    else:
        fit_ = domain_classifier(k=k, subset=subset)
        w, b = fit_["w"].to(Xs.device), fit_["b"]
        logits = Xs.flatten(1).double() @ w + b
        log_beta = ratio.log_ratio(logits, *fit_["n_fit"])
    beta = weighting.normalize(log_beta.exp())
    if clip is not None:
        beta = weighting.normalize(weighting.clip_weights(beta, clip))
    return beta


class TargetAccuracy:
    """A ``fit`` callback: after each epoch, the accuracy the model would
    have on the source and on the target distribution, as exact
    expectations over the test images (each weighted by the probability
    that the distribution selects it)."""

    def __init__(self, model, data: Split, shift) -> None:
        self.model, self.data = model, data
        self.keep = {
            side: shift.keep_probability(data.X_test, side)
            for side in ("source", "target")
        }
        self.acc = {"source": [], "target": []}

    @torch.no_grad()
    def on_epoch(self, history) -> None:
        was = self.model.training
        self.model.eval()
        pred = self.model(self.data.X_test).argmax(1)
        right = (pred == self.data.y_test).double()
        for side, p in self.keep.items():
            self.acc[side].append(((p * right).sum() / p.sum()).item())
        self.model.train(was)


# --8<-- [start:corrected]
@cached(*DEPENDS)
def train_corrected(
    *,
    k: float,
    weights: str,
    clip: float | None = None,
    epochs: int = 10,
    subset: int | None = None,
    seed: int = 0,
) -> dict:
    """D2L's MLP and recipe trained on the source sample, each example's
    loss weighted by ``source_weights(weights, ...)``.

    Returns:
        dict with "history" and "source_acc", "target_acc": after each
        epoch, the accuracy on each distribution (``TargetAccuracy``).
    """
    data, shift, src, _ = brightness_samples(k, subset)
    w = source_weights(weights, k, subset, clip)
    split = dataclasses.replace(
        data,
        X_train=data.X_train[src],
        y_train=data.y_train[src],
        w_train=None if w is None else w.to(data.X_train.dtype),
    )
    g = torch.Generator().manual_seed(seed)
    model = build(CHAPTER_NET, generator=g)
    tracker = TargetAccuracy(model, split, shift)
    recipe = CHAPTER_RECIPE.replace(num_epochs=epochs)
    history = fit(
        model, split, recipe, generator=g, callbacks=(*REPORT, tracker)
    )
    return {
        "history": history,
        **{f"{s}_acc": a for s, a in tracker.acc.items()},
    }


# --8<-- [end:corrected]


# --8<-- [start:concept]
@cached(*DEPENDS)
def concept_update(
    *,
    base_epochs: int,
    recent: int,
    epochs: int,
    seed: int = 0,
) -> dict:
    """The chapter's model (old labels) fine-tuned for ``epochs`` epochs
    on ``recent`` validation images (chosen by ``seed``) labelled by
    ``CONCEPT``, and a fresh model trained on the same images.  Returns
    test accuracies under the new labels ("old model", "fine-tuned",
    "from scratch") and the old ("old model, old labels", ...)."""
    data = fashion_mnist_split(seed=0)
    base = train_run(**chapter_config(base_epochs, "scratch"), keep_model=True)
    g = torch.Generator().manual_seed(seed)
    new = recent_split(data, recent, g)  # new labels, test set relabelled
    recipe = CHAPTER_RECIPE.replace(num_epochs=epochs)
    old = rebuild(base, SCRATCH_NET).to(data.device)
    out = {
        "old model": _accuracy(old, new),
        "old model, old labels": _accuracy(old, data),
    }
    fit(old, new, recipe, generator=g, callbacks=REPORT)  # fine-tune it
    out["fine-tuned"] = _accuracy(old, new)
    out["fine-tuned, old labels"] = _accuracy(old, data)
    fresh = build(SCRATCH_NET, generator=torch.Generator().manual_seed(seed))
    fit(fresh, new, recipe, generator=g, callbacks=REPORT)
    out["from scratch"] = _accuracy(fresh, new)
    return out


# --8<-- [end:concept]


def recent_split(data: Split, recent: int, g: torch.Generator) -> Split:
    """``recent`` validation images (drawn by g) labelled by ``CONCEPT``
    as the training set; the test set relabelled; no validation set."""
    pick = torch.randperm(len(data.X_val), generator=g)[:recent]
    pick = pick.to(data.device)
    return dataclasses.replace(
        data,
        X_train=data.X_val[pick],
        y_train=relabel(data.y_val[pick], CONCEPT),
        X_val=data.X_val[:0],
        y_val=data.y_val[:0],
        y_test=relabel(data.y_test, CONCEPT),
    )


@torch.no_grad()
def _accuracy(model, data: Split) -> float:
    model.eval()
    pred = model(data.X_test).argmax(1)
    return (pred == data.y_test).double().mean().item()


def classifier(epochs: int) -> torch.nn.Module:
    """The chapter's scratch model after ``epochs`` epochs (the run
    ``runs.chapter`` caches for §4.2), in eval mode on the data's device."""
    run = train_run(**chapter_config(epochs, "scratch"), keep_model=True)
    device = fashion_mnist_split(seed=0).device
    return rebuild(run, SCRATCH_NET).to(device)
