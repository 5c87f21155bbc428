"""The build's progress: plan, estimate, budget, progress lines, report.

``docs/hooks.py`` starts a :class:`BuildMonitor` before the first page
executes and finishes it after the last.  It prints (to the terminal,
never to a page) how many runs the plan holds and how many the cache
answers, an estimate of the time left from a few timed reference steps
on this machine (``runs.costs``); it refuses a build whose estimate
exceeds ``MLP_NOTES_BUDGET_MINUTES`` (default 45) unless
``MLP_NOTES_OVER_BUDGET=1``; it prints a progress line every half minute,
and at the end the estimate beside the time taken.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path

from mlp_notes import hardware, precision, settings
from mlp_notes.runs.costs import reference_seconds, unit_workload
from mlp_notes.site.buildplan import PLANS, Call, Plan, call_key, is_cached

BUDGET_VAR = "MLP_NOTES_BUDGET_MINUTES"
PROCEED_VAR = "MLP_NOTES_OVER_BUDGET"
RECORD_VAR = "MLP_NOTES_RECORD_PLAN"
DEFAULT_BUDGET_MINUTES = 45.0


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class OverBudgetError(RuntimeError):
    """The build's estimate exceeds its budget, and no one said proceed."""


class BuildMonitor:
    """Listens to the build's runs (``telemetry``): ``start()`` before the
    pages execute, ``finish()`` after; messages go to ``stream``."""

    def __init__(self, profile: str, stream=None, plans: Path = PLANS):
        self.profile, self.plans = profile, plans
        self.stream = stream or sys.stderr
        self.plan = Plan.load(profile, plans)
        self.observed: list[dict] = []
        self.pages: dict[str, float] = {}  # page -> seconds to execute
        self.pending: dict[tuple[str, str], float] = {}  # key -> estimate
        self.estimate = self.train_estimate = 0.0
        self._fits: list[dict] = []  # per open run: workload -> seconds

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def start(self) -> None:
        self.began = self._last_line = time.perf_counter()
        device = settings.default_device()
        self.say(f"mlp-notes: {precision.describe(device)}")
        if self.plan is None:
            self.say(
                f"mlp-notes: no run plan for profile {self.profile!r} in "
                f"{self.plans}; no estimate (record one with {RECORD_VAR}=1)."
            )
            return
        todo = [c for c in self.plan.calls if not is_cached(c)]
        n = len(self.plan.calls)
        self.say(
            f"mlp-notes build, profile {self.profile}: {n} runs in the "
            f"plan, {n - len(todo)} found in the cache, {len(todo)} to train."
        )
        needed = {"sgd/autograd"} | {
            unit_workload(w) for c in todo for w in c.units or {}
        }
        per_unit = {w: reference_seconds(w) for w in sorted(needed)}
        self.say(
            f"  on {hardware.machine_label(hardware.machine_info())}; "
            "seconds per reference step here: "
            + ", ".join(f"{w} {1e3 * s:.1f} ms" for w, s in per_unit.items())
        )
        for c in todo:
            self.pending[c.name, c.args] = sum(
                u * per_unit[unit_workload(w)]
                for w, u in (c.units or {}).items()
            )
        self.train_estimate = sum(self.pending.values())
        rest = self.plan.rest_units * per_unit["sgd/autograd"]
        self.estimate = self.train_estimate + rest
        unknown = sum(c.units is None for c in todo)
        self.say(
            f"  estimated time left: {_minutes(self.estimate)} (training "
            f"{_minutes(self.train_estimate)}, the rest of the build "
            f"{_minutes(rest)})"
            + (f"; {unknown} runs of unknown cost" if unknown else "")
        )
        self._check_budget()

    def _check_budget(self) -> None:
        budget = float(os.environ.get(BUDGET_VAR, DEFAULT_BUDGET_MINUTES) or 0)
        if self.estimate <= 60 * budget:
            return
        msg = (
            f"the estimate, {_minutes(self.estimate)}, exceeds the budget of "
            f"{budget:g} min ({BUDGET_VAR})"
        )
        if os.environ.get(PROCEED_VAR, "").strip().lower() in {
            "1", "yes", "true", "proceed",
        }:  # fmt: skip
            self.say(f"  WARNING: {msg}; building anyway ({PROCEED_VAR}).")
            return
        raise OverBudgetError(
            f"{msg}. Set {PROCEED_VAR}=1 to build anyway, raise "
            f"{BUDGET_VAR}, or build the quick profile "
            "(MLP_NOTES_PROFILE=quick)."
        )

    def __call__(self, event: str, **data) -> None:
        """A telemetry event: a run starts or ends, a fit ends."""
        if event == "run_start":
            self._fits.append({})
        elif event == "fit" and self._fits:
            fits, w = self._fits[-1], data["workload"]
            fits[w] = fits.get(w, 0.0) + data["seconds"]
        elif event == "run_end" and self._fits:
            fits = self._fits.pop()
            name, args = call_key(data["name"], data["kwargs"])
            if any(
                (o["name"], o["args"]) == (name, args) for o in self.observed
            ):
                return  # asked for again: answered from memory or cache
            self.observed.append(
                {"name": name, "args": args, "cached": data["cached"],
                 "seconds": data["seconds"], "fits": fits}
            )  # fmt: skip
            self.pending.pop((name, args), None)
            self._progress()

    def _progress(self) -> None:
        """A line every half minute, and one for the last planned run."""
        total = max(len(self.plan.calls) if self.plan else 0, 1)
        done = len(self.observed)
        if time.perf_counter() - self._last_line > 30 or done == total:
            self._last_line = time.perf_counter()
            trained = sum(not o["cached"] for o in self.observed)
            elapsed = _minutes(time.perf_counter() - self.began)
            self.say(
                f"  runs {done}/{total} [{elapsed}]: "
                f"trained {trained}, estimated "
                f"{_minutes(sum(self.pending.values()))} of training left"
            )

    def page_done(self, page: str, seconds: float) -> None:
        """A page finished executing, in ``seconds``."""
        self.pages[page] = round(seconds, 1)

    def finish(self, record: bool | None = None) -> None:
        took = time.perf_counter() - self.began
        trained = [o for o in self.observed if not o["cached"]]
        line = (
            f"mlp-notes build took {_minutes(took)} (training "
            f"{_minutes(sum(o['seconds'] for o in trained))}, "
            f"{len(trained)} runs)"
        )
        if self.estimate > 0:
            ratio = took / self.estimate
            within = "within" if abs(ratio - 1) <= 0.35 else "outside"
            line += (
                f"; estimated {_minutes(self.estimate)} (training "
                f"{_minutes(self.train_estimate)}): actual / estimate = "
                f"{ratio:.2f}, {within} ±35%"
            )
        self.say(line + ".")
        extra, missing = self.differences()
        if self.plan is not None and (extra or missing):
            self.say(
                f"mlp-notes: WARNING: the run plan {self.profile}.json is out "
                f"of date: {len(extra)} runs not in it, {len(missing)} "
                f"planned runs not made (first: {(extra or missing)[0]}). "
                f"Record it with {RECORD_VAR}=1 on a clean build."
            )
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
        calls = self.plan.calls if self.plan else []
        planned = {(c.name, c.args) for c in calls}
        return sorted(made - planned), sorted(planned - made)

    def record(self, took: float) -> Plan:
        """This build's runs as a plan: a trained run's cost measured in
        reference steps, a cached one's kept from the old plan."""
        old = {
            (c.name, c.args): c.units
            for c in (self.plan or Plan("", [])).calls
        }
        calls, run_s = [], 0.0
        for o in self.observed:
            key = (o["name"], o["args"])
            if o["cached"]:
                calls.append(Call(*key, old.get(key)))
                continue
            run_s += o["seconds"]
            seconds = {
                "sgd/autograd": max(
                    o["seconds"] - sum(o["fits"].values()), 0.0
                )
            }
            for w, s in o["fits"].items():
                w = unit_workload(w)
                seconds[w] = seconds.get(w, 0.0) + s
            units = {w: s / reference_seconds(w) for w, s in seconds.items()}
            calls.append(Call(*key, units))
        rest = max(took - run_s, 0.0) / reference_seconds("sgd/autograd")
        pages = self.pages
        if self.plan is not None and run_s == 0:  # nothing trained: keep
            rest, pages = self.plan.rest_units, self.plan.pages
        return Plan(
            self.profile,
            calls,
            rest_units=rest,
            pages=dict(pages),
            recorded=datetime.datetime.now().isoformat(timespec="seconds"),
            machine={
                **hardware.machine_info(),
                "precision": os.environ.get("MLP_NOTES_PRECISION", "auto"),
            },
        )
