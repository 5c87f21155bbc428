"""Checks for §4.9: the statistic of a shift detector, the density ratio
from a domain classifier's logit with unequal sample sizes, and the error
measured against noisy labels."""

from __future__ import annotations

import torch

from mlp_notes.checks.compare import (
    RTOL,
    answer,
    close,
    confusion,
    entrywise,
    error,
    note,
    scale_of,
)
from mlp_notes.checks.guard import exercise
from mlp_notes.checks.ks_problems import PROBLEMS
from mlp_notes.checks.verdict import wrong
from mlp_notes.shift import detect, ratio


def _check_4_9_ks_statistic(fn, run):
    """Exercise 4.9.2 (its computable side).  ``fn(a, b)``: two 1-D
    float64 tensors of sizes n and m (the held-out scores of source and
    target examples); returns the two-sample Kolmogorov-Smirnov statistic
    D = max_t |F_a(t) - F_b(t)|, F the empirical CDFs: one number.  Six
    random problems (``ks_problems``): four whose largest gap is reached
    at one value only, where no shortcut looks, and two with repeated
    values."""
    fn = run.function(fn)
    worst, remark = 0.0, ""
    for problem, args in PROBLEMS:
        a, b = problem(run, *args)
        got, v = answer(run, fn, (a.clone(), b.clone()), "D", ())
        want = detect.ks_statistic(a, b)
        if not close(v, want, 1.0):
            raise wrong(
                f"D is off by {error(v, want, 1.0):.3g}: {_ks_hint(v, a, b)}"
            )
        err = error(v, want, 1.0)
        worst, remark = max(worst, err), remark or note(got, err)
    return (
        "right on six random pairs of samples of different sizes: four "
        "whose largest gap is reached at one value only, two with "
        f"repeated values (error {worst:.1e}){remark}"
    )


def _ks_hint(v, a, b) -> str:
    n, m = len(a), len(b)
    grid = torch.cat([a, b])
    Fa = (a[None, :] <= grid[:, None]).double().mean(1)
    Fb = (b[None, :] <= grid[:, None]).double().mean(1)
    order = torch.sort(torch.cat([a, b]), stable=True).indices
    steps = torch.where(order < n, 1.0 / n, -1.0 / m).double()
    no_ties = torch.cumsum(steps, 0).abs().max()
    D = (Fa - Fb).abs().max()
    for value, hint in (
        (
            no_ties,
            "with repeated values, compare the two CDFs only once every "
            "value equal to t is counted, in both samples",
        ),
        ((Fa - Fb).max(), "that is the one-sided gap F_a - F_b; D is |.|"),
        ((Fb - Fa).max(), "that is the one-sided gap F_b - F_a; D is |.|"),
        (
            D * n * m,
            "the empirical CDFs are fractions of each sample (0 to 1), "
            "not counts",
        ),
        (D * n, "the empirical CDFs are fractions of each sample, not counts"),
        (D * m, "the empirical CDFs are fractions of each sample, not counts"),
        (
            D * (n * m / (n + m)) ** 0.5,
            "that is D scaled for the limit distribution; return D itself",
        ),
        (
            (a.mean() - b.mean()).abs(),
            "that compares the means; D compares the whole distributions",
        ),
        (
            detect.ks_pvalue(D, n, m),
            "that looks like the p-value; the question asks for D",
        ),
    ):
        value = torch.as_tensor(value, dtype=torch.float64)
        if close(v, value, scale_of(value)):
            return hint
    if v.max() < D:  # at part of the values, or scaled down
        return (
            "that is smaller than the largest gap: evaluate |F_a - F_b| at "
            "every value of both samples (it can be largest at one value "
            "only), each F a fraction of its own sample"
        )
    return "D is the largest vertical gap between the two step functions"


def _check_4_9_weight_from_logit(fn, run):
    """Exercise 4.9.3 (its computable side).  ``fn(f, n_source,
    n_target)``: f a 1-D float64 tensor of logits log P(target | x) /
    P(source | x) of a classifier trained on n_source source and n_target
    target inputs (ints); returns the density ratios p_target(x) /
    p_source(x), one per entry of f.  Three random problems with unequal
    sample sizes; one input of each is one the classifier is sure is a
    target (logit 12 to 14, a ratio above 16,000), so that weights
    clipped at any plausible bound fail every time.  Each weight is
    compared with its own size (a weight of 0.5 set to 1 is as wrong as
    one of 30,000 set to 60,000)."""
    fn = run.function(fn)
    worst, remark = 0.0, ""
    for i in range(3):
        f = run.normal(run.integer(5, 40)).clamp(-4, 4)
        f[run.integer(0, len(f) - 1)] = run.uniform(12.0, 14.0)
        n_s = run.integer(200, 20_000)
        n_t = int(n_s * run.uniform(0.1, 0.8))
        if i == 1 or (i == 2 and run.integer(0, 1)):
            n_s, n_t = n_t, n_s  # each sample is the larger at least once
        args = (f.clone(), n_s, n_t)
        got, v = answer(run, fn, args, "the ratios", f.shape)
        want = ratio.log_ratio(f, n_s, n_t).exp()
        # each weight against its own size: they span six orders of
        # magnitude, and the small ones matter as much as the large
        err = entrywise(v, want)
        if err > RTOL:
            raise wrong(
                f"off by up to {err:.3g} (relative, weight by weight): "
                f"{_logit_hint(v, f, n_s, n_t)}"
            )
        worst, remark = max(worst, err), remark or note(got, err)
    return (
        "right for three random classifiers and unequal sample sizes "
        f"(error {worst:.1e}){remark}"
    )


def _logit_hint(v, f, n_s, n_t) -> str:
    rel = (v / ratio.log_ratio(f, n_s, n_t).exp() - 1).abs()
    # float32 rounds sigmoid(f) near 1 to a multiple of 2^-24, so that
    # 1 - sigmoid(f) = sigmoid(-f) carries a relative error up to about
    # 2^-24 / sigmoid(-f) (7 % at f = 14); twice that (within RTOL where
    # the classifier is unsure) is what precision alone can do
    lost = 2 * 2.0**-24 / torch.sigmoid(-f)
    if bool((rel <= lost + RTOL).all()):
        return (
            "right where the classifier is unsure, off only where it is "
            "sure (a logit above 12): there 1 - sigmoid(f) keeps few "
            "digits (about two in float32); write the odds as exp(f)"
        )
    return _formula_hint(v, f, n_s, n_t)


def _formula_hint(v, f, n_s, n_t) -> str:
    e, sig = f.exp(), torch.sigmoid(f)
    for value, hint in (
        (
            e,
            "that is the book's weight, which holds when both samples have "
            "the same size; in the pool, the logit also carries the odds "
            "of drawing a target example at all",
        ),
        (e * n_t / n_s, "the sample-size factor is upside down"),
        (
            (-f).exp() * n_t / n_s,
            "that is p_source / p_target: the classifier's class 1 is the "
            "target",
        ),
        ((-f).exp(), "that is p_source / p_target (and no size factor)"),
        (
            torch.log(e * n_s / n_t),
            "that is log of the ratio; return the ratio",
        ),
        (f, "that is the logit itself, a log of odds"),
        (sig, "that is P(target | x), a probability, not a density ratio"),
        (
            sig * n_s / n_t,
            "P(target | x) is not the odds: divide by P(source | x)",
        ),
    ):
        if close(v, value, scale_of(value)):
            return hint
    return "write the pool's posterior odds with Bayes' rule and solve"


def _check_4_9_noisy_error(fn, run):
    """Exercise 4.9.4 (its computable side).  ``fn(R, rho, K)``: the
    error rate measured against labels that were flipped with probability
    rho, each flip to one of the other K - 1 classes uniformly, for a
    classifier whose error rate against the true labels is R (the flips
    independent of the inputs); R, rho floats, K an int; returns one
    number.  Five random (R, rho, K); a hint names a confusion only if
    the answer matches it on all five."""
    fn = run.function(fn)
    tried = []
    for _ in range(5):
        R, rho = run.uniform(0.02, 0.5), run.uniform(0.05, 0.45)
        K = run.integer(3, 20)
        got, v = answer(run, fn, (R, rho, K), "the measured error", ())
        tried.append((got, v, (R, rho, K)))
    worst, remark = 0.0, ""
    for got, v, (R, rho, K) in tried:
        want = torch.tensor(
            (1 - R) * rho + R * (1 - rho / (K - 1)), dtype=torch.float64
        )
        if not close(v, want, float(want)):
            hint = confusion(
                [(v, inputs) for _, v, inputs in tried],
                _NOISE_CONFUSIONS,
                "split on whether the prediction is right, and whether the "
                "label was flipped",
            )
            raise wrong(f"off for some R, rho and K: {hint}")
        err = error(v, want, float(want))
        worst, remark = max(worst, err), remark or note(got, err)
    return f"right for five random (R, rho, K) (error {worst:.1e}){remark}"


#: what a wrong answer may have computed instead, and the hint for it
_NOISE_CONFUSIONS = (
    (
        lambda R, rho, K: R * (1 - rho) + (1 - R) * rho,
        "that holds for two classes; with K classes a flipped label lands "
        "on the wrong prediction only sometimes",
    ),
    (
        lambda R, rho, K: (1 - R) * rho + R * (1 - rho / K),
        "a flipped label goes to one of the other K - 1 classes",
    ),
    (  # = R + rho - R * rho
        lambda R, rho, K: (1 - R) * rho + R,
        "a wrong prediction can match a flipped label",
    ),
    (
        lambda R, rho, K: R + rho,
        "errors and flips are not exclusive: add the probabilities of "
        "disjoint cases",
    ),
    (lambda R, rho, K: R, "the labels changed: so does the measured error"),
    (lambda R, rho, K: (1 - R) * rho, "the wrong predictions count too"),
)


# The checks: each body through the one wrapper (guard.exercise).
check_4_9_ks_statistic = exercise(
    "4.9 exercise 2 (the detector's statistic)",
    {
        "shift.detect.ks_statistic": detect.ks_statistic,
        "shift.detect.bbsd": detect.bbsd,
    },
)(_check_4_9_ks_statistic)
check_4_9_weight_from_logit = exercise(
    "4.9 exercise 3 (weights from a classifier)",
    {"shift.ratio.log_ratio": ratio.log_ratio},
)(_check_4_9_weight_from_logit)
check_4_9_noisy_error = exercise("4.9 exercise 4 (noisy labels)")(
    _check_4_9_noisy_error
)
