"""Torch's thread-local switches that a learner's call can leave changed
in the check's worker thread (without ``with``), where the check goes on
computing: function and dispatch modes, grad mode, autocast and
inference mode.  ``taken()`` before the call; ``put_back(before)`` after
it restores grad mode and autocast and pops the modes pushed since, and
says whether anything that changes what the check computes was left on
(a mode, inference mode), which the check refuses.

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
_autocast_on, _set_autocast = (
    torch.is_autocast_enabled,
    torch.set_autocast_enabled,
)
_autocast_dtype, _set_dtype = (
    torch.get_autocast_dtype,
    torch.set_autocast_dtype,
)
_function_modes = torch._C._len_torch_function_stack
_dispatch_modes = torch._C._len_torch_dispatch_stack
_pop_function = torch._C._pop_torch_function_stack
_pop_dispatch = torch._C._pop_torch_dispatch_stack
#: Devices whose autocast switch is read and put back
DEVICES = ("cpu", "cuda")


def taken() -> tuple:
    """The switches as they are now, in this thread."""
    return (
        _function_modes(),
        _dispatch_modes(),
        _grad_on(),
        _inference_on(),
        tuple((_autocast_on(d), _autocast_dtype(d)) for d in DEVICES),
    )


def put_back(before: tuple) -> bool:
    """Pop the torch function and dispatch modes pushed since ``before``
    (``taken()``) and put grad mode and autocast back as they were;
    whether a mode or inference mode was left on."""
    functions, dispatches, grad, inference, autocast = before
    left = False
    while _function_modes() > functions:
        _pop_function()
        left = True
    while _dispatch_modes() > dispatches:
        _pop_dispatch()
        left = True
    left |= _inference_on() and not inference
    _set_grad(grad)
    for device, (on, dtype) in zip(DEVICES, autocast):
        _set_autocast(device, on)
        _set_dtype(device, dtype)
    return left
