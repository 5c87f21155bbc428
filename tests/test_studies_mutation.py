"""The results page's mutation table, from stored results."""

import json

import pytest

from mlp_notes.studies import mutation


def _store(tmp_path):
    rows = [
        {
            "module": "mlp_notes/a.py",
            "mutants": 10,
            "killed": 8,
            "equivalent": 1,
            "survived": 1,
            "score": 800 / 9,
        },
    ]
    total = {
        "mutants": 10,
        "killed": 8,
        "equivalent": 1,
        "survived": 1,
        "score": 800 / 9,
    }
    (tmp_path / "summary.json").write_text(
        json.dumps({"modules": rows, "all": total})
    )
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text(
        json.dumps(
            {"not_killed": {"a.x_f__mutmut_1": {}, "a.x_f__mutmut_2": {}}}
        )
    )
    (tmp_path / "equivalent").mkdir()
    (tmp_path / "equivalent" / "a.json").write_text(
        json.dumps({"a.x_f__mutmut_1": "same value", "a.x_f__mutmut_9": "old"})
    )


def test_table_and_equivalents_read_from_the_stored_results(tmp_path):
    _store(tmp_path)
    table = mutation.mutation_table(mutation.mutation_summary(tmp_path))
    assert "| `a.py` | 10 | 8 | 1 | 1 | 88.9 % |" in table
    assert table.splitlines()[-1] == "| `all` | 10 | 8 | 1 | 1 | 88.9 % |"
    # a mutant no longer in the results (killed since) is not listed
    assert mutation.equivalent_mutants(tmp_path) == [
        "`a.x_f__mutmut_1`: same value"
    ]


def test_no_stored_results_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="scripts/mutation.py"):
        mutation.mutation_summary(tmp_path)


def test_the_committed_summary_adds_up():
    summary = mutation.mutation_summary()
    rows, total = summary["modules"], summary["all"]
    for field in ("mutants", "killed", "equivalent", "survived"):
        assert sum(r[field] for r in rows) == total[field]
    for r in [*rows, total]:
        assert r["killed"] + r["equivalent"] + r["survived"] == r["mutants"]


def test_a_sampled_package_is_its_own_row_outside_the_total(tmp_path):
    _store(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["sampled"] = [
        {
            "module": "mlp_notes/checks/",
            "population": 400,
            "mutants": 40,
            "killed": 30,
            "equivalent": 0,
            "survived": 10,
            "score": 75.0,
            "low": 59.8,
            "high": 85.8,
        }
    ]
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    table = mutation.mutation_table(mutation.mutation_summary(tmp_path))
    *_, total, sample = table.splitlines()
    assert total == "| `all` | 10 | 8 | 1 | 1 | 88.9 % |"
    assert sample.startswith("| `checks/`, a sample of 40 of its 400 mutants")
    assert "75.0 % (95% interval 59.8 to 85.8 %)" in sample


def test_the_wilson_interval_matches_a_published_example():
    """Wilson's interval for 81 of 263 (Newcombe 1998, Table I, method 3:
    0.2553 to 0.3662)."""
    import importlib.util

    from tests.architecture import ROOT

    spec = importlib.util.spec_from_file_location(
        "mutation_report", ROOT / "scripts" / "mutation_report.py"
    )
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    low, high = report.wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
