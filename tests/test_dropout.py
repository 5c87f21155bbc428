"""D2L's dropout MLP: noise in training only, wiring, variants."""

import pytest
import torch

from mlp_notes.dropout import DropoutMLPScratch, mc_predict
from mlp_notes.regularization import DropConnectLinear


def test_eval_is_deterministic_and_train_is_not():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(16, 1, 28, 28, generator=g)
    for noise in ("dropout", "gaussian", "dropconnect"):
        net = DropoutMLPScratch(noise=noise, generator=g)
        net.eval()
        assert torch.equal(net(X), net(X))
        net.train()
        assert not torch.equal(net(X), net(X))
        assert net(X).shape == (16, 10)


def test_second_layer_reads_the_first_hidden_layer():
    g = torch.Generator().manual_seed(1)
    net = DropoutMLPScratch(generator=g).eval()
    X = torch.rand(4, 784, generator=g)
    before = net(X)
    with torch.no_grad():
        net.lin1.weight.mul_(2.0)
    assert not torch.allclose(net(X), before)
    acts = net.hidden(X)
    torch.testing.assert_close(acts["H2"], torch.relu(net.lin2(acts["H1"])))


def test_unknown_noise_raises():
    with pytest.raises(ValueError):
        DropoutMLPScratch(noise="salt")


def test_mc_predict_gives_probabilities_and_restores_eval():
    g = torch.Generator().manual_seed(2)
    net = DropoutMLPScratch(generator=g)
    probs = mc_predict(net, torch.rand(5, 784, generator=g), samples=7)
    assert probs.shape == (7, 5, 10)
    torch.testing.assert_close(probs.sum(-1), torch.ones(7, 5))
    assert not net.training


def test_eval_forward_is_the_plain_network_in_float64():
    g = torch.Generator().manual_seed(3)
    net = DropoutMLPScratch(generator=g).double().eval()
    X = torch.rand(6, 1, 28, 28, generator=g, dtype=torch.float64)
    H = X.reshape(6, -1)
    for lin in (net.lin1, net.lin2):
        H = torch.relu(H @ lin.weight.T + lin.bias)
    expected = H @ net.lin3.weight.T + net.lin3.bias
    torch.testing.assert_close(net(X), expected, rtol=0, atol=1e-12)


def test_late_val_averages_the_last_epochs():
    from mlp_notes.runs.dropout import late_val
    from mlp_notes.training import History

    h = History(val_acc=[0.1, 0.5, 0.6, 0.7])
    assert late_val([h]) == [pytest.approx(0.6)]
    assert h.late_val_acc(k=2, upto=3) == pytest.approx(0.55)


def test_a_tracked_long_run_begins_as_the_short_run():
    from mlp_notes.runs.dropout import EXERCISE_RECIPE, train_dropout

    budget = dict(subset=512, seed=1)
    recipe = EXERCISE_RECIPE.replace(num_epochs=2)
    short = train_dropout.uncached(recipe=recipe, **budget)["history"]
    long = train_dropout.uncached(
        recipe=recipe.replace(num_epochs=3), track=True, **budget
    )
    assert long["history"].val_acc[:2] == short.val_acc
    assert long["history"].train_loss[:2] == short.train_loss


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_scratch_net_defaults_and_error():
    net = DropoutMLPScratch(generator=_g())
    assert (net.lin1.out_features, net.lin2.out_features) == (256, 256)
    assert (net.dropout1, net.dropout2) == (0.2, 0.5)
    with pytest.raises(ValueError, match="noise must be one of .*got 'x'"):
        DropoutMLPScratch(noise="x")


@pytest.mark.parametrize("noise", ["dropout", "gaussian", "dropconnect"])
def test_scratch_net_init_and_noise_come_from_its_generator(noise):
    """PyTorch's default init U(-1/sqrt(fan_in), +) drawn from the
    generator (weight then bias, layer by layer), and the noise too."""
    net = DropoutMLPScratch(24, 3, 8, 6, noise=noise, generator=_g(1))
    g = _g(1)
    for lin in (net.lin1, net.lin2, net.lin3):
        assert isinstance(lin, DropConnectLinear) == (
            noise == "dropconnect" and lin is not net.lin1
        )
        bound = 1 / lin.in_features**0.5
        for p in (lin.weight, lin.bias):
            want = torch.empty_like(p).uniform_(-bound, bound, generator=g)
            assert torch.equal(p, want)
    X = torch.randn(5, 24, generator=_g(0))
    outs = []
    for skip in (0, 0, 1):  # the same init; the third net's noise further on
        g = _g(2)
        net = DropoutMLPScratch(24, 3, 8, 6, noise=noise, generator=g)
        torch.rand(skip, generator=g)
        torch.manual_seed(10)  # one global state: only the generator varies
        outs.append(net.train().hidden(X))
    assert all(torch.equal(outs[0][k], outs[1][k]) for k in outs[0])
    assert not torch.equal(outs[0]["H2'"], outs[2]["H2'"])


def test_scratch_net_noise_by_kind():
    """dropout zeroes units, gaussian scales them, dropconnect leaves the
    units alone (its noise is in the weights); eval mode adds none."""
    X = torch.rand(64, 24, generator=_g(0)) + 0.5
    net = {
        n: DropoutMLPScratch(24, 3, 16, 16, 0.5, 0.5, noise=n, generator=_g(1))
        for n in ("dropout", "gaussian", "dropconnect")
    }
    h = {n: m.train().hidden(X) for n, m in net.items()}
    assert set(h["dropout"]) == {"H1", "H1'", "H2", "H2'"}
    zeroed = (h["dropout"]["H1'"] == 0) & (h["dropout"]["H1"] != 0)
    assert zeroed.any()
    kept = h["dropout"]["H1'"] != 0
    torch.testing.assert_close(
        h["dropout"]["H1'"][kept], 2 * h["dropout"]["H1"][kept]
    )
    g = h["gaussian"]
    assert (
        not torch.equal(g["H1'"], g["H1"])
        and not ((g["H1'"] == 0) & (g["H1"] != 0)).any()
    )
    assert torch.equal(h["dropconnect"]["H1'"], h["dropconnect"]["H1"])
    for m in net.values():
        e = m.eval().hidden(X)
        assert torch.equal(e["H1'"], e["H1"]) and torch.equal(
            e["H2'"], e["H2"]
        )
