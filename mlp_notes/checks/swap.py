r"""The tanh check's instruments, ``TorchFunctionMode``\ s active while the
learner's function runs:

* ``TanhWatch``: notes the torch routes to tanh that go through torch
  functions (``torch.tanh``, ``Tensor.tanh``, ``tanh_``, ``F.tanh``,
  ``nn.Tanh``, ``torch.ops.aten.tanh``); with torch's function modes
  switched off, a route passes it by, and the swap below still fails it.
* ``SigmoidSwap``: replaces the sigmoid (in every torch route) by another
  S-shaped function with the sigmoid's symmetry s(-z) = 1 - s(z) (one of
  ``SWAPS``).  An expression *built from* the sigmoid follows the swap;
  one that only computes the same numbers another way (tanh by any
  route, its exp formula, a lookup) does not.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import torch
from torch.overrides import TorchFunctionMode


class TanhWatch(TorchFunctionMode):
    """Notes whether the learner's code reaches tanh through torch."""

    def __init__(self):
        super().__init__()
        self.tanh = False

    # torch calls this, so the checks allow it by its code object
    # (guard._callbacks): mutmut's trampoline would put other code here
    def __torch_function__(
        self, func, types=(), args=(), kwargs=None
    ):  # pragma: no mutate block
        name = getattr(func, "__name__", "")
        if name.split(".")[0] in ("tanh", "tanh_"):
            self.tanh = True
        return func(*args, **(kwargs or {}))


def cauchy(z: torch.Tensor) -> torch.Tensor:
    """A swapped-in sigmoid: 1/2 + atan(z)/pi, with s(-z) = 1 - s(z)."""
    return 0.5 + torch.atan(z) / math.pi


def normal_cdf(z: torch.Tensor) -> torch.Tensor:
    """Another: the standard normal CDF."""
    return 0.5 * (1 + torch.erf(z / math.sqrt(2)))


def softsign(z: torch.Tensor) -> torch.Tensor:
    """Another: (1 + z / (1 + |z|)) / 2."""
    return 0.5 * (1 + z / (1 + z.abs()))


SWAPS = (cauchy, normal_cdf, softsign)


def _swap_codes() -> dict:
    """The code each swap puts into ``activations.sigmoid`` (its globals,
    torch and math, resolve in that module).  Nested, so that they stay
    plain code objects without free variables."""

    def cauchy_sigmoid(x):
        return 0.5 + torch.atan(x) / math.pi

    def normal_sigmoid(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2)))

    def softsign_sigmoid(x):
        return 0.5 * (1 + x / (1 + x.abs()))

    return MappingProxyType(
        {
            cauchy: cauchy_sigmoid.__code__,
            normal_cdf: normal_sigmoid.__code__,
            softsign: softsign_sigmoid.__code__,
        }
    )


SWAP_CODES = _swap_codes()


_SIGMOID_NAMES = frozenset(
    {
        "sigmoid",
        "sigmoid_",
        "special_expit",
        "expit",
        "logsigmoid",
        "log_sigmoid",
    }
)


class SigmoidSwap(TanhWatch):
    """Computes ``swap`` (one of ``SWAPS``) wherever the learner's code
    asks torch for the sigmoid (``logsigmoid`` becomes its log); notes
    tanh as ``TanhWatch`` does."""

    def __init__(self, swap=cauchy):
        super().__init__()
        self.swap = swap

    # torch calls this, so the checks allow it by its code object
    # (guard._callbacks): mutmut's trampoline would put other code here
    def __torch_function__(
        self, func, types=(), args=(), kwargs=None
    ):  # pragma: no mutate block
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "").split(".")[0]
        if name in ("tanh", "tanh_"):
            self.tanh = True
        if name in _SIGMOID_NAMES:
            x = args[0] if args else kwargs.get("input")
            if not isinstance(x, torch.Tensor):
                return func(*args, **kwargs)
            s = self.swap(x)
            if name in ("logsigmoid", "log_sigmoid"):
                s = torch.log(s)
            if name == "sigmoid_":
                return x.copy_(s)
            out = kwargs.get("out")
            return out.copy_(s) if isinstance(out, torch.Tensor) else s
        return func(*args, **kwargs)
