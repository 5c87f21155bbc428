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
    train_plain(
        nets[0], data, lr=0.3, num_epochs=2, batch_size=128, generator=g
    )
    for net, step in zip(nets[1:], ("backprop", "autograd")):
        g = torch.Generator().manual_seed(5)
        h = fit(net, data, recipe.replace(step=step), generator=g)
        assert h.step == step
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
def test_cuda_graph_replays_equal_eager_steps(small, batch_size):
    """fit's graphed epochs = the autograd step's, same minibatches,
    with a partial last minibatch and with one minibatch of everything."""
    nets, losses = [], []
    for step in ("graph", "autograd"):
        g = torch.Generator().manual_seed(3)
        net = mlp((64,), dropout=0.0, init="normal", generator=g)
        recipe = Recipe(num_epochs=2, batch_size=batch_size,
                        weight_decay=1e-3, step=step)  # fmt: skip
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
