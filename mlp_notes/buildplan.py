"""The build's training runs: how many, how many cached, how long, progress.

A full build trains a few hundred cached runs (``mlp_notes.cache``).
Before the first page executes, the site build (``docs/hooks.py``) reads
the run plan of its profile, ``benchmarks/plans/<profile>.json``: every
cached call the last recorded build made, with its cost.  It prints how
many runs there are, how many the cache already holds, and an estimate
of the time left; shows a progress bar across the runs; and at the end
prints the estimate beside the time taken.

Costs are stored in machine-independent *reference steps*.  Each fit
reports its workload ("sgd/backprop", "adamw/autograd/mixed", ...: see
``training.workload``) and its seconds; dividing by the seconds of one
step of that workload's reference model on the same machine gives the
run's size in reference steps.  On another machine, a few timed steps of
each reference give the seconds per reference step there, in the
precision it would use: the estimate is their product, summed.  Time
outside fits (evaluation, non-fit runs) counts as the workload "other",
and the rest of the build (page code, rendering) as ``rest_units``.

``MLP_NOTES_RECORD_PLAN=1`` makes a build record its plan (a clean
build, so that every run's cost is measured); a build whose runs differ
from the plan says so at the end.
"""

from __future__ import annotations

import ast
import datetime
import functools
import importlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from mlp_notes import cache, hardware, settings

PLANS = Path(__file__).resolve().parents[1] / "benchmarks" / "plans"
BUDGET_VAR = "MLP_NOTES_BUDGET_MINUTES"
PROCEED_VAR = "MLP_NOTES_OVER_BUDGET"
RECORD_VAR = "MLP_NOTES_RECORD_PLAN"
DEFAULT_BUDGET_MINUTES = 45.0
#: Steps timed per reference (after two warm-up steps).
REFERENCE_STEPS = 10


def call_key(name: str, kwargs: dict) -> tuple[str, str]:
    """A cached call as (function name, its sorted arguments' repr)."""
    return name, repr(dict(sorted(kwargs.items())))


def _reference(workload: str):
    """(model, fit options) of the reference step of ``workload``."""
    from mlp_notes import experiments
    from mlp_notes.models import mlp

    g = torch.Generator().manual_seed(0)
    kind = workload.split("/")
    if kind[0] == "adamw":
        cfg = dict(experiments.BEST_RECIPE, mixed_precision="mixed" in kind)
        split = _synthetic(cfg["batch_size"] * (REFERENCE_STEPS + 2))
        net = experiments.best_model(cfg, split, generator=g)
        return net, split, experiments.best_fit_options(cfg), "autograd"
    step = kind[1] if kind[0] == "sgd" and len(kind) > 1 else "autograd"
    hiddens = (256,) if step in ("backprop", "graph") else (256, 256)
    if step == "graph" and settings.default_device().type != "cuda":
        step = "autograd"
    split = _synthetic(256 * (REFERENCE_STEPS + 2))
    net = mlp(hiddens, generator=g)
    return net, split, dict(lr=0.1, batch_size=256), step


def _synthetic(n: int):
    from mlp_notes.training import Split

    g = torch.Generator().manual_seed(0)
    X = torch.rand(n, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    dev = settings.default_device()
    X, y = X.to(dev), y.to(dev)
    return Split(X, y, X[:0], y[:0], X[:256], y[:256])


@functools.cache
def reference_seconds(workload: str) -> float:
    """Seconds of one step of ``workload``'s reference model, here (median
    of ``REFERENCE_STEPS`` steps after two warm-ups)."""
    from mlp_notes import precision
    from mlp_notes.training import epoch_runner, make_optimizer

    net, split, options, step = _reference(workload)
    net.to(split.device)
    bs = options["batch_size"]
    opt_name = "adamw" if "weight_decay" in options else "sgd"
    opt = make_optimizer(
        opt_name,
        net.parameters(),
        lr=options["lr"],
        weight_decay=options.get("weight_decay", 0.0),
    )
    mixed = options.get("mixed_precision", False)
    used = precision.resolve(mixed, split.device)
    times = []
    for i in range(REFERENCE_STEPS + 2):
        one = type(split)(
            split.X_train[i * bs : (i + 1) * bs],
            split.y_train[i * bs : (i + 1) * bs],
            *(split.X_val, split.y_val, split.X_test, split.y_test),
        )
        run = epoch_runner(
            net,
            one,
            opt,
            batch_size=bs,
            label_smoothing=options.get("label_smoothing", 0.0),
            flip=options.get("flip", False),
            mixed_precision=used == "bfloat16",
            step=step,
        )
        if split.device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        if split.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    times = sorted(times[2:])
    return times[len(times) // 2]


def _unit_workload(workload: str) -> str:
    """Workloads without a reference of their own share autograd SGD's."""
    known = ("sgd/backprop", "sgd/graph", "sgd/autograd")
    if workload in known or workload.startswith("adamw/"):
        return workload
    return "sgd/autograd"


@dataclass
class Call:
    """One cached call of a build and its cost in reference steps."""

    name: str
    args: str
    units: dict[str, float] | None = None  # None: never measured

    @property
    def kwargs(self) -> dict:
        return ast.literal_eval(self.args)

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
        )

    def save(self, directory: Path = PLANS) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.profile}.json"
        body = {
            "profile": self.profile,
            "recorded": self.recorded,
            "machine": self.machine,
            "rest_units": self.rest_units,
            "calls": [c.__dict__ for c in self.calls],
        }
        path.write_text(json.dumps(body, indent=1) + "\n")
        return path

    def workloads(self) -> set[str]:
        out = {"sgd/autograd"}  # the "other" time's unit
        for c in self.calls:
            out |= set((c.units or {}).keys())
        return out


def _function(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def is_cached(call: Call) -> bool:
    """Whether the run cache already answers ``call``."""
    try:
        fn = _function(call.name)
    except (ImportError, AttributeError):
        return False  # a renamed run: it will train under its new name
    return cache.is_cached(fn, **call.kwargs)


def _fmt_minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class BuildMonitor:
    """Listens to the build's runs: the plan, the bar, the report.

    ``start()`` before the pages execute (prints the plan, may refuse the
    budget), ``finish()`` after (prints estimate against actual, checks
    the plan).  Messages go to ``stream`` (the terminal), never a page.
    """

    def __init__(self, profile: str, stream=None, plans: Path = PLANS):
        self.profile, self.plans = profile, plans
        self.stream = stream or sys.stderr
        self.plan = Plan.load(profile, plans)
        self.observed: list[dict] = []
        self._frames: list[dict] = []
        self.bar = None

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    # -- before -------------------------------------------------------
    def start(self) -> None:
        from mlp_notes import precision

        self.began = time.perf_counter()
        self.estimate = self.train_estimate = 0.0
        self.pending: dict[tuple[str, str], float] = {}
        self.say(f"mlp-notes: {precision.describe(settings.default_device())}")
        if self.plan is None:
            self.say(
                f"mlp-notes: no run plan for profile {self.profile!r} "
                f"({self.plans}); no estimate (record one with "
                f"{RECORD_VAR}=1)."
            )
            return
        todo = [c for c in self.plan.calls if not is_cached(c)]
        self.say(
            f"mlp-notes build, profile {self.profile}: "
            f"{len(self.plan.calls)} runs in the plan, "
            f"{len(self.plan.calls) - len(todo)} found in the cache, "
            f"{len(todo)} to train."
        )
        needed = {"sgd/autograd"}
        for c in todo:
            needed |= {_unit_workload(w) for w in c.units or {}}
        per_unit = {w: reference_seconds(w) for w in sorted(needed)}
        self.per_unit = per_unit
        self.say(
            f"  on {hardware.machine_label(hardware.machine_info())}; "
            "seconds per reference step here: "
            + ", ".join(f"{w} {1e3 * s:.1f} ms" for w, s in per_unit.items())
        )
        for c in todo:
            units = {_unit_workload(w): u for w, u in (c.units or {}).items()}
            est = sum(u * per_unit[w] for w, u in units.items())
            self.pending[(c.name, c.args)] = est
        self.train_estimate = sum(self.pending.values())
        rest = self.plan.rest_units * per_unit["sgd/autograd"]
        self.estimate = self.train_estimate + rest
        unknown = sum(1 for c in todo if c.units is None)
        self.say(
            f"  estimated time left: {_fmt_minutes(self.estimate)} "
            f"(training {_fmt_minutes(self.train_estimate)}, the rest of "
            f"the build {_fmt_minutes(rest)})"
            + (f"; {unknown} runs of unknown cost" if unknown else "")
        )
        self._check_budget()
        self.total = len(self.plan.calls)
        if todo and self.stream.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=self.total,
                desc="runs",
                unit="run",
                file=self.stream,
                bar_format="{desc} {n}/{total} [{elapsed}] {postfix}",
            )
        self._last_line = time.perf_counter()

    def _check_budget(self) -> None:
        budget = float(os.environ.get(BUDGET_VAR, DEFAULT_BUDGET_MINUTES) or 0)
        if self.estimate <= 60 * budget:
            return
        proceed = os.environ.get(PROCEED_VAR, "").strip().lower()
        msg = (
            f"the estimate, {_fmt_minutes(self.estimate)}, exceeds the "
            f"budget of {budget:g} min ({BUDGET_VAR})"
        )
        if proceed in {"1", "yes", "true", "proceed"}:
            self.say(f"  WARNING: {msg}; building anyway ({PROCEED_VAR}).")
            return
        raise OverBudgetError(
            f"{msg}. Set {PROCEED_VAR}=1 to build anyway, raise "
            f"{BUDGET_VAR}, or build the quick profile "
            "(MLP_NOTES_PROFILE=quick)."
        )

    # -- during -------------------------------------------------------
    def __call__(self, event: str, **data) -> None:
        if event == "run_start":
            self._frames.append({"fits": {}, "seconds": 0.0})
        elif event == "fit" and self._frames:
            fits = self._frames[-1]["fits"]
            fits[data["workload"]] = (
                fits.get(data["workload"], 0.0) + data["seconds"]
            )
        elif event == "run_end" and self._frames:
            frame = self._frames.pop()
            key = call_key(data["name"], data["kwargs"])
            if any((o["name"], o["args"]) == key for o in self.observed):
                return  # asked for again: answered from memory or cache
            self.observed.append(
                {
                    "name": key[0],
                    "args": key[1],
                    "cached": data["cached"],
                    "seconds": data["seconds"],
                    "fits": frame["fits"],
                }
            )
            self.pending.pop(key, None)
            self._progress()

    def _progress(self) -> None:
        """The bar on a terminal; a line every half minute in a log."""
        if self.plan is None:
            return
        done = len(self.observed)
        self.total = max(self.total, done)
        trained = sum(not o["cached"] for o in self.observed)
        left = _fmt_minutes(sum(self.pending.values()))
        status = f"trained {trained}, estimated {left} of training left"
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.set_postfix_str(status, refresh=False)
            self.bar.update(1)
        elif time.perf_counter() - self._last_line > 30 or done == self.total:
            self._last_line = time.perf_counter()
            elapsed = _fmt_minutes(time.perf_counter() - self.began)
            self.say(f"  runs {done}/{self.total} [{elapsed}]: {status}")

    # -- after --------------------------------------------------------
    def finish(self, record: bool | None = None) -> None:
        if self.bar is not None:
            self.bar.close()
        took = time.perf_counter() - self.began
        trained = [o for o in self.observed if not o["cached"]]
        train_s = sum(o["seconds"] for o in trained)
        if self.plan is not None and self.estimate > 0:
            ratio = took / self.estimate
            verdict = "within" if abs(ratio - 1) <= 0.35 else "outside"
            self.say(
                f"mlp-notes build took {_fmt_minutes(took)} (training "
                f"{_fmt_minutes(train_s)}, {len(trained)} runs); estimated "
                f"{_fmt_minutes(self.estimate)} (training "
                f"{_fmt_minutes(self.train_estimate)}): actual / estimate "
                f"= {ratio:.2f}, {verdict} ±35%."
            )
        else:
            self.say(
                f"mlp-notes build took {_fmt_minutes(took)} (training "
                f"{_fmt_minutes(train_s)}, {len(trained)} runs)."
            )
        self.check_plan()
        observed = settings.cache_root() / f"observed-runs-{self.profile}.json"
        observed.parent.mkdir(parents=True, exist_ok=True)
        observed.write_text(json.dumps(self.observed, indent=1) + "\n")
        if record is None:
            record = os.environ.get(RECORD_VAR, "") not in ("", "0")
        if record:
            path = self.record(took).save(self.plans)
            self.say(f"mlp-notes: recorded the run plan in {path}")

    def differences(self) -> tuple[list, list]:
        """(calls made but not planned, planned calls not made)."""
        made = {(o["name"], o["args"]) for o in self.observed}
        planned = (
            set()
            if self.plan is None
            else {(c.name, c.args) for c in self.plan.calls}
        )
        return sorted(made - planned), sorted(planned - made)

    def check_plan(self) -> None:
        extra, missing = self.differences()
        if self.plan is not None and (extra or missing):
            self.say(
                f"mlp-notes: WARNING: the run plan {self.profile}.json is "
                f"out of date: {len(extra)} runs not in it, {len(missing)} "
                f"planned runs not made (first: {(extra or missing)[0]}). "
                f"Record it with {RECORD_VAR}=1 on a clean build."
            )

    def record(self, took: float) -> Plan:
        """This build's runs as a plan; costs from the runs it trained (a
        cached run keeps its recorded cost, if the old plan had one)."""
        old = {
            (c.name, c.args): c.units
            for c in (self.plan.calls if self.plan else [])
        }
        calls, run_s = [], 0.0
        for o in self.observed:
            key = (o["name"], o["args"])
            if key in {(c.name, c.args) for c in calls}:
                continue  # a run the build asked for twice costs once
            if o["cached"]:
                units = old.get(key)
            else:
                run_s += o["seconds"]
                other = o["seconds"] - sum(o["fits"].values())
                seconds = {"sgd/autograd": max(other, 0.0)}
                for w, s in o["fits"].items():
                    w = _unit_workload(w)
                    seconds[w] = seconds.get(w, 0.0) + s
                units = {
                    w: s / reference_seconds(w) for w, s in seconds.items()
                }
            calls.append(Call(o["name"], o["args"], units))
        rest = max(took - run_s, 0.0) / reference_seconds("sgd/autograd")
        if self.plan is not None and not any(
            not o["cached"] for o in self.observed
        ):
            rest = self.plan.rest_units  # nothing trained: keep the old
        return Plan(
            profile=self.profile,
            calls=calls,
            rest_units=rest,
            recorded=datetime.datetime.now().isoformat(timespec="seconds"),
            machine={
                **hardware.machine_info(),
                "precision": os.environ.get("MLP_NOTES_PRECISION", "auto"),
            },
        )


class OverBudgetError(RuntimeError):
    """The build's estimate exceeds its budget, and no one said proceed."""
