"""Torch's thread-local switches that a learner's call can leave changed
in the check's worker thread (without ``with``), where the check goes on
computing: function and dispatch modes, grad mode, autocast and
inference mode.  ``taken()`` before the call; ``put_back(before)`` after
it restores grad mode and autocast and pops the modes pushed since, and
says whether anything that changes what the check computes was left on
(a mode, inference mode, a dispatch key included or excluded), which
the check refuses.

A function that turned grad mode off and returned made the memory check
measure nothing saved for backward, and an answer of 0 bytes passed; a
right formula behind ``torch.set_grad_enabled(False)`` failed."""

from __future__ import annotations

import torch

# Taken when the checks are imported (a learner's cell that replaces
# them later changes nothing here).  Grad mode is set through torch's C
# function: ``torch.set_grad_enabled`` looks it up when called.
_grad_on, _set_grad = torch.is_grad_enabled, torch._C._set_grad_enabled
_inference_on = torch.is_inference_mode_enabled
_function_modes = torch._C._len_torch_function_stack
_dispatch_modes = torch._C._len_torch_dispatch_stack
_pop_function = torch._C._pop_torch_function_stack
_pop_dispatch = torch._C._pop_torch_dispatch_stack
#: Devices whose autocast switch is read and put back
DEVICES = ("cpu", "cuda")


def autocast_of(
    device: str, modern: bool = hasattr(torch, "get_autocast_dtype")
) -> tuple:
    """((is on, set on, dtype, set dtype), the arguments they take
    first) for ``device``'s autocast: torch 2.4 takes the device; 2.2 and
    2.3 have a function per device.  Plain tuples of torch's functions:
    nothing here can be changed in place."""
    if modern:
        return (
            torch.is_autocast_enabled,
            torch.set_autocast_enabled,
            torch.get_autocast_dtype,
            torch.set_autocast_dtype,
        ), (device,)
    if device == "cpu":
        return (
            torch.is_autocast_cpu_enabled,
            torch.set_autocast_cpu_enabled,
            torch.get_autocast_cpu_dtype,
            torch.set_autocast_cpu_dtype,
        ), ()
    return (
        torch.is_autocast_enabled,
        torch.set_autocast_enabled,
        torch.get_autocast_gpu_dtype,
        torch.set_autocast_gpu_dtype,
    ), ()


_AUTOCAST = tuple(autocast_of(d) for d in DEVICES)
_included = torch._C._dispatch_tls_local_include_set
_excluded = torch._C._dispatch_tls_local_exclude_set


def taken() -> tuple:
    """The switches as they are now, in this thread."""
    return (
        _function_modes(),
        _dispatch_modes(),
        _grad_on(),
        _inference_on(),
        tuple((on(*a), dtype(*a)) for (on, _, dtype, _), a in _AUTOCAST),
        (_included(), _excluded()),
    )


def put_back(before: tuple) -> bool:
    """Pop the torch function and dispatch modes pushed since ``before``
    (``taken()``) and put grad mode and autocast back as they were;
    whether a mode, inference mode or a dispatch key guard was left on."""
    functions, dispatches, grad, inference, autocast, keys = before
    left = False
    while _function_modes() > functions:
        _pop_function()
        left = True
    while _dispatch_modes() > dispatches:
        _pop_dispatch()
        left = True
    left |= _inference_on() and not inference
    _set_grad(grad)
    for ((_, set_on, _, set_dtype), a), (on, dtype) in zip(
        _AUTOCAST, autocast
    ):
        set_on(*a, on)
        set_dtype(*a, dtype)
    # a dispatch key included or excluded and left (autograd's, which
    # the memory check measures through), after autocast's are put back
    return left or (_included(), _excluded()) != keys
