"""The fast steps give what autograd's step gives (float64, same shuffles)."""

import pytest
import torch

from mlp_notes.data import Split
from mlp_notes.dropout import DropoutMLPScratch
from mlp_notes.models import MLPScratch, mlp
from mlp_notes.training import Recipe, fit
from mlp_notes.training.compare import backprop_vs_autograd
from mlp_notes.training.loop import minibatches
from mlp_notes.training.steps import AutogradStep, choose, relu_layers, why_not

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def relu_mlps():
    g = torch.Generator().manual_seed(0)
    return {
        "MLPScratch": MLPScratch(num_hiddens=32, sigma=0.1, generator=g),
        "784-32-10": mlp((32,), init="he", generator=g),
        "784-32-16-10": mlp((32, 16), init="default", generator=g),
    }


@pytest.mark.parametrize("name", ["MLPScratch", "784-32-10", "784-32-16-10"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_backprop_epoch_equals_autograd_epoch(small, name, label_smoothing):
    """Two epochs of 250 images in minibatches of 100 (a partial last one):
    the same weights, summed losses and counts as autograd + torch SGD."""
    X = small.X_train[:250].double().cpu()
    y = small.y_train[:250].cpu()
    nets = [relu_mlps()[name].double(), relu_mlps()[name].double()]
    recipe = Recipe(lr=0.5, batch_size=100, label_smoothing=label_smoothing)
    for epoch in range(2):
        check = backprop_vs_autograd(*nets, X, y, recipe, seed=7 + epoch)
        ours, ref = check["loss"]
        assert ours == pytest.approx(ref, rel=1e-12)
        assert check["correct"][0] == check["correct"][1]
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)
    assert any(  # and training moved the weights (the check can fail)
        not torch.equal(p, q)
        for p, q in zip(
            nets[0].parameters(), relu_mlps()[name].double().parameters()
        )
    )


def test_relu_layers_recognizes_only_relu_mlps():
    scratch = MLPScratch()
    (W1, b1), (W2, _) = relu_layers(scratch)
    assert W1.shape == (256, 784) and W2.shape == (10, 256)  # (out, in)
    assert W1.data_ptr() == scratch.W1.data_ptr()  # a view: updates land
    assert len(relu_layers(mlp((8, 8)))) == 3
    assert relu_layers(mlp((8,), activation="tanh")) is None
    assert relu_layers(mlp((8,), dropout=0.1)) is None
    assert relu_layers(mlp((8,), input_dropout=0.1)) is None
    assert relu_layers(mlp((8,), standardize=(0.3, 0.3))) is None
    assert relu_layers(DropoutMLPScratch()) is None
    no_bias = torch.nn.Sequential(torch.nn.Linear(4, 2, bias=False))
    assert relu_layers(no_bias) is None
    assert relu_layers(torch.nn.Sequential(torch.nn.ReLU())) is None
    odd_flatten = mlp((8,))
    odd_flatten[0] = torch.nn.Flatten(start_dim=0)
    assert relu_layers(odd_flatten) is None

    class Doubled(MLPScratch):  # inherits the declaration, not trusted
        def forward(self, X):
            return 2 * super().forward(X)

    assert relu_layers(Doubled()) is None


@pytest.mark.filterwarnings("ignore:.*weight_norm. is deprecated")
def test_models_that_would_train_differently_do_not_take_backprop():
    """A hook, a reparametrized weight or an extra parameter: the hand-
    derived step would silently train another function."""
    X = torch.rand(16, 1, 28, 28)
    recipe = Recipe()

    def reason(model):
        return why_not("backprop", model, CPU, recipe, "float32", X)

    hooked = mlp((8,))
    handle = hooked[1].register_forward_hook(lambda m, i, o: 2 * o)
    assert "forward pass" in reason(hooked)
    handle.remove()
    assert reason(hooked) is None
    normed = mlp((8,))  # weight recomputed from weight_g, weight_v
    normed[1] = torch.nn.utils.weight_norm(normed[1])
    assert reason(normed) is not None
    parametrized = mlp((8,))
    torch.nn.utils.parametrizations.weight_norm(parametrized[1])
    assert reason(parametrized) is not None
    extra = mlp((8,))
    extra.register_parameter("scale", torch.nn.Parameter(torch.ones(1)))
    assert reason(extra) is not None
    global_hook = torch.nn.modules.module.register_module_forward_hook(
        lambda m, i, o: o + 1
    )
    try:
        assert "forward pass" in reason(mlp((8,)))
    finally:
        global_hook.remove()
    assert reason(mlp((8,))) is None


def test_backprop_only_for_plain_constant_sgd():
    net, r = mlp((8,)), Recipe()
    assert why_not("backprop", net, CPU, r, "float32") is None
    sig = mlp((8,), activation="sigmoid")
    assert "ReLU MLP" in why_not("backprop", sig, CPU, r, "float32")
    for change in (
        {"momentum": 0.9},
        {"optimizer": "adamw"},
        {"schedule": "onecycle"},
        {"flip": True},
        {"weight_decay": 1e-3},
    ):
        assert why_not("backprop", net, CPU, r.replace(**change), "float32")
    assert "float32" in why_not("backprop", net, CPU, r, "bfloat16")


def test_cuda_graph_only_where_the_step_holds_no_state():
    r, net = Recipe(weight_decay=1e-3), mlp((8,))
    assert why_not("graph", net, CUDA, r, "float32") is None
    assert why_not("graph", net, CPU, r, "float32") == "needs CUDA"
    for change in ({"momentum": 0.9}, {"optimizer": "adamw"},
                   {"schedule": "onecycle"}, {"flip": True}):  # fmt: skip
        assert why_not("graph", net, CUDA, r.replace(**change), "float32")
    assert why_not("graph", net, CUDA, r, "bfloat16")
    # the model must be deterministic
    assert why_not("graph", MLPScratch(), CUDA, r, "float32") is None
    noisy = mlp((8,), dropout=0.1)
    assert "deterministic" in why_not("graph", noisy, CUDA, r, "float32")
    declared = DropoutMLPScratch(dropout1=0.0, dropout2=0.0)
    assert why_not("graph", declared, CUDA, r, "float32")  # declares itself


def tiny(device=CPU, weights=False) -> Split:
    X = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    y = torch.arange(8) % 10
    X, y = X.to(device), y.to(device)
    w = torch.ones(8, device=device) if weights else None
    return Split(X, y, X[:0], y[:0], X, y, w_train=w)


def test_choose_picks_the_fastest_and_rejects_what_cannot_train():
    net = mlp((8,))
    assert choose(net, tiny(), Recipe()).name == "backprop"
    assert choose(net, tiny(), Recipe(momentum=0.9)).name == "autograd"
    assert choose(net, tiny(weights=True), Recipe()).name == "autograd"
    with pytest.raises(ValueError, match="step 'graph' needs CUDA"):
        choose(net, tiny(), Recipe(step="graph"))
    with pytest.raises(ValueError, match="unweighted"):
        choose(net, tiny(weights=True), Recipe(step="backprop"))
    tanh = mlp((8,), activation="tanh")
    with pytest.raises(ValueError, match="ReLU MLP"):
        choose(tanh, tiny(), Recipe(step="backprop"))
    assert why_not("graph", net, CUDA, Recipe(), "float32") is None


def test_the_teaching_loop_trains_exactly_like_fit(small):
    """§4.2's loop, as a learner writes it, and fit (with its hand-derived
    step and with autograd's): the same parameters in float64 after two
    epochs of 300 images in minibatches of 128 (a partial last one)."""
    from mlp_notes.training.teaching import train_plain

    X, y = small.X_train[:300].double().cpu(), small.y_train[:300].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    nets = [
        MLPScratch(
            sigma=0.1, generator=torch.Generator().manual_seed(1)
        ).double()
        for _ in range(3)
    ]
    recipe = Recipe(lr=0.3, batch_size=128, num_epochs=2)
    g = torch.Generator().manual_seed(5)
    val_acc = train_plain(
        nets[0], data, lr=0.3, num_epochs=2, batch_size=128, generator=g
    )
    for net, step in zip(nets[1:], ("backprop", "autograd")):
        g = torch.Generator().manual_seed(5)
        h = fit(net, data, recipe.replace(step=step), generator=g)
        assert h.step == step
        assert val_acc == h.val_acc  # the validation accuracy of each epoch
    with torch.no_grad():
        right = nets[0](data.X_val).argmax(1) == data.y_val
    assert val_acc[-1] == right.double().mean().item()
    start = MLPScratch(sigma=0.1, generator=torch.Generator().manual_seed(1))
    assert not torch.equal(nets[0].W1, start.W1.double())  # it trained
    for other in nets[1:]:
        for p, q in zip(nets[0].parameters(), other.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_weights_make_the_loss_a_weighted_mean(small):
    """Weights 2 on some examples and 0 on the rest train like the
    unweighted loss on the weighted examples alone, scaled by their share
    (one full minibatch: the gradient is 2 * k/n times theirs)."""
    X, y = small.X_train[:64].double().cpu(), small.y_train[:64].cpu()
    w = torch.zeros(64, dtype=torch.float64)
    w[:16] = 2.0
    nets = [mlp((8,), generator=torch.Generator().manual_seed(0)).double()
            for _ in range(2)]  # fmt: skip
    weighted = Split(X, y, X[:0], y[:0], X, y, w_train=w)
    plain = Split(X[:16], y[:16], X[:0], y[:0], X, y)
    fit(nets[0], weighted, Recipe(lr=0.8, batch_size=64, num_epochs=1))
    fit(nets[1], plain, Recipe(lr=0.8 * 2 * 16 / 64, batch_size=64,
                               num_epochs=1, step="autograd"))  # fmt: skip
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)
    moved = mlp((8,), generator=torch.Generator().manual_seed(0)).double()
    assert not torch.equal(nets[0][1].weight, moved[1].weight)


def test_split_refuses_weights_that_do_not_fit():
    X, y = torch.rand(4, 1, 28, 28), torch.arange(4)
    for w in (torch.ones(3), -torch.ones(4), torch.full((4,), float("nan")),
              torch.ones(4, dtype=torch.long)):  # fmt: skip
        with pytest.raises(ValueError, match="w_train"):
            Split(X, y, X[:0], y[:0], X, y, w_train=w)


def test_minibatches_cover_each_example_once_per_epoch():
    from mlp_notes.training.batches import Minibatches

    ticks = []
    b = Minibatches(
        10,
        4,
        generator=torch.Generator().manual_seed(0),
        on_batch=lambda done, total: ticks.append((done, total)),
    )
    parts = list(b)
    assert [len(p) for p in parts] == [4, 4, 2] and len(b) == 3
    assert sorted(torch.cat(parts).tolist()) == list(range(10))
    assert ticks == [(1, 3), (2, 3), (3, 3)]
    again = Minibatches(10, 4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(again.perm, b.perm)  # one generator state: one order


def test_fit_auto_takes_the_backprop_step_with_the_same_result(small):
    """On the CPU, fit's default step for the chapter's model is BackpropSGD
    (no .grad is left behind); it trains as autograd does."""
    nets, hists = [], []
    for step in ("auto", "autograd"):
        g = torch.Generator().manual_seed(3)
        net = MLPScratch(generator=g)
        recipe = Recipe(num_epochs=2, step=step)
        hists.append(fit(net, small, recipe, generator=g))
        nets.append(net)
    if small.device.type == "cpu":
        assert hists[0].step == "backprop"
        assert all(p.grad is None for p in nets[0].parameters())
    else:  # on CUDA, "auto" replays a graph
        assert hists[0].step == "graph"
    assert hists[1].step == "autograd"
    assert all(p.grad is not None for p in nets[1].parameters())
    assert hists[0].train_loss == pytest.approx(hists[1].train_loss, rel=1e-4)
    assert hists[0].val_acc == pytest.approx(hists[1].val_acc, abs=2e-3)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-3, atol=1e-4)


def test_backprop_step_records_divergence(small):
    """A learning rate that overflows the weights: the loss stops being
    finite and fit records the epoch, as with autograd's step."""
    epochs = []
    for step in ("backprop", "autograd"):
        g = torch.Generator().manual_seed(0)
        recipe = Recipe(num_epochs=3, lr=1e10, step=step)
        h = fit(MLPScratch(generator=g), small, recipe, generator=g)
        assert h.diverged and h.test_acc is None
        epochs.append(h.diverged_at)
    assert epochs[0] == epochs[1]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("batch_size", [512, 8000])  # 6000 = 11*512 + 368
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cuda_graph_replays_equal_eager_steps(
    small, batch_size, label_smoothing
):
    """fit's graphed epochs = the autograd step's, same minibatches,
    with a partial last minibatch and with one minibatch of everything,
    with and without label smoothing."""
    nets, losses = [], []
    for step in ("graph", "autograd"):
        g = torch.Generator().manual_seed(3)
        net = mlp((64,), dropout=0.0, init="normal", generator=g)
        recipe = Recipe(num_epochs=2, batch_size=batch_size,
                        weight_decay=1e-3, step=step,
                        label_smoothing=label_smoothing)  # fmt: skip
        losses.append(fit(net, small, recipe, generator=g).train_loss)
        nets.append(net)
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q)
    # and the autograd step still trains a graphed model eagerly
    recipe = Recipe(batch_size=batch_size)
    step = AutogradStep(nets[0], small, recipe)
    loss_sum, _ = step.epoch(minibatches(small, recipe))
    assert loss_sum / len(small.X_train) < losses[0][0]


def textbook_epoch(net, X, y, w, recipe, opt, sched, batches):
    """One epoch as a learner writes it: mirror the chosen images along
    the width axis, the weighted mean of the smoothed cross-entropy, SGD's
    step, the schedule's step; the summed loss and correct count."""
    total, correct = 0.0, 0
    for rows, idx in batches.spans():
        Xb = X[idx].clone()
        m = batches.mirror[rows]
        Xb[m] = torch.flip(Xb[m], dims=[3])  # (n, 1, 28, 28): left-right
        logits = net(Xb)
        ls = recipe.label_smoothing
        each = torch.nn.functional.cross_entropy(
            logits, y[idx], label_smoothing=ls, reduction="none"
        )
        loss = (each * w[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(idx)
        correct += int((logits.argmax(1) == y[idx]).sum())
    return total, correct


@pytest.mark.filterwarnings("error")  # and no warning on the way
def test_autograd_step_equals_a_textbook_loop(small):
    """The autograd step by itself (float32, as constructed): flips,
    per-example weights with label smoothing, momentum and the one-cycle
    schedule over two epochs of 200 images in minibatches of 64 (a
    partial last one) give a textbook loop's losses, counts and weights."""
    from mlp_notes.training.batches import Minibatches

    X, y = small.X_train[:200].cpu(), small.y_train[:200].cpu()
    w = torch.rand(200, generator=torch.Generator().manual_seed(1)) * 2
    data = Split(X, y, X[:0], y[:0], X[:0], y[:0], w_train=w)
    recipe = Recipe(
        lr=0.2,
        batch_size=64,
        num_epochs=2,
        momentum=0.9,
        schedule="onecycle",
        label_smoothing=0.1,
        flip=True,
    )
    nets = [mlp((16,), generator=torch.Generator().manual_seed(0))
            for _ in range(2)]  # fmt: skip
    step = AutogradStep(nets[0], data, recipe)
    opt = torch.optim.SGD(nets[1].parameters(), lr=0.2, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.2, total_steps=2 * 4)
    for seed in (3, 4):
        batches = [
            Minibatches(
                200,
                64,
                flip=True,
                generator=torch.Generator().manual_seed(seed),
            )
            for _ in range(2)
        ]
        assert batches[0].mirror.any() and not batches[0].mirror.all()
        ours = step.epoch(batches[0])
        ref = textbook_epoch(nets[1], X, y, w, recipe, opt, sched, batches[1])
        assert ours[0] == pytest.approx(ref[0], rel=1e-5)
        assert ours[1] == ref[1]
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_mixed_precision_step_runs_the_forward_pass_in_bfloat16(
    small, monkeypatch
):
    """Where bfloat16 is fast, a mixed-precision recipe takes the autograd
    step (the fast steps need float32) and trains as a loop under
    ``torch.autocast(dtype=torch.bfloat16)`` does, whatever autocast's
    default type is (float16 on CUDA); the history says so."""
    from mlp_notes import precision

    monkeypatch.setattr(precision, "mixed_precision_is_fast", lambda d: True)
    X, y = small.X_train[:128].cpu(), small.y_train[:128].cpu()
    data = Split(X, y, X[:32], y[:32], X[:32], y[:32])
    recipe = Recipe(lr=0.5, batch_size=128, num_epochs=1, mixed_precision=True)
    with pytest.raises(ValueError) as refused:
        choose(mlp((16,)), data, recipe.replace(step="backprop"))
    assert str(refused.value) == (
        "step 'backprop' needs float32 (this run trains in mixed precision)"
    )
    nets = [mlp((16,), generator=torch.Generator().manual_seed(0))
            for _ in range(3)]  # fmt: skip
    default = torch.get_autocast_dtype("cpu")
    torch.set_autocast_dtype("cpu", torch.float16)
    try:
        h = fit(nets[0], data, recipe, generator=torch.Generator())
        plain = fit(nets[2], data, recipe.replace(mixed_precision=False))
    finally:
        torch.set_autocast_dtype("cpu", default)
    assert (h.step, h.precision, h.requested_precision) == (
        "autograd",
        "bfloat16",
        "bfloat16",
    )
    assert (plain.step, plain.precision) == ("backprop", "float32")
    opt = torch.optim.SGD(nets[1].parameters(), lr=0.5)
    idx = torch.randperm(128, generator=torch.Generator())
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = nets[1](X[idx])
        loss = torch.nn.functional.cross_entropy(logits, y[idx])
    assert logits.dtype == torch.bfloat16
    loss.backward()
    opt.step()
    assert h.train_loss[0] == pytest.approx(loss.item(), rel=1e-6)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q)
    assert not torch.allclose(nets[0][1].weight, nets[2][1].weight, atol=1e-6)


def test_fit_with_backprop_honours_label_smoothing(small):
    """fit's hand-derived step with label smoothing: the autograd step's
    weights and losses (float64, two epochs of 300 images)."""
    X, y = small.X_train[:300].double().cpu(), small.y_train[:300].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    recipe = Recipe(lr=0.3, batch_size=128, num_epochs=2, label_smoothing=0.2)
    nets, hists = [], []
    for step in ("backprop", "autograd"):
        g = torch.Generator().manual_seed(2)
        nets.append(mlp((16,), generator=g).double())
        hists.append(
            fit(nets[-1], data, recipe.replace(step=step), generator=g)
        )
    assert [h.step for h in hists] == ["backprop", "autograd"]
    assert hists[0].train_loss == pytest.approx(hists[1].train_loss, rel=1e-12)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_refusals_say_why_in_words():
    """What a learner reads when a step cannot train their run."""
    net, r, X = mlp((8,)), Recipe(), torch.rand(16, 1, 28, 28)

    def why(step, model=net, device=CPU, recipe=r, precision="float32", **kw):
        return why_not(step, model, device, recipe, precision, **kw)

    sgd = "needs SGD without momentum at a constant rate, no flips"
    assert why("backprop", weighted=True) == (
        "needs unweighted examples (the split has loss weights)"
    )
    assert why("graph", device=CUDA, weighted=True) == (
        "needs unweighted examples (the split has loss weights)"
    )
    assert why("backprop", recipe=r.replace(momentum=0.9)) == sgd
    assert why("graph", device=CUDA, recipe=r.replace(flip=True)) == sgd
    assert why("backprop", precision="bfloat16") == (
        "needs float32 (this run trains in mixed precision)"
    )
    assert why("backprop", recipe=r.replace(weight_decay=1e-3)) == (
        "needs SGD without weight decay"
    )
    assert why("backprop", model=mlp((8,), activation="sigmoid")) == (
        "needs a ReLU MLP whose parameters are its layers"
    )
    hooked = mlp((8,))
    hooked[1].register_forward_hook(lambda m, i, o: 2 * o)
    assert why("backprop", model=hooked, sample=X) == (
        "needs a model whose forward pass is its layers"
    )
    assert why("graph", model=mlp((8,), dropout=0.1), device=CUDA) == (
        "needs a deterministic model (no dropout)"
    )
    with pytest.raises(ValueError) as refused:
        choose(net, tiny(), r.replace(weight_decay=1e-3, step="backprop"))
    assert (
        str(refused.value) == "step 'backprop' needs SGD without weight decay"
    )


def test_choose_runs_the_model_on_training_images_before_backprop():
    """A model whose forward pass is not its layers (a hook doubling the
    hidden layer): "auto" trains it with autograd, "backprop" refuses."""
    hooked = mlp((8,))
    hooked[1].register_forward_hook(lambda m, i, o: 2 * o)
    assert relu_layers(hooked) is not None  # its layers look right
    assert choose(hooked, tiny(), Recipe()).name == "autograd"
    with pytest.raises(
        ValueError, match="step 'backprop' needs a model whose"
    ):
        choose(hooked, tiny(), Recipe(step="backprop"))


def test_layer_shapes_that_are_not_an_mlp_are_not_taken_for_one():
    nn = torch.nn
    ends_in_relu = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU())
    assert relu_layers(ends_in_relu) is None
    two_relus = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.ReLU())
    assert relu_layers(two_relus) is None
    # a dropout layer that drops nothing keeps the model deterministic
    off = nn.Sequential(nn.Flatten(), nn.Linear(784, 8), nn.ReLU(),
                        nn.Dropout(0.0), nn.Linear(8, 10))  # fmt: skip
    assert why_not("graph", off, CUDA, Recipe(), "float32") is None
    off[3].p = 0.5
    assert why_not("graph", off, CUDA, Recipe(), "float32") is not None


def test_minibatches_draw_flips_from_the_generator_on_the_device():
    """With flip, which images to mirror is drawn by the generator too
    (one generator state: one epoch, flips included), about half of
    them; the permutation and the flips live on ``device``."""
    from mlp_notes.training.batches import Minibatches

    a, b = (
        Minibatches(
            1000, 64, flip=True, generator=torch.Generator().manual_seed(0)
        )
        for _ in range(2)
    )
    assert torch.equal(a.perm, b.perm) and torch.equal(a.mirror, b.mirror)
    assert a.mirror.dtype == torch.bool and a.mirror.shape == (1000,)
    assert 400 < int(a.mirror.sum()) < 600
    assert Minibatches(1000, 64).mirror is None  # no flip: nothing drawn
    meta = Minibatches(10, 4, flip=True, device="meta")
    assert meta.perm.device.type == "meta" == meta.mirror.device.type


def test_backprop_sgd_without_label_smoothing_is_plain_cross_entropy(small):
    """BackpropSGD as §4.7 builds it (no label_smoothing given) trains as
    autograd on the plain cross-entropy does."""
    from mlp_notes.training.backprop_sgd import BackpropSGD
    from mlp_notes.training.batches import Minibatches

    X, y = small.X_train[:200].double().cpu(), small.y_train[:200].cpu()
    nets = [mlp((16,), generator=torch.Generator().manual_seed(0)).double()
            for _ in range(2)]  # fmt: skip
    ours = BackpropSGD(relu_layers(nets[0]), X, y, lr=0.5)
    data = Split(X, y, X[:0], y[:0], X[:0], y[:0])
    ref = AutogradStep(nets[1], data, Recipe(lr=0.5, batch_size=64))
    sums = [
        step.epoch(Minibatches(200, 64, generator=torch.Generator()))
        for step in (ours, ref)
    ]
    assert sums[0][0] == pytest.approx(sums[1][0], rel=1e-12)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_fit_with_flip_mirrors_as_a_textbook_loop_does(small):
    """fit with ``flip``: each epoch mirrors the images its generator
    draws, as the textbook loop does on the same minibatches."""
    from mlp_notes.training.batches import Minibatches

    X, y = small.X_train[:200].cpu(), small.y_train[:200].cpu()
    data = Split(X, y, X[:50], y[:50], X[:50], y[:50])
    recipe = Recipe(lr=0.3, batch_size=64, num_epochs=1, flip=True)
    nets = [mlp((16,), generator=torch.Generator().manual_seed(0))
            for _ in range(2)]  # fmt: skip
    h = fit(nets[0], data, recipe, generator=torch.Generator().manual_seed(6))
    opt = torch.optim.SGD(nets[1].parameters(), lr=0.3)
    constant = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    g = torch.Generator().manual_seed(6)
    batches = Minibatches(200, 64, flip=True, generator=g)
    w = torch.ones(200)
    ref = textbook_epoch(nets[1], X, y, w, recipe, opt, constant, batches)
    assert h.step == "autograd"
    assert h.train_loss[0] == pytest.approx(ref[0] / 200, rel=1e-5)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q)
