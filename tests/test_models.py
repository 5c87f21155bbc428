import pytest
import torch
from torch import nn

from mlp_notes.models import INITS, MLPScratch, mlp, num_parameters


def test_mlp_scratch_shapes_and_count():
    g = torch.Generator().manual_seed(0)
    net = MLPScratch(num_hiddens=256, generator=g)
    assert net.W1.shape == (784, 256) and net.W2.shape == (256, 10)
    assert num_parameters(net) == 784 * 256 + 256 + 256 * 10 + 10 == 203_530
    X = torch.rand(5, 1, 28, 28)
    torch.testing.assert_close(net(X), net(X.reshape(5, 784)))
    assert net(X).shape == (5, 10)
    assert net.W1.std().item() == pytest.approx(0.01, rel=0.05)


def test_mlp_scratch_equals_concise_with_same_weights():
    g = torch.Generator().manual_seed(1)
    scratch = MLPScratch(num_hiddens=32, sigma=0.1, generator=g)
    concise = mlp((32,), init="default")
    with torch.no_grad():
        concise[1].weight.copy_(scratch.W1.T)
        concise[1].bias.copy_(scratch.b1)
        concise[3].weight.copy_(scratch.W2.T)
        concise[3].bias.copy_(scratch.b2)
    X = torch.rand(7, 1, 28, 28)
    torch.testing.assert_close(scratch(X), concise(X))


def test_generator_makes_init_reproducible():
    a = mlp((64, 32), generator=torch.Generator().manual_seed(3))
    b = mlp((64, 32), generator=torch.Generator().manual_seed(3))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("init", INITS)
def test_init_schemes_variance(init):
    g = torch.Generator().manual_seed(0)
    net = mlp((512,), init=init, sigma=0.01, generator=g)
    W = net[1].weight  # (512, 784)
    expected = {
        "normal": 0.01**2,
        "xavier": 2 / (784 + 512),
        "he": 2 / 784,
        "zeros": 0.0,
        "default": 1 / (3 * 784),  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    }[init]
    assert W.var().item() == pytest.approx(expected, rel=0.03, abs=1e-12)


def test_builder_layers():
    net = mlp((8, 4), activation="tanh", dropout=(0.2, 0.5), input_dropout=0.1)
    kinds = [type(m).__name__ for m in net]
    assert kinds == [
        "Flatten",
        "Dropout",
        "Linear",
        "Tanh",
        "Dropout",
        "Linear",
        "Tanh",
        "Dropout",
        "Linear",
    ]
    assert [m.p for m in net if isinstance(m, nn.Dropout)] == [0.1, 0.2, 0.5]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"activation": "relux"}, "activation"),
        ({"init": "orthogonal"}, "init"),
        ({"dropout": 1.0}, r"\[0, 1\)"),
        ({"dropout": -0.1}, r"\[0, 1\)"),
    ],
)
def test_builder_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mlp((8,), **kwargs)


def _randomize(net: nn.Module, seed: int) -> nn.Module:
    """Every parameter, biases included, drawn anew: a zero bias would let
    a forward pass that drops it pass."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype))
    return net


def test_mlp_scratch_forward_is_the_reference_network():
    scratch = _randomize(MLPScratch(num_hiddens=32).double(), 0)
    reference = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)
    ).double()
    with torch.no_grad():
        reference[1].weight.copy_(scratch.W1.T)
        reference[1].bias.copy_(scratch.b1)
        reference[3].weight.copy_(scratch.W2.T)
        reference[3].bias.copy_(scratch.b2)
    X = torch.rand(9, 1, 28, 28, dtype=torch.float64)
    torch.testing.assert_close(scratch(X), reference(X), rtol=0, atol=1e-12)


def test_concise_forward_is_its_layers_by_hand():
    net = _randomize(mlp((16, 8), init="default").double(), 1)
    X = torch.rand(5, 1, 28, 28, dtype=torch.float64)
    H = X.reshape(5, -1)
    for lin in (net[1], net[3]):
        H = torch.relu(H @ lin.weight.T + lin.bias)
    expected = H @ net[5].weight.T + net[5].bias
    torch.testing.assert_close(net(X), expected, rtol=0, atol=1e-12)
