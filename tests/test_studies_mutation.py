"""The results page's mutation table, from stored results."""

import json

import pytest

from mlp_notes.studies import mutation


def _store(tmp_path):
    """One module mutated in full: 10 mutants, 8 killed, two not killed
    of which one is noted equivalent; summary.json written by the report
    script."""
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text(
        json.dumps(
            {
                "module": "mlp_notes/a.py",
                "total": 10,
                "seconds": 30,
                "counts": {"killed": 8, "survived": 2},
                "not_killed": {"a.x_f__mutmut_1": {}, "a.x_f__mutmut_2": {}},
            }
        )
    )
    (tmp_path / "equivalent").mkdir()
    (tmp_path / "equivalent" / "a.json").write_text(
        json.dumps({"a.x_f__mutmut_1": "same value", "a.x_f__mutmut_9": "old"})
    )
    report = _report_script()
    report.OUT = tmp_path
    report.write_report()


def test_table_and_equivalents_read_from_the_stored_results(tmp_path):
    _store(tmp_path)
    summary = mutation.mutation_summary(tmp_path)
    table = mutation.mutation_table(summary)
    assert "| `a.py` | 10 | 8 | 1 | 1 | 88.9 % |" in table
    assert table.splitlines()[-1] == "| `all` | 10 | 8 | 1 | 1 | 88.9 % |"
    # a mutant no longer in the results (killed since) is not listed
    assert mutation.equivalent_mutants(summary) == [
        "`a.x_f__mutmut_1`: same value"
    ]
    report = (tmp_path / "REPORT.md").read_text()
    assert "* `a.x_f__mutmut_1`: same value" in report
    assert "mutmut_9" not in report


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


def _report_script():
    import importlib.util

    from tests.architecture import ROOT

    spec = importlib.util.spec_from_file_location(
        "mutation_report", ROOT / "scripts" / "mutation_report.py"
    )
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    return report


def test_the_wilson_interval_matches_a_published_example():
    """Wilson's interval for 81 of 263 (Newcombe 1998, Table I, method 3:
    0.2553 to 0.3662)."""
    low, high = _report_script().wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def _plain_run(tmp_path):
    """A mutmut-tree sample and a plain-tree sample of one package whose
    survivors share a name (another change at another commit)."""
    for name in ("results", "equivalent", "unkilled", "plain/equivalent"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "plain" / "unkilled").mkdir()
    (tmp_path / "results" / "checks.sample.json").write_text(
        json.dumps(
            {
                "module": "mlp_notes/checks/",
                "population": 500,
                "seed": 5,
                "commit": "aaaaaaa",
                "total": 4,
                "seconds": 40,
                "counts": {"killed": 2, "survived": 2},
                "not_killed": {"c.x_f__mutmut_1": {}, "c.x_g__mutmut_2": {}},
            }
        )
    )
    (tmp_path / "equivalent" / "checks.json").write_text(
        json.dumps({"c.x_f__mutmut_1": "equivalent at aaaaaaa"})
    )
    mutants = [
        {"name": f"c.x_k__mutmut_{i}", "status": "killed", "diff": ""}
        for i in range(7)
    ]
    mutants += [
        {"name": "c.x_f__mutmut_1", "status": "survived", "diff": "d1"},
        {"name": "c.x_h__mutmut_3", "status": "survived", "diff": "d3"},
        {"name": "c.x_t__mutmut_4", "status": "timeout", "diff": ""},
    ]
    for r in mutants:  # the run's 100 s
        r["seconds"] = 10
    (tmp_path / "plain" / "checks.json").write_text(
        json.dumps(
            {
                "module": "mlp_notes/checks/",
                "population": 600,
                "seed": 7,
                "commit": "bbbbbbb",
                "planned": 60,
                "total": 10,
                "seconds": 100,
                "counts": {"killed": 7, "timeout": 1, "survived": 2},
                "mutants": mutants,
            }
        )
    )
    (tmp_path / "plain" / "equivalent" / "checks.json").write_text(
        json.dumps({"c.x_h__mutmut_3": "equivalent at bbbbbbb"})
    )
    (tmp_path / "plain" / "unkilled" / "checks.json").write_text(
        json.dumps({"c.x_f__mutmut_1": "killed since by test_f"})
    )


def test_a_plain_sample_is_reported_with_its_own_notes(tmp_path):
    """A plain-tree run is a sampled row of its own, labelled with its
    seed, commit and tree; the notes written for mutmut's tree (another
    commit) do not apply to its mutants, its own do."""
    _plain_run(tmp_path)
    report = _report_script()
    report.OUT = tmp_path
    report.write_report()
    summary = json.loads((tmp_path / "summary.json").read_text())
    old, new = summary["sampled"]
    assert (old["tree"], old["seed"], old["equivalent"]) == ("mutmut", 5, 1)
    assert (new["tree"], new["seed"], new["commit"]) == ("plain", 7, "bbbbbbb")
    # 8 killed (a timeout is detected), 1 equivalent, 1 survived
    assert (new["killed"], new["equivalent"], new["survived"]) == (8, 1, 1)
    assert new["score"] == 100 * 8 / 9
    assert (new["low"], new["high"]) == tuple(
        100 * x for x in report.wilson(8, 9)
    )
    assert new["why"] == {"c.x_f__mutmut_1": "killed since by test_f"}
    text = (tmp_path / "REPORT.md").read_text()
    assert "| `mlp_notes/checks/` | plain | 7 | bbbbbbb | 10 of 600 |" in text
    assert "* `c.x_f__mutmut_1`: killed since by test_f" in text
    assert "* `c.x_g__mutmut_2`: not yet examined" in text
    table = mutation.mutation_table(mutation.mutation_summary(tmp_path))
    assert (
        "a sample of 10 of its 600 mutants (seed 7, commit bbbbbbb, each "
        "written into the package) | 10 | 8 | 1 | 1 | 88.9 %"
    ) in table
    assert "(seed 5, commit aaaaaaa, in mutmut's tree)" in table
    summary = mutation.mutation_summary(tmp_path)
    assert mutation.equivalent_mutants(summary) == [
        "`c.x_f__mutmut_1`: equivalent at aaaaaaa",
        "`c.x_h__mutmut_3`: equivalent at bbbbbbb",
    ]


def test_samples_at_one_commit_are_pooled_each_mutant_once(tmp_path):
    """Two seeds at one commit add a row of their union (a mutant both
    drew counts once); a seed at another commit is not pooled with them."""
    for name in ("results", "equivalent", "unkilled"):
        (tmp_path / name).mkdir()
    for name in ("equivalent", "unkilled"):
        (tmp_path / "plain" / name).mkdir(parents=True)
    status = {"a": "killed", "b": "survived", "c": "killed", "d": "timeout"}

    def run(seed, commit, names):
        done = [
            {"name": n, "status": status[n], "seconds": 10, "diff": n}
            for n in names
        ]
        (tmp_path / "plain" / f"checks.seed{seed}.json").write_text(
            json.dumps(
                {
                    "module": "mlp_notes/checks/",
                    "population": 600,
                    "seed": seed,
                    "commit": commit,
                    "total": len(done),
                    "seconds": 10 * len(done),
                    "counts": {
                        s: sum(r["status"] == s for r in done)
                        for s in ("killed", "timeout", "survived")
                    },
                    "mutants": done,
                }
            )
        )

    run(9, "ccccccc", ["a", "b", "c"])
    run(10, "ccccccc", ["c", "d"])
    run(8, "bbbbbbb", ["a", "b"])
    report = _report_script()
    report.OUT = tmp_path
    report.write_report()
    summary = mutation.mutation_summary(tmp_path)
    rows = {r["seed"]: r for r in summary["sampled"]}
    assert sorted(rows, key=str) == [10, 8, 9, "9 and 10"]
    both = rows["9 and 10"]
    assert (both["commit"], both["mutants"], both["seconds"]) == (
        "ccccccc",
        4,
        40,
    )
    assert (both["killed"], both["survived"]) == (3, 1)
    assert both["open"] == ["b"]
    table = mutation.mutation_table(summary)
    assert "mutants (seeds 9 and 10, commit ccccccc, each written" in table
