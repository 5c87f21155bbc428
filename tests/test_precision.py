"""The precision decision: bfloat16 only where the hardware runs it fast."""

import pytest
import torch

from mlp_notes import hardware, precision
from mlp_notes.models import mlp
from mlp_notes.training import Recipe, fit


@pytest.fixture(autouse=True)
def fresh_decision(monkeypatch):
    """Each test decides anew, with no override in the environment."""
    monkeypatch.delenv(precision.PRECISION_VAR, raising=False)
    precision._decide.cache_clear()
    yield
    precision._decide.cache_clear()


def no_probe():
    raise AssertionError("the timed probe must not run without bf16 flags")


def test_cpu_flags_and_model_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n"
        "flags\t\t: fpu sse2 avx avx2 fma\n"
    )
    assert hardware.cpu_flags(info) == {"fpu", "sse2", "avx", "avx2", "fma"}
    assert hardware.cpu_model(info) == "AMD EPYC 7763 64-Core Processor"
    assert hardware.cpu_flags(tmp_path / "missing") == frozenset()


def test_machine_info_names_the_cpu_and_its_extensions():
    info = hardware.machine_info()
    assert info["cpu"] and info["threads"] >= 1
    assert set(info["cpu_flags"]) <= set(hardware.VECTOR_FLAGS)
    assert info["torch_cpu_capability"] in hardware.machine_label(info)


def test_cpu_without_bf16_units_trains_float32(monkeypatch):
    monkeypatch.setattr(precision, "cpu_flags", lambda: {"avx2", "fma"})
    monkeypatch.setattr(precision, "cpu_bf16_speedup", no_probe)
    assert not precision.mixed_precision_is_fast("cpu")
    assert precision.resolve(True, "cpu") == "float32"


@pytest.mark.parametrize("flag", sorted(precision.BF16_FLAGS))
def test_cpu_with_bf16_units_uses_bf16_when_the_probe_agrees(
    monkeypatch, flag
):
    monkeypatch.setattr(precision, "cpu_flags", lambda: {"avx2", flag})
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 2.0)
    assert precision.mixed_precision_is_fast("cpu")
    assert precision.resolve(True, "cpu") == "bfloat16"
    assert precision.resolve(False, "cpu") == "float32"  # not requested


def test_flags_without_a_faster_probe_train_float32(monkeypatch):
    monkeypatch.setattr(precision, "cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 1.05)
    assert precision.resolve(True, "cpu") == "float32"


def test_cuda_follows_bf16_support(monkeypatch):
    for supported, expected in ((True, "bfloat16"), (False, "float32")):
        precision._decide.cache_clear()
        monkeypatch.setattr(
            torch.cuda, "is_bf16_supported", lambda s=supported: s
        )
        assert precision.resolve(True, "cuda") == expected


def test_override_forces_float32_and_bad_values_fail(monkeypatch):
    monkeypatch.setattr(precision, "cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 5.0)
    monkeypatch.setenv(precision.PRECISION_VAR, "float32")
    assert precision.resolve(True, "cpu") == "float32"
    assert "forced" in precision.describe("cpu")
    monkeypatch.setenv(precision.PRECISION_VAR, "bf16")
    with pytest.raises(ValueError, match="auto"):
        precision.mixed_precision_is_fast("cpu")


def test_probe_measures_a_real_ratio():
    assert precision.cpu_bf16_speedup() > 0


def _history(small, mixed_precision):
    net = mlp((64,), generator=torch.Generator().manual_seed(0))
    recipe = Recipe(
        num_epochs=1, optimizer="adamw", mixed_precision=mixed_precision
    )
    return fit(net, small, recipe, generator=torch.Generator().manual_seed(0))


def test_fit_records_and_uses_the_decision(monkeypatch, small):
    # the decision patched both ways (on whatever device the data is)
    monkeypatch.setattr(precision, "mixed_precision_is_fast", lambda d: False)
    plain = _history(small, mixed_precision=False)
    refused = _history(small, mixed_precision=True)
    assert (refused.requested_precision, refused.precision) == (
        "bfloat16",
        "float32",
    )
    assert plain.requested_precision == plain.precision == "float32"
    # refused mixed precision is float32, bit for bit
    assert refused.train_loss == plain.train_loss
    monkeypatch.setattr(precision, "mixed_precision_is_fast", lambda d: True)
    granted = _history(small, mixed_precision=True)
    assert granted.precision == "bfloat16"
    assert granted.train_loss != plain.train_loss  # autocast really ran
