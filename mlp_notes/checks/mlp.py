"""Checks for §4.1-4.3: activations, parameter counts, initialization."""

from __future__ import annotations

import math

import torch
from torch.overrides import TorchFunctionMode

from mlp_notes import activations, models
from mlp_notes.checks.verdict import (
    WrongAnswerError,
    as_tensor,
    call,
    judge,
    max_error,
    rng,
)

# float32's rounding: a learner's torch.where(x > 0, 1.0, alpha) is float32
TOL = 1e-6


def check_4_1_prelu_derivative(fn):
    """Exercise 4.1.1.  ``fn(x, alpha)``: x a float64 tensor, alpha a
    float; returns pReLU'(x) elementwise (a tensor of x's shape).
    Compared at points away from the kink at 0 (where no derivative
    exists unless alpha = 1), for several alphas."""

    def body():
        x = torch.randn(2000, generator=rng(41), dtype=torch.float64) * 3
        x = x[x.abs() > 1e-3]  # not at the kink
        worst = 0.0
        for alpha in (0.1, 0.25, -0.5, 2.0):
            got = as_tensor(call(fn, x.clone(), alpha), x.shape, "pReLU'(x)")
            want = activations.prelu_grad(x, alpha)
            neg, pos = x < 0, x > 0
            if max_error(got[pos], want[pos]) > TOL:
                raise WrongAnswerError(
                    f"for x > 0 (alpha = {alpha}) the derivative is off by "
                    f"up to {max_error(got[pos], want[pos]):.3g}: there pReLU "
                    "is x itself"
                )
            if max_error(got[neg], want[neg]) > TOL:
                hint = "check the slope of pReLU for x < 0"
                if max_error(got[neg], torch.zeros_like(got[neg])) < 1e-12:
                    hint = "0 for x < 0 is ReLU's derivative, not pReLU's"
                elif max_error(got[neg], alpha * x[neg]) < TOL:
                    hint = "alpha * x is pReLU itself, not its derivative"
                raise WrongAnswerError(
                    f"wrong for x < 0 (alpha = {alpha}): {hint}"
                )
            worst = max(worst, max_error(got, want))
        return (
            f"matches on {len(x)} random points away from 0 for alpha in "
            f"(0.1, 0.25, -0.5, 2.0), max error {worst:.1e}"
        )

    return judge("4.1 exercise 1 (pReLU derivative)", body)


def check_4_1_tanh_identity(fn):
    """Exercise 4.1.3.  ``fn(x)``: tanh(x) + 1 written with the sigmoid
    (``torch.sigmoid`` required, any tanh refused), float64 in and out.
    A numerical check at random points supports the identity; the proof
    is the algebra (the workbook's self-check lists it)."""

    def body():
        x = torch.randn(1000, generator=rng(43), dtype=torch.float64) * 4
        with _Watch() as watch:
            got = call(fn, x.clone())
        if watch.tanh:
            raise WrongAnswerError(
                "your expression calls tanh: write it with the sigmoid only"
            )
        got = as_tensor(got, x.shape, "your expression")
        err = max_error(got, torch.tanh(x) + 1)
        if err > 1e-12:
            hint = "compare the sigmoid's argument and the factor in front"
            if max_error(got, 2 * torch.sigmoid(x)) < 1e-12:
                hint = "2 sigmoid(x) has the wrong argument: try 2x"
            elif max_error(got, torch.sigmoid(2 * x)) < 1e-12:
                hint = "sigmoid(2x) lies in (0, 1); tanh(x) + 1 in (0, 2)"
            raise WrongAnswerError(
                f"differs from tanh(x) + 1 by up to {err:.3g}: {hint}"
            )
        if not watch.sigmoid:
            raise WrongAnswerError(
                "the values are right, but the exercise asks for tanh in "
                "terms of the sigmoid: use torch.sigmoid"
            )
        return (
            f"equals tanh(x) + 1 at 1000 random points to {err:.1e}; "
            "a numerical check supports the identity, the algebra proves it"
        )

    return judge("4.1 exercise 3 (tanh and sigmoid)", body)


class _Watch(TorchFunctionMode):
    """Notes which of tanh and the sigmoid the learner's code calls."""

    TANH = {torch.tanh, torch.Tensor.tanh, torch.nn.functional.tanh}
    SIGMOID = {
        torch.sigmoid,
        torch.Tensor.sigmoid,
        torch.nn.functional.sigmoid,
        torch.special.expit,
    }

    def __init__(self):
        super().__init__()
        self.tanh = self.sigmoid = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.tanh |= func in self.TANH
        self.sigmoid |= func in self.SIGMOID
        return func(*args, **(kwargs or {}))


def check_4_2_parameter_count(fn):
    """Exercise 4.2.1 (its cost side).  ``fn(hiddens)``: hiddens a tuple
    of hidden widths; returns the number of parameters (weights and
    biases) of the 784-...-10 MLP: a whole number (an int, a NumPy
    integer or a 0-d tensor)."""

    def body():
        for hiddens in ((256,), (64,), (256, 256), (512, 128, 32)):
            got = call(fn, hiddens)
            sizes = (784, *hiddens, 10)
            want = models.num_parameters(models.mlp(hiddens))
            value = float(as_tensor(got, (), "the count"))
            if value != int(value):
                raise WrongAnswerError(f"{value} is not a whole number")
            got = int(value)
            if got != want:
                hint = "count every layer's weights and biases"
                if got == want - sum(sizes[1:]):
                    hint = "the biases are missing: one per output unit"
                elif got == want - (sizes[-2] * 10 + 10):
                    hint = "the output layer (to 10 classes) is missing"
                raise WrongAnswerError(f"for hiddens {hiddens}: {got}; {hint}")
        return "right for hiddens (256,), (64,), (256, 256), (512, 128, 32)"

    return judge("4.2 exercise 1 (parameter count)", body)


def check_4_3_xavier_bound(fn):
    """Exercise 4.3.3.  ``fn(fan_in, fan_out)``: the a of Xavier's
    uniform initialization U(-a, a), a float."""

    def body():
        for fan_in, fan_out in ((784, 256), (256, 10), (3, 5)):
            got = call(fn, fan_in, fan_out)
            got = float(as_tensor(got, (), "the bound"))
            want = math.sqrt(6 / (fan_in + fan_out))
            if abs(got - want) > 1e-6 * want:  # float32 answers pass
                hint = "Xavier sets the variance to 2 / (fan_in + fan_out)"
                if abs(got - math.sqrt(2 / (fan_in + fan_out))) < 1e-6:
                    hint = (
                        "that is Xavier's standard deviation; U(-a, a) has "
                        "variance a^2 / 3"
                    )
                raise WrongAnswerError(
                    f"for fans ({fan_in}, {fan_out}): {got:.6g}; {hint}"
                )
        return "right for fans (784, 256), (256, 10) and (3, 5)"

    return judge("4.3 exercise 3 (Xavier's uniform bound)", body)
