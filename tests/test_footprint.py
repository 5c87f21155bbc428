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


def test_micro_batches_give_autograds_full_batch_gradient():
    import torch.nn.functional as F

    net = mlp((8,), init="he").double()
    X, y = batch(20)
    X = X.double()
    net.zero_grad()
    F.cross_entropy(net(X), y).backward()
    want = [p.grad.clone() for p in net.parameters()]
    for micro in (20, 6):
        got = footprint.accumulated_gradients(net, X, y, micro=micro)
        for a, b in zip(got, want):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-14)


def test_train_step_is_an_sgd_step():
    import torch.nn.functional as F

    net = mlp((8,), init="he").double()
    X, y = batch(10)
    X = X.double()
    before = [p.detach().clone() for p in net.parameters()]
    net.zero_grad()
    F.cross_entropy(net(X), y).backward()
    grads = [p.grad.clone() for p in net.parameters()]
    footprint.train_step(net, X, y, lr=0.5)()
    for p, b, g in zip(net.parameters(), before, grads):
        torch.testing.assert_close(p.detach(), b - 0.5 * g, rtol=0, atol=1e-14)


def test_timing_helpers_call_as_often_as_said_on_one_thread():
    calls, threads = [], []

    def fn():
        calls.append(1)
        threads.append(torch.get_num_threads())

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        footprint.best_seconds(fn)
        assert len(calls) == 6  # a warm-up and 5 timed calls
        footprint.median_seconds(fn)
        assert len(calls) == 12
        assert len(footprint.wall_times(fn, 3)) == 3 and len(calls) == 16
        assert footprint.best_seconds_each(fn, fn) and len(calls) == 28
        assert set(threads) == {1} and torch.get_num_threads() == 2
        footprint.wall_times(fn, 1, threads=None)
        assert threads[-1] == 2
    finally:
        torch.set_num_threads(before)


def test_saved_for_backward_splits_parameters_from_activations():
    W = torch.nn.Parameter(torch.randn(3, 4, dtype=torch.float64))
    x = torch.randn(4, 5, requires_grad=True)  # float32: 80 bytes
    saved = footprint.saved_for_backward(
        lambda: (W.float() @ x).sum(), [W]
    )  # W.float() is a copy: an activation
    assert saved == {
        "activations": 3 * 4 * 4 + 80,
        "parameters": 0,
        "tensors": 2,
    }
    saved = footprint.saved_for_backward(lambda: (W * W).sum(), [W])
    assert saved == {"activations": 0, "parameters": 96, "tensors": 1}


def _claims_input():
    """A memory table built to sit on each claim's thresholds."""
    depths = {1: (16,), 3: (16, 16, 16)}
    sizes = [2, 4, 8]
    count = {
        k: [footprint.activation_count(b, h) for b in sizes]
        for k, h in depths.items()
    }
    first = [4 * b * (784 + 16) for b in sizes]
    memory = {
        "training, 1 hidden": [c + 0 for c in count[1]],  # over by 0
        "training, 3 hidden": [c + 64 for c in count[3]],  # by 64
        "prediction, 1 hidden": first,
        "prediction, 3 hidden": first,
        "no_grad": [0, 0, 0],
    }
    return memory, depths, sizes


def test_memory_claims_say_what_they_measured_at_the_largest_batch():
    memory, depths, sizes = _claims_input()
    memory["prediction, 1 hidden"] = [6500, 12900, 25600]  # not proportional
    memory["prediction, 3 hidden"] = [6000, 13000, 20000]
    claims = footprint.memory_claims(memory, depths, sizes)
    r1 = memory["training, 1 hidden"][-1] / 25600
    r3 = memory["training, 3 hidden"][-1] / 20000
    assert claims[3].text.startswith(
        f"training / prediction at batch 8: {r1:.2f} (1 hidden), "
        f"{r3:.2f} (3 hidden);"
    )
    assert not claims[2].holds


def test_memory_claims_say_what_they_measured():
    memory, depths, sizes = _claims_input()
    claims = footprint.memory_claims(memory, depths, sizes)
    r1 = memory["training, 1 hidden"][-1] / memory["prediction, 1 hidden"][-1]
    r3 = memory["training, 3 hidden"][-1] / memory["prediction, 3 hidden"][-1]
    params = footprint.parameter_bytes(mlp((16, 16, 16)))
    assert [c.text for c in claims] == [
        "under torch.no_grad() nothing is saved (0 tensors)",
        "measured bytes over the count by 0 to 64, within [0, 64]",
        "training grows with depth at every batch size; the prediction "
        "peak is the first layer's input + output, 4n(784 + 256), at "
        "every depth",
        f"training / prediction at batch 8: {r1:.2f} (1 hidden), "
        f"{r3:.2f} (3 hidden); below 1.1 at 1 hidden layer, above 2 at 3",
        f"at 3 hidden layers and batch 8, training keeps "
        f"{memory['training, 3 hidden'][-1] / 2**20:.2f} MiB, more than "
        f"the parameters' {params / 2**20:.2f} MiB",
    ]
    assert [c.holds for c in claims] == [True, True, True, False, False]


def test_memory_claims_decide_on_their_thresholds():
    memory, depths, sizes = _claims_input()
    holds = lambda m, bk=64: [  # noqa: E731
        c.holds for c in footprint.memory_claims(m, depths, sizes, bk)
    ]
    assert holds(memory)[1] and not holds(memory, 63)[1]
    low = dict(
        memory,
        **{
            "training, 1 hidden": [c - 1 for c in memory["training, 1 hidden"]]
        },
    )
    assert not holds(low)[1]
    odd = dict(memory, **{"prediction, 3 hidden": [1, 2, 3]})
    assert not holds(odd)[2]
    flat = dict(memory, **{"training, 3 hidden": memory["training, 1 hidden"]})
    assert not holds(flat)[2]
    pred = memory["prediction, 1 hidden"]
    ratios = {  # training / prediction at the largest batch
        (1.1, 3.0): False,
        (1.09, 3.0): True,
        (1.09, 2.0): False,
        (1.09, 2.01): True,
    }
    for (r1, r3), want in ratios.items():
        m = dict(memory)
        m["training, 1 hidden"] = [r1 * p for p in pred]
        m["training, 3 hidden"] = [r3 * p for p in pred]
        assert holds(m)[3] == want, (r1, r3)
    params = footprint.parameter_bytes(mlp((16, 16, 16)))
    for kept, want in ((params, False), (params + 1, True)):
        m = dict(memory, **{"training, 3 hidden": [0, 0, kept]})
        assert holds(m)[4] == want


def test_gradient_helpers_start_from_fresh_gradients():
    """Both helpers drop the old .grad tensors (zero_grad(set_to_none=True))
    instead of writing into them: a gradient a caller kept is left as it
    was."""
    import torch.nn.functional as F

    net = mlp((8,), init="he").double()
    X, y = batch(12)
    X = X.double()

    def accumulate():
        footprint.accumulated_gradients(net, X, y, micro=5)

    for helper in (accumulate, footprint.train_step(net, X, y)):
        F.cross_entropy(net(X[:3]), y[:3]).backward()
        kept = [p.grad for p in net.parameters()]
        copies = [g.clone() for g in kept]
        helper()
        assert all(p.grad is not g for p, g in zip(net.parameters(), kept))
        assert all(torch.equal(g, c) for g, c in zip(kept, copies))


def test_memory_helpers_draw_from_their_own_generators():
    """memory_by_depth draws its models' init and its batches from its
    seeded generator, memory_claims its model's init from its own: the
    global generator moves only as far as building the same models does
    (nn.Linear's constructor draws from it)."""
    depths = {1: (16,), 2: (16, 8)}

    def global_after(fn):
        torch.manual_seed(0)
        fn()
        return torch.rand(3)

    g = torch.Generator()
    want = global_after(lambda: [mlp(h, generator=g) for h in depths.values()])
    got = global_after(lambda: footprint.memory_by_depth(depths, [2, 4]))
    assert torch.equal(got, want)
    memory = footprint.memory_by_depth(depths, [2, 4])
    want = global_after(lambda: mlp(depths[2], generator=g))
    got = global_after(lambda: footprint.memory_claims(memory, depths, [2, 4]))
    assert torch.equal(got, want)


def test_a_measured_forward_can_still_be_backpropagated():
    """The hooks count what is saved and hand the tensors back unchanged:
    a loss kept from the measured forward gives autograd's gradient."""
    W = torch.nn.Parameter(torch.randn(3, 4, dtype=torch.float64))
    x = torch.randn(4, 5, dtype=torch.float64)
    losses = []

    def loss_fn():
        losses.append((torch.tanh(W @ x) ** 2).sum())
        return losses[-1]

    footprint.saved_for_backward(loss_fn, [W])
    (got,) = torch.autograd.grad(losses[0], W)
    (want,) = torch.autograd.grad((torch.tanh(W @ x) ** 2).sum(), W)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-14)
