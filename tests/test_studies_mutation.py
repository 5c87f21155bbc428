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
    assert "| `mlp_notes/a.py` | 10 | 8 | 1 | 1 | 88.9 % |" in table
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
