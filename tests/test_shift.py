"""mlp_notes.shift against closed forms, brute force and Monte Carlo, in
float64.  A sign flip in a log ratio, a dropped sample-size ratio or a
transposed confusion matrix turns these red (each was planted and seen
failing)."""

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import MultivariateNormal, Normal

from mlp_notes.shift import (
    concept,
    covariate,
    detect,
    label,
    ratio,
    sampling,
    weighting,
)

f64 = torch.float64


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --- importance weighting -------------------------------------------------


def test_gaussian_log_ratio_is_the_difference_of_log_densities():
    g = gen()
    mu_s = torch.tensor([0.3, -1.0, 0.5], dtype=f64)
    mu_t = torch.tensor([1.0, 0.2, -0.4], dtype=f64)
    A = torch.randn(3, 3, generator=g, dtype=f64)
    cov = A @ A.T + 0.5 * torch.eye(3, dtype=f64)
    X = torch.randn(50, 3, generator=g, dtype=f64) * 2
    brute = MultivariateNormal(mu_t, cov).log_prob(X) - MultivariateNormal(
        mu_s, cov
    ).log_prob(X)
    got = weighting.gaussian_log_ratio(X, mu_s, mu_t, cov)
    assert torch.allclose(got, brute, atol=1e-12, rtol=0)


def test_weighted_source_average_is_the_target_risk():
    """E_source[beta l] = E_target[l], by Monte Carlo against the closed
    form (a flipped ratio, beta = p_s / p_t, misses by far)."""
    g = gen(1)
    mu_s, mu_t, sigma, noise = 0.0, 1.0, 1.0, 0.5
    x, y = weighting.quadratic_sample(400_000, mu_s, sigma, noise, generator=g)
    a, b = 0.5, 0.3
    losses = (y - a - b * x) ** 2
    one = torch.ones(1, dtype=f64)
    beta = weighting.gaussian_log_ratio(
        x[:, None], mu_s * one, mu_t * one, one[:, None]
    ).exp()
    est, se = weighting.importance_weighted_risk(losses, beta)
    target = weighting.quadratic_risk(a, b, mu_t, sigma, noise)
    assert abs(est - target) < 4 * se
    assert se < 0.05 * target
    flipped, _ = weighting.importance_weighted_risk(losses, 1 / beta)
    assert abs(flipped - target) > 10 * se


def test_quadratic_risk_and_best_line_against_monte_carlo():
    g = gen(2)
    x, y = weighting.quadratic_sample(1_000_000, 0.7, 1.3, 0.4, generator=g)
    for a, b in [(0.0, 0.0), (1.0, -0.5)]:
        mc = ((y - a - b * x) ** 2).mean().item()
        assert mc == pytest.approx(
            weighting.quadratic_risk(a, b, 0.7, 1.3, 0.4), rel=0.01
        )
    a, b = weighting.best_line(0.7, 1.3)
    fit = weighting.weighted_line(x, y)
    assert fit == pytest.approx((a, b), abs=0.02)


def test_weighted_line_is_weighted_least_squares():
    g = gen(3)
    x = torch.randn(40, generator=g, dtype=f64)
    y = torch.randn(40, generator=g, dtype=f64)
    w = torch.rand(40, generator=g, dtype=f64)
    F_ = torch.stack([torch.ones_like(x), x], 1) * w.sqrt()[:, None]
    ref = torch.linalg.lstsq(F_, (y * w.sqrt())[:, None]).solution.flatten()
    assert weighting.weighted_line(x, y, w) == pytest.approx(ref.tolist())


def test_effective_sample_size():
    w = torch.ones(7, dtype=f64)
    assert weighting.effective_sample_size(w) == pytest.approx(7)
    assert weighting.effective_sample_size(3 * w) == pytest.approx(7)
    one_hot = torch.tensor([0.0, 0.0, 5.0], dtype=f64)
    assert weighting.effective_sample_size(one_hot) == pytest.approx(1)
    clipped = weighting.clip_weights(torch.tensor([0.5, 2.0, 9.0]), 3.0)
    assert clipped.tolist() == [0.5, 2.0, 3.0]


def test_gaussian_ess_fraction_by_monte_carlo():
    g = gen(4)
    mu_s = torch.zeros(2, dtype=f64)
    mu_t = torch.tensor([0.6, -0.3], dtype=f64)
    cov = torch.tensor([[1.0, 0.2], [0.2, 0.6]], dtype=f64)
    X = MultivariateNormal(mu_s, cov).sample((1,))  # shape check only
    L = torch.linalg.cholesky(cov)
    X = torch.randn(400_000, 2, generator=g, dtype=f64) @ L.T
    beta = weighting.gaussian_log_ratio(X, mu_s, mu_t, cov).exp()
    ess = weighting.effective_sample_size(beta) / len(X)
    closed = weighting.gaussian_ess_fraction(mu_s, mu_t, cov)
    assert ess == pytest.approx(closed, rel=0.02)
    assert X.shape[1] == 2


def test_second_moment_of_the_weights_by_quadrature():
    x = torch.linspace(-40, 40, 400_001, dtype=f64)
    for s in (0.7, 1.0, 1.3):
        p_t, p_s = Normal(0.0, s).log_prob(x), Normal(0.0, 1.0).log_prob(x)
        integrand = (2 * p_t - p_s).exp()
        quad = torch.trapezoid(integrand, x).item()
        assert weighting.gaussian_second_moment(1.0, s) == pytest.approx(
            quad, rel=1e-6
        )
    assert weighting.gaussian_second_moment(1.0, 2**0.5) == math.inf
    assert weighting.gaussian_second_moment(1.0, 2.0) == math.inf


# --- the density ratio from a classifier ----------------------------------


def test_log_ratio_recovers_beta_from_the_exact_pooled_posterior():
    """The Bayes logit of the pooled sample is log(n_t p_t / (n_s p_s));
    log_ratio must give log(p_t / p_s) back for any sizes."""
    x = torch.linspace(-3, 3, 13, dtype=f64)
    log_pt = Normal(1.0, 1.0).log_prob(x)
    log_ps = Normal(0.0, 1.0).log_prob(x)
    for n_s, n_t in [(100, 100), (20_000, 5_000), (300, 1_200)]:
        logit = math.log(n_t) + log_pt - math.log(n_s) - log_ps
        got = ratio.log_ratio(logit, n_s, n_t)
        assert torch.allclose(got, log_pt - log_ps, atol=1e-12)


def test_logistic_regression_recovers_the_gaussian_log_ratio():
    """Unequal sizes: the intercept carries log(n_t / n_s); the corrected
    log-weights match the closed form within the fit's own error."""
    g = gen(5)
    mu_s = torch.tensor([0.0, 0.0], dtype=f64)
    mu_t = torch.tensor([0.8, -0.4], dtype=f64)
    cov = torch.tensor([[1.0, 0.3], [0.3, 0.5]], dtype=f64)
    L = torch.linalg.cholesky(cov)
    n_s, n_t = 40_000, 8_000
    Xs = mu_s + torch.randn(n_s, 2, generator=g, dtype=f64) @ L.T
    Xt = mu_t + torch.randn(n_t, 2, generator=g, dtype=f64) @ L.T
    X, z = ratio.domain_data(Xs, Xt)
    w, b = ratio.fit_logistic(X, z)
    se = ratio.logit_standard_error(Xs, ratio.logistic_covariance(X, w, b))
    exact = weighting.gaussian_log_ratio(Xs, mu_s, mu_t, cov)
    fixed = ratio.log_ratio(Xs @ w + b, n_s, n_t)
    assert ((fixed - exact).abs() / se).max() < 4.5
    assert ((Xs @ w + b - exact).abs() / se).max() > 20  # without it


def test_fit_logistic_matches_newton_with_a_ridge():
    g = gen(6)
    X = torch.randn(300, 4, generator=g, dtype=f64)
    z = (
        torch.rand(300, generator=g, dtype=f64) < torch.sigmoid(X[:, 0])
    ).double()
    l2 = 0.05
    w, b = ratio.fit_logistic(X, z, l2=l2)
    theta = torch.zeros(5, dtype=f64)
    Xt = torch.cat([X, torch.ones(300, 1, dtype=f64)], 1)
    reg = torch.diag(torch.tensor([l2] * 4 + [0.0], dtype=f64))
    for _ in range(30):  # Newton on the mean loss + l2/2 |w|^2
        p = torch.sigmoid(Xt @ theta)
        grad = Xt.T @ (p - z) / 300 + reg @ theta
        H = Xt.T @ ((p * (1 - p))[:, None] * Xt) / 300 + reg
        theta = theta - torch.linalg.solve(H, grad)
    assert torch.allclose(torch.cat([w, b.reshape(1)]), theta, atol=1e-7)


def test_logistic_covariance_is_the_inverse_hessian_of_the_summed_loss():
    g = gen(7)
    X = torch.randn(200, 2, generator=g, dtype=f64)
    z = (torch.rand(200, generator=g, dtype=f64) < 0.4).double()
    w, b = ratio.fit_logistic(X, z)

    def summed(theta):
        s = 2 * z - 1
        return F.softplus(-s * (X @ theta[:2] + theta[2])).sum()

    H = torch.autograd.functional.hessian(summed, torch.cat([w, b.reshape(1)]))
    cov = ratio.logistic_covariance(X, w, b)
    assert torch.allclose(cov, torch.linalg.inv(H), atol=1e-12, rtol=1e-8)


# --- the brightness shift --------------------------------------------------


def test_brightness_ratio_is_the_ratio_of_selected_distributions():
    """On a pool of 'images', p_t(x) / p_s(x) of the two selections,
    computed from their definitions, equals exp(log_ratio)."""
    g = gen(8)
    pool = torch.rand(500, 1, 4, 4, generator=g)
    shift = covariate.BrightnessShift.of_pool(pool, 1.7)
    keep_s = shift.keep_probability(pool, "source")
    keep_t = shift.keep_probability(pool, "target")
    brute = (keep_t / keep_t.sum()) / (keep_s / keep_s.sum())
    got = shift.log_ratio(pool, pool).exp()
    assert torch.allclose(got, brute, rtol=1e-10)
    sel = shift.select(pool.repeat(400, 1, 1, 1), "source", generator=g)
    freq = torch.bincount(sel % 500, minlength=500).double() / 400
    assert (freq - keep_s).abs().max() < 0.1


# --- label shift ------------------------------------------------------------


def test_confusion_matrix_orientation_by_hand():
    """Rows predicted, columns true: C[i, j] = P(yhat = i | y = j)."""
    y = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2])
    pred = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])
    probs = F.one_hot(pred, 3).double()
    C = label.confusion_matrix(probs, y)
    expected = torch.tensor(
        [[0.75, 0.0, 0.0], [0.25, 0.5, 0.0], [0.0, 0.5, 1.0]], dtype=f64
    )
    assert torch.equal(C, expected)
    soft = torch.softmax(torch.randn(8, 3, generator=gen(9), dtype=f64), 1)
    Cs = label.confusion_matrix(soft, y, soft=True)
    assert torch.allclose(Cs[:, 0], soft[:4].mean(0))
    assert torch.allclose(Cs.sum(0), torch.ones(3, dtype=f64))


def _population(g, k=4, per_class=5000):
    """A pool whose class-conditional outputs are fixed: labels and a
    classifier's soft outputs depending on the label only through x."""
    y = torch.arange(k).repeat_interleave(per_class)
    logits = 1.5 * F.one_hot(y, k).double()
    logits += torch.randn(len(y), k, generator=g, dtype=f64)
    logits[:, 0] += 1.2 * (y == 1)  # class 1 often taken for 0,
    logits[:, 3] += 1.0 * (y == 2)  # class 2 for 3: C is not symmetric
    return y, logits.softmax(1)


def test_bbse_recovers_q_from_its_own_confusion_matrix():
    """Population level: mu = C q exactly, so BBSE returns q; the
    transpose does not."""
    g = gen(10)
    y, probs = _population(g)
    q = torch.tensor([0.55, 0.05, 0.3, 0.1], dtype=f64)
    for soft in (False, True):
        C = label.confusion_matrix(probs, y, soft=soft)
        assert torch.allclose(label.bbse(C, C @ q), q, atol=1e-12)
        assert (label.bbse(C.T, C @ q) - q).abs().max() > 0.01


def test_bbse_on_a_label_shifted_sample():
    g = gen(11)
    y, probs = _population(g)
    q = torch.tensor([0.55, 0.05, 0.3, 0.1], dtype=f64)
    idx = sampling.label_shift_indices(y, q, 200_000, generator=g)
    for soft in (False, True):
        C = label.confusion_matrix(probs, y, soft=soft)
        q_hat = label.bbse(C, label.predicted_mean(probs[idx], soft=soft))
        assert (q_hat - q).abs().max() < 0.01
        assert q_hat.sum().item() == pytest.approx(1.0, abs=1e-12)
        q_bad = label.bbse(C.T, label.predicted_mean(probs[idx], soft=soft))
        assert (q_bad - q).abs().max() > 0.05


def test_bbse_weights_equal_lipton_joint_matrix_estimator():
    """q_hat / p_hat = C_joint^{-1} mu with C_joint[i, j] = P(yhat=i, y=j)."""
    g = gen(12)
    y, probs = _population(g, per_class=300)
    y, probs = y[:1000], probs[:1000]  # unbalanced classes
    mu = label.predicted_mean(probs[torch.randperm(1000, generator=g)[:300]])
    p_hat = torch.bincount(y, minlength=4).double() / len(y)
    joint = F.one_hot(probs.argmax(1), 4).double().T @ F.one_hot(y, 4).double()
    w_lipton = torch.linalg.solve(joint / len(y), mu)
    w = label.bbse(label.confusion_matrix(probs, y), mu) / p_hat
    assert torch.allclose(w, w_lipton, atol=1e-10)


def test_prior_correction_is_bayes_rule_with_the_new_prior():
    x = torch.linspace(-3, 3, 25, dtype=f64)
    means = torch.tensor([-1.0, 0.0, 1.5], dtype=f64)
    lik = Normal(means, 1.0).log_prob(x[:, None]).exp()  # (25, 3)
    p = torch.tensor([0.2, 0.5, 0.3], dtype=f64)
    q = torch.tensor([0.6, 0.1, 0.3], dtype=f64)
    post = lambda prior: lik * prior / (lik * prior).sum(1, keepdim=True)  # noqa: E731
    got = label.prior_correct(post(p), q / p)
    assert torch.allclose(got, post(q), atol=1e-14)


def test_condition_number_and_projection():
    assert label.condition_number(torch.eye(3, dtype=f64)) == pytest.approx(1)
    C = torch.tensor([[0.9, 0.2], [0.1, 0.8]], dtype=f64)
    assert label.condition_number(C) == pytest.approx(
        torch.linalg.cond(C).item()
    )
    singular = torch.tensor([[1.0, 1.0], [0.0, 0.0]], dtype=f64)
    assert label.condition_number(singular) == math.inf
    q = label.project(torch.tensor([0.7, -0.1, 0.4], dtype=f64))
    assert q.tolist() == pytest.approx([0.7 / 1.1, 0.0, 0.4 / 1.1])
    assert label.weight_mse(torch.ones(2), torch.zeros(2)) == 1.0


# --- sampling ---------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.1, 1.0, 3.0])
def test_gamma_variates_moments(alpha):
    g = gen(13)
    x = sampling.log_gamma_variates(
        torch.full((400_000,), alpha), generator=g
    ).exp()
    se = (alpha / len(x)) ** 0.5
    assert abs(x.mean().item() - alpha) < 5 * se
    assert x.var().item() == pytest.approx(alpha, rel=0.05)


def test_gamma_variates_match_torchs_sampler_by_ks():
    g = gen(14)
    mine = sampling.log_gamma_variates(torch.full((4000,), 0.5), generator=g)
    torch.manual_seed(0)
    ref = torch.distributions.Gamma(0.5, 1.0).sample((4000,)).double().log()
    D = detect.ks_statistic(mine.exp(), ref.exp())
    assert detect.ks_pvalue(D, 4000, 4000) > 0.001


def test_dirichlet_mean_and_variance():
    g = gen(15)
    d = sampling.dirichlet(0.5, 4, 200_000, generator=g)
    assert torch.allclose(d.sum(1), torch.ones(len(d), dtype=f64))
    a0 = 0.5 * 4
    assert torch.allclose(
        d.mean(0), torch.full((4,), 0.25, dtype=f64), atol=0.003
    )
    var = 0.25 * 0.75 / (a0 + 1)
    assert torch.allclose(
        d.var(0), torch.full((4,), var, dtype=f64), rtol=0.03
    )


def test_label_shift_indices_follow_q_and_keep_each_class_uniform():
    g = gen(16)
    y = torch.tensor([0] * 3 + [1] * 5 + [2] * 2)
    q = torch.tensor([0.5, 0.0, 0.5], dtype=f64)
    idx = sampling.label_shift_indices(y, q, 60_000, generator=g)
    counts = torch.bincount(idx, minlength=10).double()
    assert counts[3:8].sum() == 0  # no label 1
    share = counts / counts.sum()
    expected = torch.tensor([1 / 6] * 3 + [0] * 5 + [1 / 4] * 2, dtype=f64)
    assert torch.allclose(share, expected, atol=0.01)
    with pytest.raises(ValueError):
        sampling.label_shift_indices(
            y, torch.tensor([0.2, 0.2, 0.2, 0.4]), 5, generator=g
        )


# --- detection --------------------------------------------------------------


def _ks_brute(a, b):
    grid = torch.cat([a, b])
    Fa = (a[None, :] <= grid[:, None]).double().mean(1)
    Fb = (b[None, :] <= grid[:, None]).double().mean(1)
    return (Fa - Fb).abs().max().item()


def test_ks_statistic_against_brute_force_with_ties():
    g = gen(17)
    a = torch.randint(0, 6, (37,), generator=g).double()
    b = torch.randint(0, 8, (23,), generator=g).double()
    assert detect.ks_statistic(a, b).item() == pytest.approx(_ks_brute(a, b))
    A, B = torch.randn(30, 3, generator=g), torch.randn(45, 3, generator=g)
    got = detect.ks_statistic(A, B)
    for j in range(3):
        assert got[j].item() == pytest.approx(_ks_brute(A[:, j], B[:, j]))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_exact_pvalue_against_enumeration(n):
    """All C(2n, n) splits, counted here independently of the module."""
    counts = {}
    for first in itertools.combinations(range(2 * n), n):
        a = torch.tensor(first, dtype=f64)
        b = torch.tensor(
            [r for r in range(2 * n) if r not in first], dtype=f64
        )
        k = round(_ks_brute(a, b) * n)
        counts[k] = counts.get(k, 0) + 1
    total = math.comb(2 * n, n)
    for k in range(n + 1):
        brute = sum(c for kk, c in counts.items() if kk >= k) / total
        got = detect.ks_pvalue(torch.tensor(k / n), n, n).item()
        assert got == pytest.approx(brute, abs=1e-13)
    assert detect.ks_null_by_enumeration(n)[n] == pytest.approx(2 / total)


def test_exact_pvalue_against_a_permutation_test():
    g = gen(18)
    a = torch.randn(30, generator=g, dtype=f64)
    b = torch.randn(30, generator=g, dtype=f64) + 0.5
    D = detect.ks_statistic(a, b)
    pooled, rounds, hits = torch.cat([a, b]), 20_000, 0
    for _ in range(rounds):
        perm = pooled[torch.randperm(60, generator=g)]
        hits += bool(detect.ks_statistic(perm[:30], perm[30:]) >= D - 1e-12)
    p_perm = hits / rounds
    p = detect.ks_pvalue(D, 30, 30).item()
    assert abs(p - p_perm) < 4 * (p * (1 - p) / rounds) ** 0.5


def test_asymptotic_pvalue_close_to_exact_for_large_samples():
    for d in (0.03, 0.05, 0.08):
        exact = detect.ks_pvalue(torch.tensor(d), 2000, 2000).item()
        limit = detect.ks_pvalue(torch.tensor(d), 2000, 2001).item()
        assert limit == pytest.approx(exact, abs=0.01)


def test_exact_size_is_attained_and_below_the_level():
    size = detect.ks_exact_size(20, 0.05)
    p_all = detect.ks_pvalue(torch.arange(21, dtype=f64) / 20, 20, 20)
    assert size <= 0.05 and any(abs(p - size) < 1e-15 for p in p_all.tolist())


def test_bbsd_flags_a_shift_and_bonferroni_divides_the_level():
    g = gen(19)
    ref = torch.randn(400, 5, generator=g, dtype=f64)
    same = torch.randn(400, 5, generator=g, dtype=f64)
    moved = same.clone()
    moved[:, 2] += 1.0
    assert detect.bbsd(ref, moved)[0]
    hit, p = detect.bbsd(ref, same)
    assert hit == bool(p.min() <= 0.05 / 5)


def _binomial_pmf_brute(n, p):
    return [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]


def test_binomial_intervals_against_their_definitions():
    n, p = 60, 0.07
    lo, hi = detect.binomial_acceptance(n, p)
    pmf = _binomial_pmf_brute(n, p)
    assert sum(pmf[:lo]) <= 0.025 < sum(pmf[: lo + 1])
    assert sum(pmf[hi + 1 :]) <= 0.025 < sum(pmf[hi:])
    k = 9
    low, up = detect.clopper_pearson(k, n)
    assert sum(_binomial_pmf_brute(n, low)[k:]) == pytest.approx(0.025)
    assert sum(_binomial_pmf_brute(n, up)[: k + 1]) == pytest.approx(0.025)
    assert detect.clopper_pearson(0, n)[0] == 0.0


# --- concept shift and feedback ---------------------------------------------


def test_relabel():
    y = torch.tensor([0, 6, 3, 6])
    assert concept.relabel(y, {6: 0}).tolist() == [0, 0, 3, 0]
    assert y.tolist() == [0, 6, 3, 6]


def test_ranking_feedback_needs_position_bias_to_lock_in():
    g = gen(20)
    run = lambda exam, ipw: concept.ranking_feedback(  # noqa: E731
        (0.5, 0.3), exam, 400, 200, ipw=ipw, generator=g
    )[:, -1]
    assert (run((1.0, 0.3), True) == 0).double().mean() > 0.95
    assert (run((1.0, 0.3), False) == 0).double().mean() < 0.8
    # without position bias, clicks per impression are unbiased too
    assert (run((1.0, 1.0), False) == 0).double().mean() > 0.95
