import math

import pytest
import torch

from mlp_notes.data import Split, fashion_mnist_split
from mlp_notes.models import MLPScratch, mlp
from mlp_notes.training import Recipe, accuracy, fit


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
    losses = []
    for i in range(0, len(perm), 512):
        idx = perm[i : i + 512]
        loss = torch.nn.functional.cross_entropy(
            net2(small.X_train[idx]), small.y_train[idx]
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item() * len(idx))
    assert h.train_loss[0] == pytest.approx(sum(losses) / len(perm), rel=1e-5)
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
