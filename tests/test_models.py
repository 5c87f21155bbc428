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


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_mlp_scratch_defaults_and_generator():
    net = MLPScratch(generator=_g(1))
    assert net.W1.shape == (784, 256) and net.W2.shape == (256, 10)
    g = _g(1)
    torch.manual_seed(5)  # the global state plays no part
    assert torch.equal(net.W1, torch.randn(784, 256, generator=g) * 0.01)
    assert torch.equal(net.W2, torch.randn(256, 10, generator=g) * 0.01)


def test_default_init_is_pytorchs_from_the_generator():
    """init="default": U(-1/sqrt(fan_in), +) for weights and biases, each
    layer's weight then bias, drawn from the generator; sigma 0.01 is the
    "normal" scheme's default."""
    from mlp_notes.models import initialize_

    net = initialize_(
        nn.Sequential(nn.Linear(6, 4), nn.Linear(4, 3)),
        "default",
        generator=_g(2),
    )
    g = _g(2)
    torch.manual_seed(9)
    for lin in (net[0], net[1]):
        bound = lin.in_features**-0.5
        for p in (lin.weight, lin.bias):
            u = torch.rand(p.shape, generator=g)
            assert torch.equal(p, (2 * u - 1) * bound)
    normal = mlp((8,), generator=_g(3))
    want = torch.randn(8, 784, generator=_g(3)) * 0.01
    assert torch.equal(normal[1].weight, want)
    wide = mlp((8,), sigma=0.5, generator=_g(3))
    torch.testing.assert_close(wide[1].weight.detach(), want * 50)


def test_standardize_layer_and_its_place():
    from mlp_notes.models import Standardize

    layer = Standardize(0.5, 2.0)
    assert dict(layer.named_buffers()).keys() == {"mean", "std"}
    X = torch.tensor([[0.5, 2.5, -1.5]])
    assert torch.equal(layer(X), torch.tensor([[0.0, 1.0, -1.0]]))
    net = mlp((4,), standardize=(0.5, 2.0))
    assert isinstance(net[1], Standardize) and float(net[1].std) == 2.0


def test_mlp_needs_one_rate_per_hidden_layer():
    with pytest.raises(ValueError):
        mlp((8, 4), dropout=(0.1,))


def test_build_each_kind_from_a_spec():
    from mlp_notes.dropout import DropoutMLPScratch
    from mlp_notes.models import Spec, build
    from mlp_notes.regularization import FastDropout

    assert Spec().replace(hiddens=(3,)) == Spec(hiddens=(3,))
    concise = build(
        Spec(hiddens=(8, 4), dropout=0.3, fast_dropout=True), generator=_g(4)
    )
    assert isinstance(concise, nn.Sequential)
    assert [type(m) for m in concise if isinstance(m, nn.Dropout)] == [
        FastDropout
    ] * 2
    slow = build(Spec(hiddens=(8,), dropout=0.3, activation="tanh", init="he"))
    assert [type(m) for m in slow if isinstance(m, nn.Dropout)] == [nn.Dropout]
    assert any(isinstance(m, nn.Tanh) for m in slow)
    ref = mlp((8, 4), dropout=0.3, dropout_module=FastDropout, generator=_g(4))
    assert all(
        torch.equal(a, b)
        for a, b in zip(concise.parameters(), ref.parameters())
    )
    std = build(Spec(hiddens=(4,), standardize=(0.1, 0.2), input_dropout=0.2))
    assert type(std[1]).__name__ == "Standardize" and std[2].p == 0.2
    scratch = build(Spec(kind="scratch", hiddens=(12,)), generator=_g(5))
    assert isinstance(scratch, MLPScratch) and scratch.W1.shape == (784, 12)
    assert torch.equal(
        scratch.W1, MLPScratch(num_hiddens=12, generator=_g(5)).W1
    )
    drop = build(
        Spec(
            kind="dropout_scratch",
            hiddens=(16, 8),
            dropout=(0.1, 0.4),
            noise="gaussian",
        ),
        generator=_g(6),
    )
    assert isinstance(drop, DropoutMLPScratch) and drop.noise == "gaussian"
    assert (drop.dropout1, drop.dropout2) == (0.1, 0.4)
    assert (drop.lin1.out_features, drop.lin2.out_features) == (16, 8)
    ref = DropoutMLPScratch(num_hiddens1=16, num_hiddens2=8, generator=_g(6))
    assert torch.equal(drop.lin1.weight, ref.lin1.weight)
    same = build(Spec(kind="dropout_scratch", hiddens=(16, 8), dropout=0.25))
    assert (same.dropout1, same.dropout2) == (0.25, 0.25)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "scratch", "hiddens": (8, 8)},
        {"kind": "scratch", "hiddens": (8,), "dropout": 0.1},
        {"kind": "scratch", "hiddens": (8,), "init": "he"},
        {"kind": "dropout_scratch", "hiddens": (8,)},
        {"kind": "dropout_scratch", "hiddens": (8, 8), "init": "he"},
        {"kind": "nope", "hiddens": (8,)},
    ],
)
def test_build_refuses_what_a_kind_cannot_be(spec):
    from mlp_notes.models import Spec, build

    with pytest.raises(ValueError, match="cannot be built: kinds are"):
        build(Spec(**spec))


def test_build_passes_the_init_and_says_why_it_refuses():
    from mlp_notes.models import Spec, build

    he = build(Spec(hiddens=(8,), init="he"), generator=_g(7))
    ref = mlp((8,), init="he", generator=_g(7))
    assert all(
        torch.equal(a, b) for a, b in zip(he.parameters(), ref.parameters())
    )
    spec = Spec(kind="scratch", hiddens=(8, 8))
    with pytest.raises(ValueError) as err:
        build(spec)
    assert str(err.value) == (
        f"{spec} cannot be built: kinds are ('scratch', 'concise', "
        "'dropout_scratch'); 'scratch' has one hidden ReLU layer and no "
        "options, 'dropout_scratch' two hidden layers with dropout and "
        "noise only"
    )


def test_initialize_normal_defaults_to_sigma_one_hundredth():
    from mlp_notes.models import initialize_

    net = initialize_(
        nn.Sequential(nn.Linear(6, 4)), "normal", generator=_g(8)
    )
    assert torch.equal(
        net[0].weight, torch.randn(4, 6, generator=_g(8)) * 0.01
    )
    assert torch.all(net[0].bias == 0)
