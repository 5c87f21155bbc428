import math
import time

import pytest
import torch

from mlp_notes.data import Split, fashion_mnist_split
from mlp_notes.models import MLPScratch, mlp
from mlp_notes.training import History, Recipe, accuracy, fit, workload


def test_split_holds_out_validation_from_training():
    d = fashion_mnist_split()
    assert len(d.X_train) == 50_000 and len(d.X_val) == 10_000
    assert len(d.X_test) == 10_000
    # no validation image is also a training image
    train = {hash(x.cpu().numpy().tobytes()) for x in d.X_train[::50]}
    val = {hash(x.cpu().numpy().tobytes()) for x in d.X_val}
    assert len(train & val) <= 2  # Fashion-MNIST has a few exact duplicates


def test_fit_learns_and_records_history(small):
    g = torch.Generator().manual_seed(0)
    h = fit(MLPScratch(generator=g), small, Recipe(num_epochs=8), generator=g)
    assert h.epochs == 8 and len(h.val_acc) == len(h.seconds) == 8
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_acc[-1] > 0.7 and h.test_acc > 0.7
    assert not h.diverged


def test_fit_matches_a_plain_reference_loop(small):
    """Same seed, same data order: our fit equals a textbook loop."""
    g1, g2 = (torch.Generator().manual_seed(5) for _ in range(2))
    net1, net2 = MLPScratch(generator=g1), MLPScratch(generator=g2)
    net2.to(small.device)  # fit moves net1 itself
    recipe = Recipe(num_epochs=1, batch_size=512, step="autograd")
    h = fit(net1, small, recipe, generator=g1)
    opt = torch.optim.SGD(net2.parameters(), lr=0.1)
    perm = torch.randperm(len(small.X_train), generator=g2)
    losses, correct = [], 0
    for i in range(0, len(perm), 512):
        idx = perm[i : i + 512]
        logits = net2(small.X_train[idx])
        loss = torch.nn.functional.cross_entropy(logits, small.y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item() * len(idx))
        correct += int((logits.argmax(1) == small.y_train[idx]).sum())
    assert h.train_loss[0] == pytest.approx(sum(losses) / len(perm), rel=1e-5)
    assert h.train_acc[0] == correct / len(
        perm
    )  # on the minibatches as trained
    for p, q in zip(net1.parameters(), net2.parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_accuracy_against_manual_count(small):
    net = mlp((16,), generator=torch.Generator().manual_seed(0))
    net.to(small.device)
    with torch.no_grad():
        manual = (net(small.X_val).argmax(1) == small.y_val).float().mean()
    assert accuracy(net, small.X_val, small.y_val, 777) == pytest.approx(
        manual.item()
    )


def test_mirror_accuracy_averages_image_and_mirror_image(small):
    net = mlp((16,), generator=torch.Generator().manual_seed(0))
    net.to(small.device)
    X, y = small.X_val[:1000], small.y_val[:1000]
    with torch.no_grad():
        p = net(X).softmax(1) + net(X.flip(-1)).softmax(1)
    manual = (p.argmax(1) == y).float().mean().item()
    assert accuracy(net, X, y, 300, mirror=True) == pytest.approx(manual)
    # a mirror-symmetric input set: mirroring changes nothing
    Xs = (X + X.flip(-1)) / 2
    assert accuracy(net, Xs, y, mirror=True) == accuracy(net, Xs, y)


def test_accuracy_of_nothing_is_an_error(small):
    net = mlp((16,)).to(small.device)
    with pytest.raises(ValueError, match="empty"):
        accuracy(net, small.X_val[:0], small.y_val[:0])


def test_divergence_is_recorded_not_raised(small):
    g = torch.Generator().manual_seed(0)
    net = mlp((64,), activation="identity", init="default", generator=g)
    h = fit(net, small, Recipe(num_epochs=5, lr=1e4), generator=g)
    assert h.diverged and h.diverged_at == h.epochs
    assert not math.isfinite(h.train_loss[-1]) and h.test_acc is None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": 0}, "lr must be"),
        ({"lr": -0.1}, "lr must be"),
        ({"lr": float("nan")}, "lr must be"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"num_epochs": 0}, "num_epochs must be"),
        ({"optimizer": "adagrad"}, "optimizer must be"),
        ({"schedule": "cosine"}, "schedule must be"),
        ({"step": "magic"}, "step must be"),
    ],
)
def test_bad_recipes_raise_naming_the_bound(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Recipe(**kwargs)


def test_onecycle_adamw_label_smoothing_runs(small):
    g = torch.Generator().manual_seed(0)
    recipe = Recipe(
        num_epochs=2,
        lr=3e-3,
        optimizer="adamw",
        weight_decay=0.01,
        schedule="onecycle",
        label_smoothing=0.1,
    )
    h = fit(
        mlp((64,), init="default", generator=g), small, recipe, generator=g
    )
    assert h.val_acc[-1] > 0.7


def test_split_is_a_frozen_record(small):
    assert isinstance(small, Split) and small.device.type in ("cpu", "cuda")


def test_flip_augments_a_copy_not_the_data(small):
    before = small.X_train.clone()
    g = torch.Generator().manual_seed(0)
    net = mlp((64,), init="he", generator=g)
    h = fit(net, small, Recipe(num_epochs=3, flip=True), generator=g)
    assert torch.equal(small.X_train, before)
    assert h.val_acc[-1] > 0.65


def test_mixed_precision_learns_like_float32(small):
    """bfloat16 autocast: the same run, a few thousandths apart."""
    accs = []
    for mixed in (False, True):
        g = torch.Generator().manual_seed(0)
        net = mlp((256,), init="default", generator=g)
        recipe = Recipe(num_epochs=3, lr=3e-3, optimizer="adamw",
                        mixed_precision=mixed)  # fmt: skip
        h = fit(net, small, recipe, generator=g)
        accs.append(h.val_acc[-1])
        assert all(p.dtype == torch.float32 for p in net.parameters())
    assert accs[1] > 0.8 and abs(accs[0] - accs[1]) < 0.02


def test_refit_split_has_no_validation_and_fit_records_none():
    d = fashion_mnist_split(val_size=0, subset=3000)
    assert len(d.X_val) == 0 and len(d.X_train) == 3000
    g = torch.Generator().manual_seed(0)
    net = mlp((32,), init="default", generator=g)
    h = fit(net, d, Recipe(num_epochs=3), generator=g)
    assert h.val_acc == [] and h.epochs == 3 and h.test_acc > 0.6


@pytest.mark.parametrize("val_size", [-1, 60_000])
def test_bad_val_size_raises(val_size):
    with pytest.raises(ValueError, match="val_size must be"):
        fashion_mnist_split(val_size=val_size)


def test_empty_subset_raises():
    with pytest.raises(ValueError, match="subset must be"):
        fashion_mnist_split(subset=0)


def test_recipe_replace_is_checked_like_a_new_recipe():
    r = Recipe()
    assert r.replace(lr=0.3).lr == 0.3 and r.lr == 0.1  # frozen
    with pytest.raises(ValueError, match="lr must be"):
        r.replace(lr=0)


class Recorder:
    """A callback that writes down what fit tells it."""

    def __init__(self):
        self.events = []

    def on_batch(self, done, total):
        self.events.append(("batch", done, total))

    def on_epoch(self, history):
        self.events.append(("epoch", history.epochs))

    def on_end(self, history, workload, seconds):
        self.events.append(("end", history.epochs, workload))
        self.seconds = seconds


def test_fit_tells_callbacks_each_minibatch_epoch_and_the_end(small):
    """300 images in minibatches of 128: three minibatches an epoch, then
    the epoch, then once the end with the run's workload; a callback
    without some of the methods hears only the others."""
    X, y = small.X_train[:300].cpu(), small.y_train[:300].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    seen, partial = Recorder(), type("OnlyEnd", (), {})()
    partial.on_end = lambda h, w, s: seen.events.append(("partial", w))
    net = mlp((8,), generator=torch.Generator().manual_seed(0))
    recipe = Recipe(num_epochs=2, batch_size=128)
    began = time.perf_counter()
    h = fit(
        net,
        data,
        recipe,
        generator=torch.Generator(),
        callbacks=[seen, partial],
    )
    took = time.perf_counter() - began
    batches = [("batch", k, 3) for k in (1, 2, 3)]
    assert seen.events == [
        *batches, ("epoch", 1), *batches, ("epoch", 2),
        ("end", 2, "sgd/backprop"), ("partial", "sgd/backprop"),
    ]  # fmt: skip
    # seconds: each epoch's, and the whole run's (choosing the step, the
    # evaluations) for on_end
    assert len(h.seconds) == 2 and all(s > 0 for s in h.seconds)
    assert sum(h.seconds) < seen.seconds <= took


def test_workload_names_optimizer_step_and_mixed_precision():
    assert workload(Recipe(), "backprop") == "sgd/backprop"
    mixed = Recipe(optimizer="adamw", mixed_precision=True)
    assert workload(mixed, "autograd") == "adamw/autograd/mixed"


def test_history_says_what_was_asked_and_what_ran(small, monkeypatch):
    """Mixed precision asked where bfloat16 is not fast: the run trains in
    float32 with autograd, and the history records both."""
    from mlp_notes import precision

    monkeypatch.setattr(precision, "mixed_precision_is_fast", lambda d: False)
    X, y = small.X_train[:256].cpu(), small.y_train[:256].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    net = mlp((8,), generator=torch.Generator().manual_seed(0))
    h = fit(net, data, Recipe(num_epochs=1, mixed_precision=True))
    assert (h.requested_precision, h.precision, h.step) == (
        "bfloat16", "float32", "backprop"
    )  # fmt: skip
    h = fit(net, data, Recipe(num_epochs=1, step="autograd"))
    assert (h.requested_precision, h.precision, h.step) == (
        "float32", "float32", "autograd"
    )  # fmt: skip


def test_divergence_stops_training_at_that_epoch(small):
    """The first epoch whose loss is not finite ends the run: no later
    epoch, a NaN validation accuracy for it, no test accuracy, no
    on_epoch call for it."""
    X, y = small.X_train[:512].cpu(), small.y_train[:512].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    net = mlp((8,), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net[1].weight.fill_(float("inf"))
    seen = Recorder()
    h = fit(net, data, Recipe(num_epochs=4), callbacks=[seen])
    assert h.diverged_at == 1 == h.epochs and h.test_acc is None
    assert math.isnan(h.val_acc[0]) and math.isnan(h.train_loss[0])
    assert [e for e in seen.events if e[0] != "batch"] == [
        ("end", 1, f"sgd/{h.step}")
    ]


def test_late_val_acc_averages_the_last_epochs():
    h = History(val_acc=[0.1, 0.2, 0.4, 0.6, 0.8])
    assert h.late_val_acc() == pytest.approx((0.4 + 0.6 + 0.8) / 3)
    assert h.late_val_acc(2) == pytest.approx(0.7)
    assert h.late_val_acc(upto=3) == pytest.approx((0.1 + 0.2 + 0.4) / 3)
    assert h.late_val_acc(5, upto=2) == pytest.approx(0.15)  # fewer there
    assert h.late_val_acc(1, upto=1) == 0.1


def test_accuracy_runs_the_model_on_batch_size_images_at_a_time(small):
    """The batch size bounds the images a forward pass sees at once (its
    memory): by default 4096."""
    net = mlp((8,), generator=torch.Generator().manual_seed(0))
    net.to(small.device)
    sizes = []
    net.register_forward_hook(lambda m, i, o: sizes.append(len(i[0])))
    X, y = small.X_train[:5000], small.y_train[:5000]
    whole = accuracy(net, X, y)
    assert sizes == [4096, 904]
    sizes.clear()
    assert accuracy(net, X[:1000], y[:1000], 300, mirror=True) == accuracy(
        net, X[:1000], y[:1000], mirror=True
    )
    assert sizes[:8] == [300, 300, 300, 300, 300, 300, 100, 100]
    with torch.no_grad():
        manual = (net(X).argmax(1) == y).double().mean().item()
    assert whole == pytest.approx(manual)


def test_minibatches_of_a_split_without_callbacks(small):
    """An epoch's minibatches of the training images by the recipe, with
    nobody to tell: every image once, the last minibatch smaller."""
    from mlp_notes.training.loop import minibatches

    b = minibatches(small, Recipe(batch_size=2500))
    parts = list(b)
    assert [len(p) for p in parts] == [2500, 2500, 1000] and b.mirror is None
    assert sorted(torch.cat(parts).tolist()) == list(range(6000))
    assert minibatches(small, Recipe(flip=True)).mirror is not None
