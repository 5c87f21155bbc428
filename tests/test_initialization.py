"""Xavier from scratch against its variance formula and torch.nn.init."""

import math

import pytest
import torch

from mlp_notes import initialization as ini


@pytest.fixture
def g():
    return torch.Generator().manual_seed(0)


@pytest.mark.parametrize("fill", [ini.xavier_uniform_, ini.xavier_normal_])
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2)])
def test_xavier_variance_by_monte_carlo(fill, gain, g):
    W = torch.empty(300, 200, dtype=torch.float64)  # (fan_out, fan_in)
    assert fill(W, gain, generator=g) is W  # in place, returned
    target = gain**2 * 2 / (200 + 300)
    assert W.mean().abs().item() < 0.05 * math.sqrt(target)
    # 60,000 draws: the sample variance is within ~1% (4 sigma)
    assert abs(W.var().item() / target - 1) < 0.025


def test_uniform_bound(g):
    W = ini.xavier_uniform_(torch.empty(50, 70), generator=g)
    bound = math.sqrt(6 / 120)
    assert W.abs().max().item() <= bound
    assert W.abs().max().item() > 0.98 * bound


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_"])
def test_matches_torch_nn_init_distribution(name, g):
    ours = getattr(ini, name)(torch.empty(400, 100), generator=g)
    theirs = getattr(torch.nn.init, name)(torch.empty(400, 100), generator=g)
    assert abs(ours.var().item() / theirs.var().item() - 1) < 0.05
    assert abs(ours.abs().max().item() / theirs.abs().max().item() - 1) < (
        0.05 if name == "xavier_uniform_" else 0.3
    )


def test_forward_and_backward_variance(g):
    W = ini.xavier_normal_(torch.empty(300, 100, dtype=torch.float64),
                           generator=g)  # fmt: skip
    var_out, var_grad = ini.layer_variances(W, generator=g)
    sigma2 = W.var().item()
    assert abs(var_out / (100 * sigma2) - 1) < 0.05  # fan_in sigma^2
    assert abs(var_grad / (300 * sigma2) - 1) < 0.05  # fan_out sigma^2


def test_default_scheme_is_pytorch_linear(g):
    ours = ini.init_weight_(torch.empty(300, 200), "default", generator=g)
    torch.manual_seed(0)
    theirs = torch.nn.Linear(200, 300).weight.detach()
    assert abs(ours.var().item() / theirs.var().item() - 1) < 0.03


def test_he_keeps_relu_variance_and_small_vanishes(g):
    X = torch.randn(256, 128, generator=g, dtype=torch.float64)
    stats = {}
    for scheme in ("too small", "he"):
        Ws = [
            ini.init_weight_(
                torch.empty(128, 128, dtype=torch.float64), scheme, generator=g
            )  # fmt: skip
            for _ in range(20)
        ]
        stats[scheme] = ini.propagate(Ws, X, "relu", generator=g)
    assert 0.2 < stats["he"]["forward"][-1] < 5
    assert 0.2 < stats["he"]["backward"][0] < 5
    assert stats["too small"]["forward"][-1] < 1e-30
    assert stats["too small"]["backward"][0] < 1e-30


def test_constant_makes_identical_units():
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Linear(4, 3))
    ini.constant_(net, 0.3)
    assert (net[0].weight == 0.3).all() and (net[0].bias == 0).all()


def test_fans_and_errors():
    assert ini.fans(torch.empty(8, 3, 5, 5)) == (75, 200)
    with pytest.raises(ValueError):
        ini.fans(torch.empty(4))
    with pytest.raises(ValueError):
        ini.init_weight_(torch.empty(2, 2), "nope")


def _seeded(seed=1):
    return torch.Generator().manual_seed(seed)


FILLS = {
    "xavier_uniform_": lambda t, g: ini.xavier_uniform_(t, generator=g),
    "xavier_normal_": lambda t, g: ini.xavier_normal_(t, generator=g),
    **{
        f"init_weight_ {s}": lambda t, g, s=s: ini.init_weight_(
            t, s, generator=g
        )
        for s in ("too small", "default", "xavier", "he")
    },
}


@pytest.mark.parametrize("name", FILLS)
def test_every_fill_draws_from_its_generator(name):
    """The same seed gives the same weights, whatever the global random
    state in between; another seed gives others."""
    fill = FILLS[name]
    torch.manual_seed(321)  # a global state of its own for each draw:
    a = fill(torch.empty(30, 20, dtype=torch.float64), _seeded(1))
    torch.manual_seed(123)  # (a test before may leave it where a is)
    b = fill(torch.empty(30, 20, dtype=torch.float64), _seeded(1))
    c = fill(torch.empty(30, 20, dtype=torch.float64), _seeded(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize(
    "scheme, std",
    [
        ("too small", 0.01),
        ("default", (1 / 200) ** 0.5 / 3**0.5),  # U(-1/sqrt(fan_in), +)
        ("xavier", (2 / 500) ** 0.5),
        ("he", (2 / 200) ** 0.5),
    ],
)
def test_each_scheme_has_its_spread(scheme, std):
    W = ini.init_weight_(
        torch.empty(300, 200, dtype=torch.float64), scheme, generator=_seeded()
    )
    assert abs(W.std().item() / std - 1) < 0.02
    if scheme == "default":
        assert W.abs().max() <= (1 / 200) ** 0.5


def test_xavier_std_and_its_default_gain():
    assert ini.xavier_std(3, 5) == math.sqrt(2 / 8)
    assert ini.xavier_std(3, 5, gain=2.0) == 2 * math.sqrt(2 / 8)


def test_the_errors_say_what_is_wrong():
    with pytest.raises(ValueError) as err:
        ini.fans(torch.empty(4))
    assert str(err.value) == "fan in and fan out need a tensor with >= 2 dims"
    with pytest.raises(ValueError, match="unknown scheme 'nope'"):
        ini.init_weight_(torch.empty(2, 2), "nope")


def test_layer_variances_draws_4096_samples_from_its_generator():
    W = torch.randn(20, 30, generator=_seeded(0), dtype=torch.float64)
    default = ini.layer_variances(W, generator=_seeded(5))
    torch.manual_seed(9)
    again = ini.layer_variances(W, num_samples=4096, generator=_seeded(5))
    other = ini.layer_variances(W, generator=_seeded(6))
    assert default == again and default != other
    assert all(isinstance(v, float) for v in default)


@pytest.mark.parametrize("activation", ["relu", "tanh", "identity"])
def test_propagate_by_activation(activation):
    """Each activation by name, the default being ReLU; the gradient drawn
    from the generator, in the activations' dtype."""
    g = _seeded(0)
    weights = [torch.randn(64, 64, generator=g, dtype=torch.float64) / 8]
    weights.append(torch.randn(64, 64, generator=g, dtype=torch.float64) / 8)
    X = torch.randn(256, 64, generator=g, dtype=torch.float64)
    got = ini.propagate(weights, X, activation, generator=_seeded(3))
    torch.manual_seed(4)
    again = ini.propagate(weights, X, activation, generator=_seeded(3))
    assert got == again
    assert got != ini.propagate(weights, X, activation, generator=_seeded(8))
    H = X
    for W in weights:
        H = H @ W.T
        if activation == "relu":
            H = torch.relu(H)
        elif activation == "tanh":
            H = torch.tanh(H)
    assert got["forward"][-1] == pytest.approx(H.var().item(), rel=1e-12)
    if activation == "relu":
        assert ini.propagate(weights, X, generator=_seeded(3)) == got


def test_layer_variances_by_hand():
    """Inputs (num_samples, fan_in), then upstream gradients (num_samples,
    fan_out), both N(0, 1) from the generator in the weight's dtype."""
    W = torch.randn(20, 30, generator=_seeded(0), dtype=torch.float64)
    got = ini.layer_variances(W, num_samples=500, generator=_seeded(5))
    g = _seeded(5)
    X = torch.randn(500, 30, generator=g, dtype=torch.float64)
    G = torch.randn(500, 20, generator=g, dtype=torch.float64)
    assert got == ((X @ W.T).var().item(), (G @ W).var().item())


def test_propagate_backward_by_hand():
    """The gradient entering at the top is N(0, 1) from the generator, in
    the activations' dtype (float64 here), carried down by the chain rule."""
    g = _seeded(0)
    weights = [torch.randn(16, 8, generator=g, dtype=torch.float64) / 3]
    weights.append(torch.randn(4, 16, generator=g, dtype=torch.float64) / 4)
    X = torch.randn(64, 8, generator=g, dtype=torch.float64)
    got = ini.propagate(weights, X, "tanh", generator=_seeded(7))
    H1 = torch.tanh(X @ weights[0].T)
    H2 = torch.tanh(H1 @ weights[1].T)
    G2 = torch.randn(64, 4, generator=_seeded(7), dtype=torch.float64)
    G1 = (G2 * (1 - H2**2)) @ weights[1]  # dL/dH1
    G0 = (G1 * (1 - H1**2)) @ weights[0]  # dL/dX
    assert got["forward"] == [H1.var().item(), H2.var().item()]
    want = [G0.var().item(), G1.var().item()]
    assert got["backward"] == pytest.approx(want, rel=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_variances_on_the_weights_device():
    W = torch.randn(20, 30, dtype=torch.float64, device="cuda")
    g = torch.Generator(device="cuda").manual_seed(0)
    assert all(v > 0 for v in ini.layer_variances(W, generator=g))
    X = torch.randn(8, 30, dtype=torch.float64, device="cuda")
    stats = ini.propagate([W], X, generator=_seeded(1))  # drawn on a CPU
    assert stats["backward"][0] > 0
