"""The build's progress: plan, estimate, budget, bar, and the report.

``docs/hooks.py`` starts a :class:`BuildMonitor` before the first page
executes and finishes it after the last: it prints (to the terminal,
never to a page) how many runs the plan holds, how many the cache
answers, an estimate of the time left from a few timed reference steps
on this machine (``runs.costs``), and refuses a build whose estimate
exceeds ``MLP_NOTES_BUDGET_MINUTES`` (default 45) unless
``MLP_NOTES_OVER_BUDGET=1``; then a progress bar across the runs, and at
the end the estimate beside the time taken.
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
        self.pages: dict[str, float] = {}  # page -> seconds to execute
        self._frames: list[dict] = []
        self.bar = None

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    # -- before -------------------------------------------------------
    def start(self) -> None:
        self.began = time.perf_counter()
        self.estimate = self.train_estimate = 0.0
        self.pending: dict[tuple[str, str], float] = {}
        device = settings.default_device()
        self.say(f"mlp-notes: {precision.describe(device)}")
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
            needed |= {unit_workload(w) for w in c.units or {}}
        per_unit = {w: reference_seconds(w) for w in sorted(needed)}
        self.per_unit = per_unit
        self.say(
            f"  on {hardware.machine_label(hardware.machine_info())}; "
            "seconds per reference step here: "
            + ", ".join(f"{w} {1e3 * s:.1f} ms" for w, s in per_unit.items())
        )
        for c in todo:
            units = {unit_workload(w): u for w, u in (c.units or {}).items()}
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

    def page_done(self, page: str, seconds: float) -> None:
        """A page finished executing, in ``seconds``."""
        self.pages[page] = round(seconds, 1)

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
                    w = unit_workload(w)
                    seconds[w] = seconds.get(w, 0.0) + s
                units = {
                    w: s / reference_seconds(w) for w, s in seconds.items()
                }
            calls.append(Call(o["name"], o["args"], units))
        rest = max(took - run_s, 0.0) / reference_seconds("sgd/autograd")
        pages = self.pages
        if self.plan is not None and not any(
            not o["cached"] for o in self.observed
        ):  # nothing trained: keep the old costs
            rest, pages = self.plan.rest_units, self.plan.pages
        return Plan(
            profile=self.profile,
            calls=calls,
            rest_units=rest,
            pages=dict(pages),
            recorded=datetime.datetime.now().isoformat(timespec="seconds"),
            machine={
                **hardware.machine_info(),
                "precision": os.environ.get("MLP_NOTES_PRECISION", "auto"),
            },
        )


class OverBudgetError(RuntimeError):
    """The build's estimate exceeds its budget, and no one said proceed."""
