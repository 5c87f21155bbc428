"""Memory counted through autograd's hooks; micro-batched gradients."""

import torch

from mlp_notes import footprint
from mlp_notes.models import mlp


def batch(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(
        0, 10, (n,), generator=g
    )


def test_saved_activations_follow_the_count():
    net = mlp((64, 32))
    for n in (8, 40):
        X, y = batch(n)
        saved = footprint.saved_for_backward(
            footprint.classification_loss(net, X, y), net.parameters()
        )
        # input, two ReLU outputs, log-softmax (float32), labels (int64)
        expected = 4 * n * (784 + 64 + 32 + 10) + 8 * n
        assert expected <= saved["activations"] <= expected + 64


def test_nothing_is_saved_without_grad():
    net = mlp((64,))
    X, y = batch(16)
    with torch.no_grad():
        saved = footprint.saved_for_backward(
            footprint.classification_loss(net, X, y), net.parameters()
        )
    assert saved["activations"] == 0 and saved["tensors"] == 0


def test_prediction_peak_is_one_layer_pair():
    net = mlp((64, 32))
    X, _ = batch(10)
    assert footprint.prediction_peak(net, X) == 4 * 10 * (784 + 64)


def test_micro_batches_give_the_full_batch_gradient():
    net = mlp((32,), init="he").double()
    X, y = batch(50)
    X = X.double()
    full = footprint.accumulated_gradients(net, X, y, micro=50)
    parts = footprint.accumulated_gradients(net, X, y, micro=7)
    for a, b in zip(full, parts):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-14)


def test_timing_helpers_run():
    net = mlp((16,))
    X, y = batch(8)
    before = [p.clone() for p in net.parameters()]
    assert footprint.median_seconds(footprint.train_step(net, X, y), 2) > 0
    assert footprint.best_seconds(lambda: None, 3) >= 0
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert footprint.parameter_bytes(net) == 4 * (784 * 16 + 16 + 16 * 10 + 10)


def test_best_seconds_each_orders_by_cost():
    import time

    fast, slow = footprint.best_seconds_each(
        lambda: None, lambda: time.sleep(0.01), repeats=3
    )
    assert 0 <= fast < 0.005 and slow >= 0.01


def test_memory_claims_hold_and_a_dropped_term_breaks_them():
    depths = {1: (256,), 6: (256,) * 6}
    sizes = [16, 1024]
    memory = footprint.memory_by_depth(depths, sizes, seed=0)
    claims = footprint.memory_claims(memory, depths, sizes)
    assert claims.all_hold, str(claims)
    # a count without the labels' 8 bytes per example would be off by 8n
    short = dict(memory)
    short["training, 1 hidden"] = [
        v - 8 * b for v, b in zip(memory["training, 1 hidden"], sizes)
    ]
    assert not footprint.memory_claims(short, depths, sizes)[1].holds
