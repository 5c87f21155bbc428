"""The index's and results page's tables (studies.guide)."""

from mlp_notes.studies import guide


def _row(minutes: float) -> dict:
    return {
        "name": "D2L's MLP",
        "where": "mlp-scratch#training",
        "setting": "10 epochs",
        "params": 203_530,
        "precision": "float32",
        "val": "0.8467",
        "test": "0.8360",
        "minutes": minutes,
    }


def test_results_table_prints_short_runs_in_seconds():
    table = guide.results_table([_row(0.05), _row(2.5)])
    short, long = table.splitlines()[2:]
    assert short.endswith("| 3.0 s |"), short
    assert long.endswith("| 2.5 min |"), long
    assert "[D2L's MLP](../mlp-scratch/#training)" in short
    assert "| 203,530 |" in short
