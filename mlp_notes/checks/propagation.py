"""Checks for §4.7-4.8: a gradient's shape, a hidden bias's gradient, the
memory training keeps, equal starts in softmax regression, a LARS step."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mlp_notes import footprint, models, optim
from mlp_notes.checks.compare import (
    RTOL,
    answer,
    close,
    error,
    note,
    shaped,
    step_scale,
    sum_error,
    whole,
)
from mlp_notes.checks.guard import exercise
from mlp_notes.checks.verdict import BlankAnswerError, kind, wrong


def _shape(answer, run) -> tuple:
    """A shape given as a tuple, list, torch.Size, array or tensor of
    whole numbers (read under the watch: an entry's ``__index__`` or
    ``__float__`` is the learner's code)."""
    if answer is None or answer is Ellipsis:
        raise BlankAnswerError
    if not issubclass(
        type(answer), tuple | list | np.ndarray | torch.Tensor
    ) or issubclass(type(answer), str):
        raise wrong(f"expected a tuple of ints, got {kind(answer)}")
    got = run.read(answer, "the shape")
    if got.values.dim() != 1:
        raise wrong("expected a flat tuple of ints")
    sizes = got.values.tolist()
    if any(s != int(s) or s < 0 for s in sizes):
        raise wrong("a shape holds whole numbers")
    return tuple(int(s) for s in sizes)


def _check_4_7_gradient_shape(answer, run):
    """Exercise 4.7.1.  ``answer``: the shape of the gradient of a scalar
    f with respect to X of shape (3, 5): a tuple (a list, a
    ``torch.Size`` are fine too)."""
    got = _shape(answer, run)
    if got == (3, 5):
        return "one partial derivative per entry of X, laid out like X"
    hint = "each entry of X gets one partial derivative"
    if got == (5, 3):
        hint = "that is X^T's shape: the gradient is laid out like X"
    elif got in ((15,), (1, 15), (15, 1)):
        hint = "15 numbers, yes, but arranged like X, not flattened"
    elif got in ((), (1,), (1, 1)):
        hint = "f is one number, but it has a partial derivative per entry"
    elif got in ((3,), (5,)):
        hint = "one partial derivative per entry of X, not per row or column"
    elif 1 in got and tuple(s for s in got if s != 1) == (3, 5):
        hint = "no extra dimensions: the gradient is laid out exactly like X"
    raise wrong(f"{got}: {hint}")


def _check_4_7_bias_gradient(fn, run):
    """Exercise 4.7.2.  With a hidden bias, z = X W1^T + b1 for a batch
    X.  ``fn(dJ_dz)``: given dJ/dz of shape (batch, h), return dJ/db1 of
    shape (h,).  dJ/dz comes from autograd on a random MLP with a
    cross-entropy loss (the mean over the batch), drawn until each row
    holds 0.1 % of some unit's sum (leaving a row out is then wrong)."""
    fn = run.function(fn)
    h, batch = run.integer(3, 7), run.integer(8, 14)
    for _ in range(1000):
        dz, want = _bias_problem(run, h, batch)
        share = dz.abs() / dz.abs().sum(0).clamp_min(1e-300)
        if bool((share.max(1).values > 1e-3).all()):
            break
    else:
        raise RuntimeError("no bias problem found in 1000 draws")
    got = run.call(fn, dz.clone(), what="dJ/db1")
    shape = tuple(got.values.shape)
    if shape in ((batch,), (batch, 1), (1, batch)):
        raise wrong(
            "one number per example: b1 has one entry per hidden unit "
            "(add up over the examples, the rows)"
        )
    if shape == (batch, h):
        raise wrong("dJ/dz has one row per example; b1 is one vector")
    v = shaped(got, (h,), "dJ/db1")
    err = sum_error(v, want, dz)  # each unit against its own sum's size
    if err > RTOL:
        hint = "b1 is added to every example's z: add up their shares"
        if sum_error(v, want / batch, dz / batch) <= RTOL:
            hint = "J's 1/n is already inside dJ/dz: sum, not mean"
        elif sum_error(v, dz[0], dz[:1]) <= RTOL:
            hint = "that is one example's share; b1 is used by every row"
        raise wrong(f"off by up to {err:.3g} (relative): {hint}")
    return f"equals autograd's dJ/db1 (error {err:.1e}){note(got, err)}"


def _bias_problem(run, h: int, batch: int):
    """dJ/dz and dJ/db1 of a random MLP, one hidden unit's gradient small."""
    X, W1 = run.normal(batch, 6), run.normal(h, 6)
    b1, W2 = run.normal(h).requires_grad_(True), run.normal(3, h)
    W2[:, run.integer(0, h - 1)] *= 1e-3  # one unit with a small gradient
    y = torch.randint(0, 3, (batch,), generator=run.rng)
    z = X @ W1.T + b1  # (batch, h)
    z.retain_grad()
    F.cross_entropy(torch.relu(z) @ W2.T, y).backward()
    return z.grad.detach(), b1.grad.detach()


def _check_4_7_training_memory(fn, run):
    """Exercise 4.7.3.  ``fn(batch, hiddens)``: the bytes training keeps
    for the backward pass of ``models.mlp(hiddens)`` (float32 inputs of
    784 pixels, 10 classes, int64 labels) on a batch, beyond the
    parameters: an int.  Compared with what autograd saves (to 64 bytes
    of bookkeeping), for five random batches and networks of each depth
    from 1 to 5 hidden layers."""
    fn = run.function(fn)
    for depth in (1, 5, 2, 4, 3):
        batch = run.integer(4, 128)
        hiddens = tuple(run.integer(16, 512) for _ in range(depth))
        got = run.call(fn, batch, hiddens, what="the count")
        value = float(shaped(got, (), "the count"))
        saved = _saved(run, batch, hiddens)
        if not 0 <= saved - value <= 64:
            hint = _memory_hint(run, fn, value, batch, hiddens, saved)
            raise wrong(
                f"for one of the random batches and networks ({depth} hidden "
                f"layer(s)): off by {abs(value - saved) / saved:.1%} from "
                f"what autograd keeps; {hint}"
            )
        whole(got, "the count")
    return (
        "within 64 bytes of what autograd keeps, for five random batches "
        "and networks of 1 to 5 hidden layers"
    )


def _saved(run, batch: int, hiddens: tuple) -> int:
    """What autograd keeps, measured (float32, whatever the default)."""
    net = models.mlp(hiddens, generator=run.rng).to(torch.float32)
    X = torch.rand(batch, 1, 28, 28, generator=run.rng, dtype=torch.float32)
    y = torch.randint(0, 10, (batch,), generator=run.rng)
    loss = footprint.classification_loss(net, X, y)
    return footprint.saved_for_backward(loss, net.parameters())["activations"]


def _memory_hint(run, fn, got, batch, hiddens, saved) -> str:
    def count(*args):
        return float(shaped(run.call(fn, *args, what="it"), (), "it"))

    params = models.num_parameters(models.mlp(hiddens))
    if got in (4 * params, 8 * params, 12 * params, 16 * params):
        return (
            "that is the parameters (or their gradients and optimizer "
            "state); the question is what the forward pass keeps for "
            "the backward pass"
        )
    if count(2 * batch, hiddens) == got:
        return (
            "your count does not grow with the batch: training keeps "
            "every example's input and hidden activations"
        )
    if count(batch, (*hiddens, hiddens[-1])) == got:
        return (
            "your count does not grow with depth: every hidden layer's "
            "activations are kept"
        )
    for factor, hint in (
        (1024, "the answer is in bytes, not KiB"),
        (2**20, "the answer is in bytes, not MiB"),
        (4, "that counts numbers; the answer is in bytes"),
        (1 / 8, "the answer is in bytes, not bits"),
        (0.5, "float32 numbers take 4 bytes each, not 8"),
    ):
        if abs(got * factor - saved) <= 0.02 * saved:
            return hint
    return "count what the backward equations read"


def _boolean(answer) -> bool:
    """True or False, given as a bool, a NumPy bool or a one-element
    bool array or tensor."""
    if answer is None or answer is Ellipsis:
        raise BlankAnswerError
    tp = type(answer)
    if issubclass(tp, bool | np.bool_):
        return bool(answer)
    if issubclass(tp, torch.Tensor) and answer.dtype == torch.bool:
        if answer.numel() == 1:
            return bool(answer.reshape(-1)[0])
    if issubclass(tp, np.ndarray) and answer.dtype == np.dtype(bool):
        if answer.size == 1:
            return bool(answer.reshape(-1)[0])
    raise wrong(f"expected True or False, got {kind(answer)}")


def _check_4_8_equal_start(answer, run):
    """Exercise 4.8.2.  ``answer``: True if starting softmax regression
    with every weight equal keeps its rows equal under gradient descent
    (a symmetry that training cannot break), else False: a bool."""
    answer = _boolean(answer)
    X = run.normal(32, 5)
    y = torch.randint(0, 3, (32,), generator=run.rng)
    W = torch.full((3, 5), 0.1, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(X @ W.T, y).backward()
    spread = float(W.grad.std(0).max())  # rows of the gradient differ
    if bool(answer):
        raise wrong(
            "no hidden units, nothing to be interchangeable: each row's "
            "gradient is the mean of (p_k - [y = k]) x, which differs "
            f"by class (spread {spread:.2f} on random data)"
        )
    return f"the gradient's rows differ at once (spread {spread:.2f})"


def _check_4_8_lars_step(fn, run):
    """Exercise 4.8.4.  ``fn(w, grad, lr, eta)``: one LARS step (no
    weight decay, no momentum) for one layer's weights w; the new w.
    Random w, a gradient of about w's size (where a decay of 5e-4 shows),
    random eta and lr up to 0.8 (a step without lr is 20 % off or more),
    compared with the step's size (plus float32's rounding of w), not w's:
    the step, 0.6 % to 4 % of w, would hide a few percent's error."""
    fn = run.function(fn)
    # weights away from mean 0 (as trained weights can be), so that a
    # ratio of standard deviations is not the ratio of norms
    w = run.normal(run.integer(3, 10), run.integer(3, 10))
    w = w + run.uniform(0.5, 1.5)
    grad = run.normal(*w.shape) * run.uniform(0.3, 1.5)
    lr, eta = run.uniform(0.3, 0.8), run.uniform(0.02, 0.05)
    got, v = answer(
        run, fn, (w.clone(), grad.clone(), lr, eta), "new w", w.shape
    )
    want = w - lr * eta * w.norm() / grad.norm() * grad  # optim.LARS's
    scale = step_scale(w, want)  # the step is 0.6 % to 4 % of w
    if not close(v, want, scale):
        raise wrong(
            f"off by up to {error(v, want, scale):.3g} (relative to the "
            "step): "
            f"{_lars_hint(v, w, grad, lr, eta)}"
        )
    err = error(v, want, scale)
    return (
        f"matches LARS's step on a random gradient (error {err:.1e})"
        f"{note(got, err)}"
    )


def _lars_hint(v, w, grad, lr, eta) -> str:
    wn, gn = w.norm(), grad.norm()
    for value, hint in (
        (w - lr * grad, "that is plain SGD: LARS rescales the step"),
        (
            w - lr * eta * gn / wn * grad,
            "the ratio of norms is upside down",
        ),
        (w - lr * wn / gn * grad, "the trust coefficient eta is missing"),
        (w - eta * wn / gn * grad, "the learning rate lr is missing"),
        (
            w - lr * eta * w.abs() / grad.abs() * grad,
            "LARS uses the norms of the whole layer, not entry by entry",
        ),
        (w - lr * eta * grad / gn, "the step is a fraction of ||w||"),
        (-lr * eta * wn / gn * grad, "that is the step; return the new w"),
        (
            w + lr * eta * wn / gn * grad,
            "that step goes up the gradient: subtract it",
        ),
    ):
        if close(v, value, step_scale(w, value)):
            return hint
    return "LARS's step is a fixed fraction of ||w||, whatever ||grad||"


# The checks: each body through the one wrapper (guard.exercise).  The
# bodies stay undecorated, so that mutation testing reaches them.
check_4_7_gradient_shape = exercise("4.7 exercise 1 (the gradient's shape)")(
    _check_4_7_gradient_shape
)
check_4_7_bias_gradient = exercise(
    "4.7 exercise 2 (a bias in the hidden layer)"
)(_check_4_7_bias_gradient)
check_4_7_training_memory = exercise(
    "4.7 exercise 3 (memory for training)",
    {
        "footprint.activation_count": footprint.activation_count,
        "footprint.saved_for_backward": footprint.saved_for_backward,
        "footprint.memory_by_depth": footprint.memory_by_depth,
        "footprint.memory_claims": footprint.memory_claims,
    },
)(_check_4_7_training_memory)
check_4_8_equal_start = exercise(
    "4.8 exercise 2 (equal weights, softmax regression)"
)(_check_4_8_equal_start)
check_4_8_lars_step = exercise(
    "4.8 exercise 4 (a LARS step)", {"optim.LARS": optim.LARS}
)(_check_4_8_lars_step)
