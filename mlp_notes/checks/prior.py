"""The check for §4.5 exercise 6: the prior behind weight decay, as a
log-density the check can evaluate (no keywords to match).

The book trains on L(w, b) + (lambd/2) ||w||^2 with L the *mean* over n
examples of (y - w^T x - b)^2 / 2, and targets with Gaussian noise of
standard deviation sigma.  Multiplying the negative log posterior by
sigma^2 / n gives that objective when the prior is N(0, tau^2 I) with
lambd = sigma^2 / (n tau^2).  The learner writes log P(w) up to an
additive constant; the check evaluates it at random weights for random
(lambd, n, sigma) and compares differences of log P(w) (the constant
cancels) with the Gaussian's.  A wrong prior is recognized by its
shape: infinite somewhere (truncated, one-sided, uniform), not
symmetric about 0 (a non-zero mean), proportional to |w| (Laplace), not
quadratic (a mixture, heavy tails), or a Gaussian whose variance
follows one of the known confusions (lambd as the variance, the noise's
variance, the sum instead of the mean, ...).
"""

from __future__ import annotations

import math
from types import MappingProxyType

import torch
import torch.distributions

from mlp_notes.checks.compare import RTOL, error, note, shaped
from mlp_notes.checks.guard import exercise
from mlp_notes.checks.verdict import WrongAnswerError, wrong

# the quadratic coefficient a of -log P(w) = a ||w||^2 + c, right and
# confused, as a function of (lambd, n, sigma)
RIGHT = "right"
CONFUSIONS = MappingProxyType(
    {
        RIGHT: lambda lam, n, s: n * lam / (2 * s * s),
        "lambda taken as the prior's variance": lambda lam, n, s: (
            1 / (2 * lam)
        ),
        "lambda taken as the prior's standard deviation": lambda lam, n, s: (
            1 / (2 * lam * lam)
        ),
        "1/lambda taken as the prior's standard deviation": lambda lam, n, s: (
            lam * lam / 2
        ),
        "that is the noise's distribution (the likelihood of the data), not "
        "the prior on w": lambda lam, n, s: 1 / (2 * s * s),
        "that prior fits a penalty added to -log P(data | w); the book's L is "
        "a mean of squared errors, so the prior's variance also depends on "
        "n and sigma": lambda lam, n, s: lam / 2,
        "the book's L averages over the n examples: where does n enter?": (
            lambda lam, n, s: lam / (2 * s * s)
        ),
        "-log P(data | w) carries the noise variance: where does sigma "
        "enter?": lambda lam, n, s: n * lam / 2,
        "check the factor 1/2": lambda lam, n, s: n * lam / (s * s),
        "sigma is the noise's standard deviation; its variance is sigma^2": (
            lambda lam, n, s: n * lam / (2 * s)
        ),
        "variance and precision swapped": lambda lam, n, s: (
            s * s / (2 * n * lam)
        ),
        "that is -log P(w), the penalty; return log P(w)": lambda lam, n, s: (
            -n * lam / (2 * s * s)
        ),
        "your log P(w) does not change with w: a flat prior adds no penalty": (
            lambda lam, n, s: 0.0
        ),
    }
)


def _settings(run) -> list[tuple[float, int, float]]:
    """Three random (lambd, n, sigma) under which no confusion gives
    nearly the right coefficient, nor nearly another confusion's (each
    hint names one confusion); lambd from 1e-3 to 0.3, one from each
    third of that range on a log scale, so that a prior right only for
    small (or large) lambd is wrong on every draw."""
    found: list[tuple[float, int, float]] = []
    low, high = math.log(1e-3), math.log(0.3)
    for third in range(3):
        for _ in range(10_000):  # most draws qualify
            u = (third + run.uniform(0.0, 1.0)) / 3
            lam = math.exp(low + u * (high - low))
            n, sigma = run.integer(20, 400), run.uniform(0.05, 0.5)
            if _apart([f(lam, n, sigma) for f in CONFUSIONS.values()]):
                found.append((lam, n, sigma))
                break
    return found + [(0.01, 50, 0.2)] * (3 - len(found))


def _apart(coefficients: list[float]) -> bool:
    """The right coefficient (first) at least 20 % from every other, and
    every two others at least 5 % apart."""
    right, *rest = coefficients
    if any(abs(c / right - 1) <= 0.2 for c in rest):
        return False
    return all(
        abs(a - b) > 0.05 * max(abs(a), abs(b))
        for i, a in enumerate(rest)
        for b in rest[i + 1 :]
    )


def _log_prior(run, fn, w, lam, n, sigma):
    """The learner's log P(w) as a Numbers of one value, summing one
    log-density per entry; a Distribution's log_prob is used for it."""
    try:
        out = run.call(fn, w.clone(), lam, n, sigma)
        if issubclass(type(out), torch.distributions.Distribution):
            out = run.call_method(out, "log_prob", w.clone())
    except WrongAnswerError as err:
        if "support" in str(err):  # torch.distributions' ValueError
            raise _truncated() from None
        raise
    else:  # read under the watch: its __float__ is the learner's code
        got = run.read(out, "log P(w)")
    if got.values.numel() == len(w) and got.values.numel() > 1:
        got = type(got)(got.values.reshape(-1).sum(), got.precision)
    if got.values.numel() == 1 and not torch.isfinite(got.values).all():
        raise _truncated()
    return got, shaped(got, (), "log P(w)")


def _truncated() -> WrongAnswerError:
    return wrong(
        "your prior gives probability 0 (log P = -inf) to some weights: "
        "a truncated, one-sided or bounded prior; weight decay's penalty "
        "is finite for every w"
    )


def _check_4_5_prior(fn, run):
    """Exercise 4.5.6.  ``fn(w, lambd, n, sigma)``: log P(w), up to an
    additive constant, of the prior on the weights that the book's
    objective L + (lambd/2) ||w||^2 corresponds to (L: the mean of
    (y - w^T x - b)^2 / 2 over n examples whose targets carry Gaussian
    noise of standard deviation sigma), for a 1-D float64 tensor w.
    Returns a number, one log-density per entry of w (summed), or a
    ``torch.distributions`` object for w (its ``log_prob`` is used)."""
    fn = run.function(fn)
    d, remark, worst, off = run.integer(3, 12), "", 0.0, []
    for lam, n, sigma in _settings(run):
        tau = sigma / math.sqrt(n * lam)
        base = run.normal(d) * tau
        ws = [base * 0, base, -base, base * 0.4, run.normal(d) * 2 * tau]
        got = [_log_prior(run, fn, w, lam, n, sigma) for w in ws]
        f = torch.stack([v for _, v in got])
        q = torch.stack([(w * w).sum() for w in ws])
        scale = float(q.max()) / (2 * tau * tau)  # the reference's size
        a = _coefficient(f, q, ws, scale)
        want = -(q - q[0]) / (2 * tau * tau)
        err = error(f - f[0], want, scale)
        if err > RTOL:
            off.append((a, lam, n, sigma))
        worst, remark = max(worst, err), remark or note(got[1][0], err)
    if off:
        raise wrong(_confusion(off))
    return (
        "log P(w) differs from the book's penalty by a constant at random "
        "weights, for three random (lambda, n, sigma): the zero-mean "
        f"Gaussian with the variance the penalty implies (error "
        f"{worst:.1e}){remark}"
    )


def _coefficient(f, q, ws, scale) -> float:
    """a in f = -a ||w||^2 + c, if f has that form (else a verdict)."""
    if abs(float(f[1] - f[2])) > RTOL * scale:
        raise wrong(
            "your log P(w) differs between w and -w: the prior is not "
            "symmetric about 0 (a non-zero mean?); weight decay pulls w "
            "towards 0"
        )
    # each coefficient from the point farthest from w = 0, where the
    # answer's own rounding (float32 loses digits to cancellation in some
    # right forms) weighs least against the change it measures
    k = int((q - q[0]).abs().argmax())
    a = -float(f[k] - f[0]) / float(q[k] - q[0])
    fit = f[0] - a * (q - q[0])
    if error(f, fit, scale) <= RTOL:
        return a
    ones = torch.stack([w.abs().sum() for w in ws])
    j = int((ones - ones[0]).abs().argmax())
    b = -float(f[j] - f[0]) / float(ones[j] - ones[0])
    if error(f, f[0] - b * (ones - ones[0]), scale) <= RTOL:
        raise wrong(
            "-log P(w) grows like sum |w_i|: a Laplace prior, which gives "
            "the L1 penalty, not weight decay's"
        )
    if bool((f > 0).all()):
        logs = f.log()
        slope = -float(logs[k] - logs[0]) / float(q[k] - q[0])
        if (
            error(logs, logs[0] - slope * (q - q[0]), float(logs.abs().max()))
            <= RTOL
        ):
            raise wrong("that looks like the density P(w): return its log")
    raise wrong(
        "-log P(w) is not a multiple of ||w||^2 plus a constant (a "
        "mixture, heavy tails, another family?): which prior gives "
        "exactly weight decay's penalty?"
    )


def _gives(coefficient, a: float, lam: float, n: int, sigma: float) -> bool:
    """a is the confusion's coefficient under (lambd, n, sigma), to 0.1 %
    (of the right coefficient where the confusion's is 0)."""
    c = coefficient(lam, n, sigma)
    return abs(a - c) <= 1e-3 * abs(c or CONFUSIONS[RIGHT](lam, n, sigma))


def _confusion(off: list[tuple[float, float, int, float]]) -> str:
    """The hint for a Gaussian (or flat) prior whose coefficient a was
    off under each setting (a, lambd, n, sigma) of ``off``: a confusion
    that gives a under all of them (one setting alone can match a
    confusion by coincidence: 3 n lambd = 1 makes three times the right
    coefficient the noise's)."""
    for hint, coefficient in CONFUSIONS.items():
        if hint != RIGHT and all(_gives(coefficient, *o) for o in off):
            return hint
    return (
        "a zero-mean Gaussian, but with another variance: write -log P(w) "
        "and the book's objective on the same scale"
    )


# The checks: each body through the one wrapper (guard.exercise).  The
# bodies stay undecorated, so that mutation testing reaches them.
check_4_5_prior = exercise("4.5 exercise 6 (the prior)")(_check_4_5_prior)
