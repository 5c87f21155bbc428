"""The fast steps give what autograd's step gives (float64, same shuffles)."""

import pytest
import torch

from mlp_notes.dropout import DropoutMLPScratch
from mlp_notes.models import MLPScratch, mlp
from mlp_notes.steps import (
    BackpropSGD,
    backprop_eligible,
    graph_eligible,
    relu_layers,
)
from mlp_notes.training import fit, train_epoch


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
    opts = [torch.optim.SGD(net.parameters(), lr=0.5) for net in nets]
    manual = BackpropSGD(relu_layers(nets[0]), opts[0],
                         label_smoothing=label_smoothing)  # fmt: skip
    g1, g2 = (torch.Generator().manual_seed(7) for _ in range(2))
    for _ in range(2):
        ours = manual.epoch(X, y, batch_size=100, generator=g1)
        ref = train_epoch(nets[1], X, y, opts[1], batch_size=100,
                          generator=g2,
                          label_smoothing=label_smoothing)  # fmt: skip
        assert ours[0] == pytest.approx(ref[0], rel=1e-12)
        assert ours[1] == ref[1]
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


@pytest.mark.filterwarnings("ignore:.*weight_norm. is deprecated")
def test_relu_layers_rejects_what_would_train_differently():
    """Models whose forward pass is not just their Linear weights: the
    hand-derived step would silently skip what autograd trains."""
    hooked = mlp((8,))
    handle = hooked[1].register_forward_hook(lambda m, i, o: 2 * o)
    assert relu_layers(hooked) is None
    handle.remove()
    assert relu_layers(hooked) is not None
    normed = mlp((8,))  # weight recomputed from weight_g, weight_v
    normed[1] = torch.nn.utils.weight_norm(normed[1])
    assert relu_layers(normed) is None
    parametrized = mlp((8,))
    torch.nn.utils.parametrizations.weight_norm(parametrized[1])
    assert relu_layers(parametrized) is None
    extra = mlp((8,))
    extra.register_parameter("scale", torch.nn.Parameter(torch.ones(1)))
    assert relu_layers(extra) is None
    global_hook = torch.nn.modules.module.register_module_forward_hook(
        lambda m, i, o: o
    )
    try:
        assert relu_layers(mlp((8,))) is None
    finally:
        global_hook.remove()
    assert relu_layers(mlp((8,))) is not None


def test_backprop_only_for_plain_constant_sgd():
    net = mlp((8,))
    params = list(net.parameters())
    sgd = torch.optim.SGD(params, lr=0.1)
    assert backprop_eligible(net, sgd)
    assert not backprop_eligible(mlp((8,), activation="sigmoid"), sgd)
    assert not backprop_eligible(net, torch.optim.SGD(params, 0.1, 0.9))
    wd = torch.optim.SGD(params, lr=0.1, weight_decay=1e-3)
    assert not backprop_eligible(net, wd)
    assert not backprop_eligible(net, torch.optim.AdamW(params))
    assert not backprop_eligible(net, torch.optim.SGD(params[:2], lr=0.1))
    other = torch.optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(other, 1)
    assert not backprop_eligible(net, other, sched)
    assert not backprop_eligible(net, sgd, flip=True)
    assert not backprop_eligible(net, sgd, mixed_precision=True)


def test_fit_auto_takes_the_backprop_step_with_the_same_result(small):
    """On the CPU, fit's default step for the chapter's model is BackpropSGD
    (no .grad is left behind); it trains as autograd does."""
    nets, hists = [], []
    for step in ("auto", "autograd"):
        g = torch.Generator().manual_seed(3)
        net = MLPScratch(generator=g)
        hists.append(fit(net, small, num_epochs=2, lr=0.1, step=step,
                         generator=g))  # fmt: skip
        nets.append(net)
    if small.device.type == "cpu":
        assert all(p.grad is None for p in nets[0].parameters())
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
        h = fit(MLPScratch(generator=g), small, num_epochs=3, lr=1e10,
                step=step, generator=g)  # fmt: skip
        assert h.diverged and h.test_acc is None
        epochs.append(h.diverged_at)
    assert epochs[0] == epochs[1]


def test_fit_rejects_an_unknown_or_ineligible_step(small):
    net = mlp((8,), activation="tanh")
    with pytest.raises(ValueError, match="step must be one of"):
        fit(net, small, num_epochs=1, lr=0.1, step="fused")
    with pytest.raises(ValueError, match="backprop_eligible"):
        fit(net, small, num_epochs=1, lr=0.1, step="backprop")
    if small.device.type == "cpu":
        with pytest.raises(ValueError, match="graph_eligible"):
            fit(mlp((8,)), small, num_epochs=1, lr=0.1, step="graph")


def test_cuda_graph_only_where_the_step_holds_no_state():
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    params = [torch.nn.Parameter(torch.zeros(3))]
    sgd = torch.optim.SGD(params, lr=0.1, weight_decay=1e-3)
    assert graph_eligible(cuda, sgd)
    assert not graph_eligible(cpu, sgd)
    assert not graph_eligible(cuda, torch.optim.SGD(params, 0.1, momentum=0.9))
    assert not graph_eligible(cuda, torch.optim.AdamW(params))
    other = torch.optim.SGD(params, lr=0.1)  # OneCycleLR sets momentum
    sched = torch.optim.lr_scheduler.OneCycleLR(other, 0.1, total_steps=5)
    assert not graph_eligible(cuda, sgd, sched)
    assert not graph_eligible(cuda, sgd, flip=True)
    assert not graph_eligible(cuda, sgd, mixed_precision=True)
    # the model must be deterministic
    assert graph_eligible(cuda, sgd, model=mlp((8,), dropout=0.0))
    assert graph_eligible(cuda, sgd, model=MLPScratch())
    assert not graph_eligible(cuda, sgd, model=mlp((8,), dropout=0.1))
    noisy = DropoutMLPScratch(dropout1=0.0, dropout2=0.0)
    assert not graph_eligible(cuda, sgd, model=noisy)  # declares itself


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("batch_size", [512, 8000])  # 6000 = 11*512 + 368
def test_cuda_graph_replays_equal_eager_steps(small, batch_size):
    """fit's graphed epochs = train_epoch's eager ones, same shuffles,
    with a partial last minibatch and with one minibatch of everything."""
    nets, losses = [], []
    for graph in (True, False):
        g = torch.Generator().manual_seed(3)
        net = mlp((64,), dropout=0.0, init="normal", generator=g)
        h = fit(net, small, num_epochs=2, lr=0.1, batch_size=batch_size,
                weight_decay=1e-3, generator=g,
                step="graph" if graph else "autograd")  # fmt: skip
        nets.append(net)
        losses.append(h.train_loss)
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q)
    # and train_epoch itself still trains a graphed model eagerly
    opt = torch.optim.SGD(nets[0].parameters(), lr=0.1)
    loss_sum, _ = train_epoch(nets[0], small.X_train, small.y_train, opt,
                              batch_size=batch_size)  # fmt: skip
    assert loss_sum / len(small.X_train) < losses[0][0]
