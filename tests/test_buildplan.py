"""The build's run plan: estimate, budget, progress, recording."""

import collections
import io
import json

import pytest

from mlp_notes import settings
from mlp_notes.runs import costs
from mlp_notes.runs.plans import decode
from mlp_notes.site import monitor as buildplan
from mlp_notes.site.buildplan import Call, Plan, call_key
from mlp_notes.site.monitor import BuildMonitor

MS = {"sgd/autograd": 0.002, "sgd/backprop": 0.001, "adamw/autograd": 0.02}


@pytest.fixture
def plans(tmp_path, monkeypatch):
    """A plan directory with two runs, none cached, fixed step times."""
    monkeypatch.setattr(buildplan, "reference_seconds", MS.__getitem__)
    monkeypatch.setattr(buildplan, "is_cached", lambda call: False)
    for var in (buildplan.BUDGET_VAR, buildplan.PROCEED_VAR):
        monkeypatch.delenv(var, raising=False)
    Plan(
        profile="test",
        calls=[
            Call(*call_key("m.f", {"a": 1}), {"sgd/backprop": 60_000.0}),
            Call(*call_key("m.g", {"b": (2, 3)}), {"adamw/autograd": 3_000.0}),
        ],
        rest_units=15_000.0,
    ).save(tmp_path)
    return tmp_path


def test_plan_round_trip_keeps_argument_types(plans):
    plan = Plan.load("test", plans)
    args = decode(json.loads(plan.calls[1].args))
    assert args == {"b": (2, 3)}  # a tuple stays a tuple
    assert isinstance(args["b"], tuple)
    assert Plan.load("missing", plans) is None


def test_estimate_is_units_times_seconds_per_step(plans):
    out = io.StringIO()
    monitor = BuildMonitor("test", stream=out, plans=plans)
    monitor.start()
    # 60,000 x 1 ms + 3,000 x 20 ms = 120 s; the rest 15,000 x 2 ms = 30 s
    assert monitor.train_estimate == pytest.approx(120.0)
    assert monitor.estimate == pytest.approx(150.0)
    text = out.getvalue()
    assert "2 runs in the plan, 0 found in the cache, 2 to train" in text
    assert "estimated time left: 2.5 min" in text


def test_over_budget_stops_unless_told_to_proceed(plans, monkeypatch):
    monkeypatch.setenv(buildplan.BUDGET_VAR, "2")  # 2 min < 2.5 min
    with pytest.raises(buildplan.OverBudgetError, match="OVER_BUDGET"):
        BuildMonitor("test", stream=io.StringIO(), plans=plans).start()
    monkeypatch.setenv(buildplan.PROCEED_VAR, "1")
    out = io.StringIO()
    BuildMonitor("test", stream=out, plans=plans).start()
    assert "WARNING" in out.getvalue()


def test_cached_runs_are_not_estimated(plans, monkeypatch):
    monkeypatch.setattr(buildplan, "is_cached", lambda c: c.name == "m.f")
    monitor = BuildMonitor("test", stream=io.StringIO(), plans=plans)
    monitor.start()
    assert monitor.train_estimate == pytest.approx(60.0)


def _run(monitor, name, kwargs, *, cached, seconds, fits=()):
    monitor("run_start", name=name, kwargs=kwargs)
    for workload, s in fits:
        monitor("fit", workload=workload, seconds=s, steps=10)
    monitor(
        "run_end", name=name, kwargs=kwargs, cached=cached, seconds=seconds
    )


def test_recording_measures_trained_runs_and_keeps_cached_costs(
    plans, monkeypatch, tmp_path
):
    monkeypatch.setenv(settings.CACHE_VAR, str(tmp_path / "cache"))
    monitor = BuildMonitor("test", stream=io.StringIO(), plans=plans)
    monitor.start()
    _run(monitor, "m.f", {"a": 1}, cached=True, seconds=0.01)
    _run(monitor, "m.f", {"a": 1}, cached=True, seconds=0.01)  # again
    _run(
        monitor,
        "m.h",
        {"c": 0.5},
        cached=False,
        seconds=3.0,
        fits=[("sgd/backprop", 1.0), ("custom/autograd", 1.5)],
    )
    assert monitor.differences() == (
        [call_key("m.h", {"c": 0.5})],
        [call_key("m.g", {"b": (2, 3)})],
    )
    monitor.page_done("p", 12.345)
    plan = monitor.record(took=10.0)
    assert plan.pages == {"p": 12.3}  # what each page took, for notebooks
    assert Plan.load("test", plan.save(tmp_path).parent).pages == plan.pages
    units = {c.name: c.units for c in plan.calls}
    assert units["m.f"] == {"sgd/backprop": 60_000.0}  # kept, not re-timed
    # 1 s of backprop; 1.5 s of a custom optimizer and 0.5 s outside fits
    # both in autograd SGD's unit
    assert units["m.h"] == pytest.approx(
        {"sgd/backprop": 1000.0, "sgd/autograd": 1000.0}
    )
    assert plan.rest_units == pytest.approx((10.0 - 3.0) / 0.002)
    monitor.finish(record=False)
    observed = settings.cache_root() / "observed-runs-test.json"
    assert len(json.loads(observed.read_text())) == 2


def test_reference_steps_time_each_workload_here():
    costs.reference_seconds.cache_clear()
    for workload in ("sgd/backprop", "sgd/autograd", "adamw/autograd/mixed"):
        assert 0 < costs.reference_seconds(workload) < 5


@pytest.mark.site
def test_quick_build_made_the_planned_runs():
    """The committed quick plan is the quick build's run list (record it
    anew with MLP_NOTES_RECORD_PLAN=1 when a page's runs change).  A
    search's later trials depend on earlier results, which differ in the
    last bits between CPUs, so up to a tenth of the runs may differ; the
    number of runs of each function may not."""
    observed = json.loads(
        (settings.cache_root() / "observed-runs-quick.json").read_text()
    )
    made = {(o["name"], o["args"]) for o in observed}
    planned = {(c.name, c.args) for c in Plan.load("quick").calls}
    assert planned, "benchmarks/plans/quick.json lists no runs"

    def per_function(calls):
        return sorted(collections.Counter(name for name, _ in calls).items())

    assert per_function(made) == per_function(planned)
    differ = made ^ planned
    assert len(differ) <= 0.1 * len(planned), (
        f"not planned: {sorted(made - planned)[:3]}; "
        f"planned, not made: {sorted(planned - made)[:3]}"
    )


def test_plan_arguments_are_plain_data_read_back_without_eval():
    from mlp_notes.models import Spec
    from mlp_notes.training import Recipe

    kwargs = {"net": Spec(hiddens=(8,)), "recipe": Recipe(lr=0.3), "seed": 1}
    name, args = call_key("f", kwargs)
    assert decode(json.loads(args)) == kwargs
    assert json.loads(args)["dict"]["seed"] == 1  # plain JSON
    for evil in ('{"os": {"x": 1}}', '{"__import__": ["os"]}'):
        with pytest.raises(ValueError, match="unknown value"):
            decode(json.loads(evil))
    with pytest.raises(TypeError, match="cannot store"):
        call_key("f", {"x": object()})


def test_a_call_recorded_in_an_older_format_counts_as_not_cached():
    from mlp_notes.runs import plans

    name = "mlp_notes.runs.chapter.train_run"
    assert name in plans.registry()
    for old in ("{'seed': 0}", '{"seed": 0}', '{"os": {"x": 1}}', "[1]"):
        assert plans.is_cached(name, old) is False


def test_a_call_in_the_current_format_is_looked_up(monkeypatch):
    """The plan's own format reaches the cache with its arguments (a
    decoding slip made every planned run count as uncached)."""
    from mlp_notes.runs import plans

    seen = {}

    def looked_up(fn, **kwargs):
        seen.update(kwargs)
        return True

    monkeypatch.setattr(plans.cache, "is_cached", looked_up)
    name = "mlp_notes.runs.chapter.train_run"
    call = plans.args_key({"seed": 3, "hiddens": (256,)})
    assert plans.is_cached(name, call) is True
    assert seen == {"seed": 3, "hiddens": (256,)}


def test_every_cached_run_function_is_in_the_registry():
    """The site finds run functions by name only through the registry:
    every @cached function of mlp_notes/runs/ must be in it."""
    import ast
    from pathlib import Path

    from mlp_notes.runs.plans import registry

    names = set()
    for path in (Path(__file__).parents[1] / "mlp_notes" / "runs").glob(
        "*.py"
    ):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call)
                and getattr(d.func, "id", "") == "cached"
                for d in node.decorator_list
            ):
                names.add(f"mlp_notes.runs.{path.stem}.{node.name}")
    assert names and names == set(registry())
