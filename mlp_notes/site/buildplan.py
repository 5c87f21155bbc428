"""The run plan of a profile's build: every cached call, with its cost.

``benchmarks/plans/<profile>.json`` holds the calls the last recorded
build made (function, arguments as plain JSON: ``runs.plans``) with each
call's cost in machine-independent *reference steps*: each fit reports its
workload ("sgd/backprop", "adamw/autograd/mixed", ...) and its seconds,
and dividing by the seconds of one step of that workload's reference
model on the same machine (``runs.costs``) gives the run's size.  On
another machine, the seconds of each reference step there times these
sizes give the estimate (``site.monitor``).  Time outside fits counts as
autograd SGD steps; the rest of the build (page code, rendering) is
``rest_units``; ``pages`` holds each page's seconds in the recorded build
(the notebooks state them as each profile's cost).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from mlp_notes.runs import plans

PLANS = Path(__file__).resolve().parents[2] / "benchmarks" / "plans"


def call_key(name: str, kwargs: dict) -> tuple[str, str]:
    """A cached call as (function name, its arguments as plain JSON)."""
    return name, plans.args_key(kwargs)


@dataclass
class Call:
    """One cached call of a build and its cost in reference steps."""

    name: str
    args: str
    units: dict[str, float] | None = None  # None: never measured


@dataclass
class Plan:
    """The runs of one profile's build, as a recorded build made them."""

    profile: str
    calls: list[Call]
    rest_units: float = 0.0
    recorded: str = ""
    machine: dict = field(default_factory=dict)
    pages: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, profile: str, directory: Path = PLANS) -> Plan | None:
        path = directory / f"{profile}.json"
        if not path.exists():
            return None
        raw = json.loads(path.read_text())
        raw["calls"] = [Call(**c) for c in raw["calls"]]
        return cls(**raw)

    def save(self, directory: Path = PLANS) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.profile}.json"
        path.write_text(json.dumps(dataclasses.asdict(self), indent=1) + "\n")
        return path


def is_cached(call: Call) -> bool:
    """Whether the run cache already answers ``call``."""
    return plans.is_cached(call.name, call.args)
