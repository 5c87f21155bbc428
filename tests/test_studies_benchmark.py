"""The benchmark page's stored results: each regularized run names the
network it timed, and a run of another network than the recipe's passes
only where the page says so."""

import copy

import pytest

from mlp_notes.runs.best import BEST_NET
from mlp_notes.studies import benchmark
from mlp_notes.studies.benchmark_tables import regularized_network


def _with_network(result: dict, hiddens: tuple[int, ...]) -> dict:
    changed = copy.deepcopy(result)
    recipe = changed["regularized"]["recipe"]
    old = f"hiddens={regularized_network(result)}"
    changed["regularized"]["recipe"] = recipe.replace(
        old, f"hiddens={hiddens}"
    )
    return changed


def test_the_stored_results_hold_and_name_their_networks():
    results = benchmark.benchmark_results()
    finding = benchmark.regularized(results)
    finding.check()
    for r in results:
        assert f"hidden layers {regularized_network(r)}" in str(finding)


def test_the_network_is_read_from_the_recipe_line():
    result = {"regularized": {"recipe": "x: hiddens=(512, 256), lr=0.1"}}
    assert regularized_network(result) == (512, 256)
    with pytest.raises(ValueError, match="rerun"):
        regularized_network({"regularized": {"recipe": "no layers"}})


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_run_of_an_unnamed_network_fails_the_page(device):
    results = [
        _with_network(r, (64,)) if r["device"] == device else r
        for r in benchmark.benchmark_results()
    ]
    assert not benchmark.regularized(results).claims.all_hold


def test_a_gpu_rerun_with_the_recipe_fails_until_the_page_changes():
    """Once the GPU result is the recipe's, the sentence naming an earlier
    network is false: the claim that such a run is stored fails."""
    results = [
        _with_network(r, BEST_NET.hiddens)
        for r in benchmark.benchmark_results()
    ]
    assert not benchmark.regularized(results).claims.all_hold
    assert benchmark.regularized(results, earlier={}).claims.all_hold
