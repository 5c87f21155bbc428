"""The run plan of a profile's build: every cached call, with its cost.

``benchmarks/plans/<profile>.json`` holds the calls the last recorded
build made (function, arguments) with each call's cost in
machine-independent *reference steps*: each fit reports its workload
("sgd/backprop", "adamw/autograd/mixed", ...: ``training.workload``) and
its seconds, and dividing by the seconds of one step of that workload's
reference model on the same machine (``runs.costs``) gives the run's
size.  On another machine, the seconds of each reference step there times
these sizes give the estimate (``site.monitor``).  Time outside fits
(evaluation, non-fit runs) counts as autograd SGD steps; the rest of the
build (page code, rendering) is ``rest_units``.  ``pages`` holds the
seconds each page took to execute in the recorded build (with the runs
it trained): the notebooks state them as each profile's cost.
"""

from __future__ import annotations

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

    def seconds(self, per_unit: dict[str, float]) -> float:
        return sum(u * per_unit[w] for w, u in (self.units or {}).items())


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
        return cls(
            profile=raw["profile"],
            calls=[Call(**c) for c in raw["calls"]],
            rest_units=raw["rest_units"],
            recorded=raw["recorded"],
            machine=raw["machine"],
            pages=raw.get("pages", {}),
        )

    def save(self, directory: Path = PLANS) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.profile}.json"
        body = {
            "profile": self.profile,
            "recorded": self.recorded,
            "machine": self.machine,
            "rest_units": self.rest_units,
            "pages": self.pages,
            "calls": [c.__dict__ for c in self.calls],
        }
        path.write_text(json.dumps(body, indent=1) + "\n")
        return path

    def workloads(self) -> set[str]:
        out = {"sgd/autograd"}  # the "other" time's unit
        for c in self.calls:
            out |= set((c.units or {}).keys())
        return out


def is_cached(call: Call) -> bool:
    """Whether the run cache already answers ``call``."""
    return plans.is_cached(call.name, call.args)
