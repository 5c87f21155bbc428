"""Checks for §4.1-4.3: activations, parameter counts, initialization."""

from __future__ import annotations

import torch

from mlp_notes import activations, initialization, models
from mlp_notes.checks.compare import answer, close, error, note, whole
from mlp_notes.checks.guard import exercise
from mlp_notes.checks.swap import SWAP_CODES, SWAPS, SigmoidSwap, TanhWatch
from mlp_notes.checks.verdict import wrong


def _check_4_1_prelu_derivative(fn, run):
    """Exercise 4.1.1.  ``fn(x, alpha)``: x a 1-D float64 tensor, alpha
    a float; returns pReLU'(x) elementwise (a tensor of x's shape).
    Compared at random points away from the kink at 0 (where no
    derivative exists unless alpha = 1), for three random alphas: one in
    (0, 1), one negative, one above 1."""
    fn = run.function(fn)
    x = run.normal(run.integer(200, 400)) * 3
    x = x[x.abs() > 1e-3]  # not at the kink
    alphas = {
        "in (0, 1)": run.uniform(0.05, 0.95),
        "negative": run.uniform(-0.9, -0.1),
        "above 1": run.uniform(1.5, 3.0),
    }
    worst, remark = 0.0, ""
    for which, alpha in alphas.items():
        got, v = answer(run, fn, (x.clone(), alpha), "pReLU'(x)", x.shape)
        want = activations.prelu_grad(x, alpha)
        scale = max(1.0, abs(alpha))
        pos, neg = x > 0, x < 0
        if not close(v[pos], want[pos], scale):
            hint = "there pReLU is x itself"
            if close(v[pos], torch.full_like(v[pos], alpha), scale):
                hint = "the two branches are swapped"
            elif close(v[pos], torch.zeros_like(v[pos]), scale) and close(
                v[neg], x[neg], scale
            ):
                hint = "that is the derivative with respect to alpha, not x"
            raise wrong(f"wrong for x > 0 (the alpha {which}): {hint}")
        if not close(v[neg], want[neg], scale):
            hint = _negative_hint(v, x, alpha, scale)
            raise wrong(f"wrong for x < 0 (the alpha {which}): {hint}")
        err = error(v, want, scale)
        worst, remark = max(worst, err), remark or note(got, err)
    return (
        f"matches at {len(x)} random points away from 0 for three random "
        f"alphas (in (0, 1), negative, above 1), max error {worst:.1e}"
        f"{remark}"
    )


def _negative_hint(v, x, alpha, scale: float) -> str:
    """The mistake behind a wrong value for x < 0, recognized with the
    verdict's own tolerance (``scale``: the reference's size)."""
    neg = x < 0
    if close(v[neg], torch.zeros_like(v[neg]), scale):
        return "0 for x < 0 is ReLU's derivative, not pReLU's"
    if close(v[neg], alpha * x[neg], scale):
        return "alpha * x is pReLU itself, not its derivative"
    if close(v[neg], x[neg], scale):
        return "that is the derivative with respect to alpha, not to x"
    if close(v[neg], torch.ones_like(v[neg]), scale):
        return "1 for x < 0 would make pReLU the identity there"
    return "check the slope of pReLU for x < 0"


def _check_4_1_tanh_identity(fn, run):
    """Exercise 4.1.3.  ``fn(x)``: tanh(x) + 1 written with torch's
    sigmoid (``torch.sigmoid``, ``x.sigmoid()``, ``F.sigmoid``,
    ``torch.special.expit``, ``nn.Sigmoid``; ``activations.sigmoid``
    too), x a 1-D float64 tensor.  Called eight times in a random order:
    four times as it is, compared with tanh(x) + 1 at random points, and
    four times with the sigmoid swapped for another S-shaped function
    with the same symmetry, which an expression built from the sigmoid
    follows and tanh by any route (torch, NumPy, math, its exp formula)
    does not.  A numerical check supports the identity; the algebra
    proves it."""
    fn = run.function(fn)
    n = run.integer(300, 600)
    kinds = [None] * 4 + [SWAPS[i % len(SWAPS)] for i in range(4)]
    order = torch.randperm(len(kinds), generator=run.rng).tolist()
    calls = [_tanh_call(run, fn, kinds[i], run.normal(n) * 4) for i in order]
    if run.tanh or any(mode.tanh for _, _, _, mode in calls):
        raise wrong("your expression calls tanh: write it with the sigmoid")
    worst, remark = 0.0, ""
    swapped = [c for c in calls if isinstance(c[3], SigmoidSwap)]
    for x, got, v, _ in [c for c in calls if type(c[3]) is TanhWatch]:
        want = torch.tanh(x) + 1
        if not close(v, want, 2.0):
            raise wrong(
                f"differs from tanh(x) + 1 by up to {error(v, want, 1.0):.3g}"
                f": {_tanh_hint(v, x)}"
            )
        err = error(v, want, 2.0)
        worst, remark = max(worst, err), remark or note(got, err)
    for x, _, v, mode in swapped:
        if not close(v, 2 * mode.swap(2 * x), 2.0):
            raise wrong(_swap_hint(close(v, torch.tanh(x) + 1, 2.0)))
    return (
        f"equals tanh(x) + 1 at 4 x {n} random points to {worst:.1e} and "
        f"is built from the sigmoid{remark}; a numerical check supports "
        "the identity, the algebra proves it"
    )


def _tanh_call(run, fn, swap, x):
    """One call: as it is (``swap`` None) or with the sigmoid swapped."""
    if swap is None:
        mode = TanhWatch()
    else:
        mode = SigmoidSwap(swap)
        activations.sigmoid.__code__ = SWAP_CODES[swap]  # undone after
    got, v = answer(run, fn, (x.clone(),), "your expression", x.shape, mode)
    return x, got, v, mode


def _swap_hint(values_right: bool) -> str:
    if values_right:
        return (
            "the values are right, but they do not come from the sigmoid: "
            "with the sigmoid swapped for another function your expression "
            "gave the same values.  tanh by any route (torch, NumPy, "
            "math), its exp formula or a sigmoid written out with exp are "
            "not what the exercise asks: use torch's sigmoid (a function "
            "compiled by TorchScript runs past the swap as well: check the "
            "plain Python function)"
        )
    return (
        "with the sigmoid swapped for another function your expression "
        "did not follow it: the identity the exercise asks for writes "
        "tanh(x) + 1 with one sigmoid (other algebra on sigmoid(x), or a "
        "nonlinear step besides the sigmoid, does not follow the swap)"
    )


def _tanh_hint(v, x) -> str:
    s = torch.sigmoid
    if close(v, 2 * s(x), 2.0):
        return "the factor in front is right; look at the sigmoid's argument"
    if close(v, s(2 * x), 2.0):
        return "the sigmoid lies in (0, 1), tanh(x) + 1 in (0, 2)"
    if close(v, 2 * s(2 * x) - 1, 2.0):
        return "that is tanh(x) itself: the exercise asks for tanh(x) + 1"
    if close(v, 2 * s(-2 * x), 2.0):
        return "check the sign of the sigmoid's argument"
    return "compare the sigmoid's argument and the factor in front"


def _check_4_2_parameter_count(fn, run):
    """Exercise 4.2.1 (its cost side).  ``fn(hiddens)``: hiddens a tuple
    of hidden widths; returns the number of parameters (weights and
    biases) of the 784-...-10 MLP: a whole number (an int, a NumPy
    integer, a 0-d tensor).  Four random architectures, 1 to 4 hidden
    layers of 1 to 1024 units."""
    fn = run.function(fn)
    cases = []
    for depth in (1, 2, 3, 4):
        hiddens = tuple(run.integer(1, 1024) for _ in range(depth))
        got = whole(run.call(fn, hiddens, what="the count"), "the count")
        cases.append((hiddens, got))
    for hiddens, got in cases:
        if got != models.num_parameters(models.mlp(hiddens)):
            raise wrong(
                f"for a network with {len(hiddens)} hidden layer(s): your "
                f"count is {got}; {_count_hint(cases)}"
            )
    return "right for four random architectures (1 to 4 hidden layers)"


def _count_hint(cases: list) -> str:
    """The hint for the mistake that gives every count in ``cases``
    ((hiddens, count) pairs): one architecture alone can match a
    mistake by coincidence."""

    def layers(h):
        return list(zip((784, *h, 10), (*h, 10)))

    def full(h):
        return sum(a * b + b for a, b in layers(h))

    for mistakes, hint in (
        (
            [lambda h: sum(a * b for a, b in layers(h))],
            "the biases are missing: one per output unit of each layer",
        ),
        (
            [lambda h: sum(a * b + a for a, b in layers(h))],
            "a layer has one bias per output unit, not per input",
        ),
        (
            [lambda h: full(h) - (h[-1] * 10 + 10)],
            "the output layer (to 10 classes) is missing",
        ),
        (
            [lambda h: full(h) - (784 * h[0] + h[0])],
            "the first layer (from the 784 pixels) is missing",
        ),
        (
            [
                lambda h: 784 + sum(h) + 10,
                lambda h: sum(h),
                lambda h: sum(h) + 10,
            ],
            "that counts units; count weights and biases",
        ),
    ):
        for mistake in mistakes:
            if all(got == mistake(h) for h, got in cases):
                return hint
    return "count every layer's weights and biases"


def _check_4_3_xavier_bound(fn, run):
    """Exercise 4.3.3 (its computable side).  ``fn(fan_in, fan_out)``:
    the a of Xavier's uniform initialization U(-a, a), a float.  Six
    random pairs of fans from 2 to 4096 (a fan of 1 makes some confusions
    equal, as 6 / (fan_in fan_out) and 6 / fan_out, and the hint would
    depend on the draw); in the first two, one fan small (17 to 64: below
    13, an answer of 1 could be a confusion's sqrt(k / fan)) and one large
    (3072 to 4096): a bound right for small fans only is always wrong."""
    fn = run.function(fn)
    worst, remark = 0.0, ""
    for i in range(6):
        fan_in, fan_out = run.integer(2, 4096), run.integer(2, 4096)
        if i < 2:
            small, large = run.integer(17, 64), run.integer(3072, 4096)
            fan_in, fan_out = (small, large) if i == 0 else (large, small)
        got, v = answer(run, fn, (fan_in, fan_out), "the bound", ())
        want = torch.tensor(6 / (fan_in + fan_out), dtype=torch.float64)
        want = want.sqrt()
        if not close(v, want, float(want)):
            raise wrong(
                "your bound is off for one of the random pairs of fans: "
                + _bound_hint(v, fan_in, fan_out)
            )
        err = error(v, want, float(want))
        worst, remark = max(worst, err), remark or note(got, err)
    return f"right for six random pairs of fans (error {worst:.1e}){remark}"


def _bound_hint(v, fan_in: int, fan_out: int) -> str:
    mean = (fan_in + fan_out) / 2
    for value, hint in (
        (
            (1 / mean) ** 0.5,
            "that is Xavier's standard deviation, not the bound a of "
            "U(-a, a): how does U(-a, a)'s variance depend on a?",
        ),
        (1 / mean, "that is Xavier's variance, not a bound"),
        (3 / mean, "that is a^2: the bound is a"),
        ((6 / fan_in) ** 0.5, "Xavier uses fan_in and fan_out, not fan_in"),
        ((6 / fan_out) ** 0.5, "Xavier uses fan_in and fan_out, not fan_out"),
        (fan_in**-0.5, "that is PyTorch's default bound for nn.Linear"),
    ):
        want = torch.tensor(value, dtype=torch.float64)
        if close(v, want, value):
            return hint
    return (
        "Xavier chooses the weights' variance from fan_in and fan_out: "
        "which bound a gives U(-a, a) that variance?"
    )


# The checks: each body through the one wrapper (guard.exercise).  The
# bodies stay undecorated, so that mutation testing reaches them.
check_4_1_prelu_derivative = exercise(
    "4.1 exercise 1 (pReLU derivative)",
    {"activations.prelu_grad": activations.prelu_grad},
)(_check_4_1_prelu_derivative)
check_4_1_tanh_identity = exercise(
    "4.1 exercise 3 (tanh and sigmoid)",
    {
        "activations.tanh": activations.tanh,
        "activations.tanh_grad": activations.tanh_grad,
        "activations.naive_tanh": activations.naive_tanh,
    },
)(_check_4_1_tanh_identity)
check_4_2_parameter_count = exercise(
    "4.2 exercise 1 (parameter count)",
    {
        "models.num_parameters": models.num_parameters,
        "models.mlp": models.mlp,
        "models.build": models.build,
        "models.MLPScratch": models.MLPScratch,
    },
)(_check_4_2_parameter_count)
check_4_3_xavier_bound = exercise(
    "4.3 exercise 3 (Xavier's uniform bound)",
    {
        "initialization.xavier_std": initialization.xavier_std,
        "initialization.xavier_uniform_": initialization.xavier_uniform_,
        "initialization.xavier_normal_": initialization.xavier_normal_,
        "models.initialize_": models.initialize_,
        "torch.nn.init.xavier_uniform_": torch.nn.init.xavier_uniform_,
        "torch.nn.init.xavier_normal_": torch.nn.init.xavier_normal_,
    },
)(_check_4_3_xavier_bound)
