"""D2L's dropout MLP: noise in training only, wiring, variants."""

import pytest
import torch

from mlp_notes.dropout import DropoutMLPScratch, mc_predict


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
