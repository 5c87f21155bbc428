"""Which precision a run trains in: bfloat16 only where it is fast.

A recipe may ask for mixed precision (the forward pass in bfloat16 under
``torch.autocast``; weights, gradients and updates stay float32).  That
pays only on hardware with bfloat16 units: a GPU that supports it, or a
CPU with AVX512-BF16 or AMX.  On a CPU without them, torch emulates
bfloat16 and a step runs many times *slower* than in float32 (about 10x
was measured on an AVX2 CPU).  :func:`mixed_precision_is_fast` decides,
once per process and device, and :func:`resolve` turns a requested
precision into the one used.

The decision for a CPU reads its feature flags (``/proc/cpuinfo``; torch's
reported capability says only AVX2 or AVX512) and confirms them with a
timed probe: a few training steps of an MLP in both precisions, in which
bfloat16 must beat float32.

``MLP_NOTES_PRECISION=float32`` forces float32 everywhere (for example to
measure, on a CPU with bfloat16 units, what a CPU without them would do);
``auto`` (the default) decides by the hardware.
"""

from __future__ import annotations

import functools
import os
import time

import torch

from mlp_notes.hardware import cpu_flags, cpu_model

PRECISION_VAR = "MLP_NOTES_PRECISION"
#: CPU feature flags (as Linux names them) of bfloat16 arithmetic units.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
#: bfloat16 must be at least this much faster in the probe to be used.
MIN_SPEEDUP = 1.2


def _step_seconds(dtype: torch.dtype | None, steps: int = 4) -> float:
    """Best time of one training step of a 784-1024-1024-10 MLP on 256
    images, with the forward pass under autocast to ``dtype`` (None:
    float32)."""
    g = torch.Generator().manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 1024),
        torch.nn.ReLU(),
        torch.nn.Linear(1024, 1024),
        torch.nn.ReLU(),
        torch.nn.Linear(1024, 10),
    )
    X = torch.rand(256, 784, generator=g)
    y = torch.randint(0, 10, (256,), generator=g)
    best = float("inf")
    for i in range(steps + 2):  # two warm-ups
        start = time.perf_counter()
        with torch.autocast("cpu", torch.bfloat16, enabled=dtype is not None):
            loss = torch.nn.functional.cross_entropy(net(X), y)
        loss.backward()
        if i >= 2:
            best = min(best, time.perf_counter() - start)
    return best


def cpu_bf16_speedup() -> float:
    """float32 step time over bfloat16 step time, measured here (>1: bf16
    is faster)."""
    return _step_seconds(None) / _step_seconds(torch.bfloat16)


def _override() -> str:
    value = os.environ.get(PRECISION_VAR, "auto").strip().lower() or "auto"
    if value not in ("auto", "float32"):
        raise ValueError(
            f"{PRECISION_VAR}={value!r}: use 'auto' (decide by the "
            "hardware) or 'float32' (never bfloat16)"
        )
    return value


@functools.cache
def _decide(device_type: str, override: str) -> bool:
    if override == "float32":
        return False
    if device_type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device_type != "cpu" or not cpu_flags() & BF16_FLAGS:
        return False  # no bfloat16 units: torch would emulate it, slowly
    return cpu_bf16_speedup() >= MIN_SPEEDUP  # the flags, confirmed


def mixed_precision_is_fast(device: torch.device | str) -> bool:
    """Whether bfloat16 autocast is worth using on ``device``.

    CUDA: when the GPU supports bfloat16.  CPU: when it has bfloat16
    units (``BF16_FLAGS``) *and* a timed probe finds bfloat16 steps at
    least ``MIN_SPEEDUP`` times faster than float32 ones.  Anything else,
    or ``MLP_NOTES_PRECISION=float32``: no.  Decided once per process.
    """
    return _decide(torch.device(device).type, _override())


def resolve(mixed_precision: bool, device: torch.device | str) -> str:
    """The precision a run trains in: "bfloat16" (mixed) only where it was
    requested and is fast on ``device``, else "float32"."""
    fast = mixed_precision and mixed_precision_is_fast(device)
    return "bfloat16" if fast else "float32"


def describe(device: torch.device | str) -> str:
    """One line for logs and pages: the device and its decision."""
    dev = torch.device(device)
    if dev.type == "cuda":
        name = torch.cuda.get_device_name(dev)
    else:
        flags = sorted(cpu_flags() & BF16_FLAGS) or ["no bfloat16 units"]
        name = f"{cpu_model()} ({', '.join(flags)})"
    verdict = "bfloat16" if mixed_precision_is_fast(dev) else "float32"
    forced = (
        " (forced by MLP_NOTES_PRECISION)" if _override() != "auto" else ""
    )
    return f"{name}: mixed precision trains in {verdict}{forced}"
