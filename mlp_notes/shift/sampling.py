"""Random draws for label shift, each from a ``torch.Generator``:
Dirichlet label proportions and samples with given label proportions.

torch's own Gamma and Dirichlet samplers take no generator, so the Gamma
variates are drawn here by Marsaglia and Tsang's (2000) rejection method;
draws are made on the generator's device and returned on the caller's.
"""

from __future__ import annotations

import torch


def _device(generator: torch.Generator | None, device) -> torch.device:
    return generator.device if generator is not None else torch.device(device)


def uniform(
    shape, *, generator: torch.Generator | None = None, device="cpu"
) -> torch.Tensor:
    """U(0, 1) in float64, drawn from ``generator``, on ``device``."""
    u = torch.rand(
        shape,
        generator=generator,
        device=_device(generator, device),
        dtype=torch.float64,
    )
    return u.to(device)


def log_gamma_variates(
    alpha: torch.Tensor, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """log of independent Gamma(alpha_i, 1) variates, float64, alpha's
    shape and device.  Marsaglia-Tsang for shape a + 1 >= 1, then
    Gamma(a) = Gamma(a + 1) U^(1/a) (in logs: no underflow for small a)."""
    a = alpha.double().flatten() + 1  # (m,), every shape >= 1
    d = a - 1 / 3
    c = 1 / (9 * d).sqrt()
    out = torch.empty_like(a)
    todo = torch.arange(len(a), device=a.device)
    while len(todo):
        gen = _device(generator, a.device)
        x = torch.randn(
            len(todo), generator=generator, device=gen, dtype=torch.float64
        )
        u = uniform(len(todo), generator=generator, device=gen)
        x, u = x.to(a.device), u.to(a.device)
        v = (1 + c[todo] * x) ** 3
        ok = v > 0
        logv = torch.where(ok, v, torch.ones_like(v)).log()
        dt = d[todo]
        ok &= u.log() < x**2 / 2 + dt - dt * v + dt * logv
        out[todo[ok]] = (dt[ok] * v[ok]).log()
        todo = todo[~ok]
    u = uniform(len(a), generator=generator, device=a.device)
    return (out + u.log() / (a - 1)).reshape(alpha.shape)


# --8<-- [start:dirichlet]
def dirichlet(
    alpha: float,
    num_classes: int,
    num_draws: int,
    *,
    generator: torch.Generator | None = None,
    device="cpu",
) -> torch.Tensor:
    """(num_draws, num_classes) label proportions ~ Dirichlet(alpha, ...,
    alpha): normalized Gamma(alpha) variates (softmax of their logs).
    Small alpha puts most of the mass on a few classes; large alpha
    stays near uniform."""
    shape = torch.full((num_draws, num_classes), float(alpha), device=device)
    return log_gamma_variates(shape, generator=generator).softmax(1)


# --8<-- [end:dirichlet]


# --8<-- [start:label_shift_indices]
def label_shift_indices(
    y: torch.Tensor,
    q: torch.Tensor,
    n: int,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """n indices into a pool with labels ``y``: each label drawn from the
    proportions q, then an example of that label uniformly (with
    replacement).  The examples keep p(x | y): a pure label shift.

    Args:
        y: (N,) labels of the pool; q: (k,) target label proportions.

    Returns:
        (n,) int64 indices on y's device.
    """
    counts = torch.bincount(y, minlength=len(q))
    if bool(((counts == 0) & (q > 0)).any()):
        raise ValueError("q gives weight to a label the pool lacks")
    gen = _device(generator, y.device)
    labels = torch.multinomial(q.to(gen), n, True, generator=generator)
    order = torch.argsort(y, stable=True)  # pool sorted by label
    counts = counts.to(gen)
    starts = torch.cumsum(counts, 0) - counts
    u = uniform(n, generator=generator, device=gen)
    pick = (u * counts[labels]).long().clamp(max=counts[labels] - 1)
    return order[(starts[labels] + pick).to(y.device)]


# --8<-- [end:label_shift_indices]
