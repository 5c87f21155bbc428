"""What machine this is: the CPU's model and vector extensions, the GPU.

Timings mean little without the machine they ran on: the benchmark
results, the build's run plan and the pages' provenance record these.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

CPUINFO = Path("/proc/cpuinfo")
#: The vector extensions that set a training step's speed on a CPU.
VECTOR_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
)


def _cpuinfo_field(name: str, cpuinfo: Path) -> str | None:
    try:
        text = cpuinfo.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The CPU's feature flags (empty where ``/proc/cpuinfo`` is absent)."""
    return frozenset((_cpuinfo_field("flags", cpuinfo) or "").split())


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU's model name (``platform`` gives only the architecture)."""
    return _cpuinfo_field("model name", cpuinfo) or (
        platform.processor() or platform.machine()
    )


def machine_info() -> dict:
    """The facts a stored timing needs: CPU model, its vector extensions
    (from ``VECTOR_FLAGS``), cores, torch's threads and reported CPU
    capability, and the GPU if there is one."""
    flags = cpu_flags()
    return {
        "cpu": cpu_model(),
        "cpu_flags": [f for f in VECTOR_FLAGS if f in flags],
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "gpu": torch.cuda.get_device_name()
        if torch.cuda.is_available()
        else None,
    }


def machine_label(info: dict) -> str:
    """One line naming a machine from :func:`machine_info`'s record."""
    flags = ", ".join(info.get("cpu_flags") or []) or "no AVX2"
    gpu = f"; {info['gpu']}" if info.get("gpu") else ""
    return (
        f"{info['cpu']} ({flags}; torch {info['torch_cpu_capability']}), "
        f"{info['cores']} cores, {info['threads']} threads{gpu}"
    )
