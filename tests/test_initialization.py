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
