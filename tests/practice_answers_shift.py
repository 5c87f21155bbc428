"""§4.9's checked exercises: learners' answers as source code, in the
format of practice_answers.py (REFERENCE, FORMS, MISTAKES with the
phrase the hint must contain), and the self-check bullets' sources in
the format of practice_sources.py.  Kept apart until they are merged
into those two files; tests/test_checks_shift.py runs them."""

from __future__ import annotations


def fn(name: str, args: str, *body: str) -> str:
    """``def name(args):`` with ``body`` lines, the last one returned."""
    lines = [f"def {name}({args}):"]
    lines += [f"    {b}" for b in body[:-1]]
    lines.append(f"    return {body[-1]}")
    return "\n".join(lines)


def _ks(*body):
    return fn("ks_statistic", "a, b", *body)


def _w(*body):
    return fn("weight_from_logit", "f, n_source, n_target", *body)


def _noise(*body):
    return fn("noisy_error", "R, rho, K", *body)


_KS_GRID = (
    "t = torch.cat([a, b])",
    "Fa = (a[None, :] <= t[:, None]).double().mean(1)",
    "Fb = (b[None, :] <= t[:, None]).double().mean(1)",
)

REFERENCE = {
    "ks_statistic": _ks(*_KS_GRID, "(Fa - Fb).abs().max()"),
    "weight_from_logit": _w("torch.exp(f) * n_source / n_target"),
    "noisy_error": _noise("(1 - R) * rho + R * (1 - rho / (K - 1))"),
}

FORMS = {
    "ks_statistic": [
        _ks(*_KS_GRID, "float((Fa - Fb).abs().max())"),
        _ks(*_KS_GRID, "(Fa - Fb).abs().max().float()"),
        _ks(
            "t = torch.unique(torch.cat([a, b]))",
            "Fa = torch.searchsorted(a.sort().values, t, right=True) / len(a)",
            "Fb = torch.searchsorted(b.sort().values, t, right=True) / len(b)",
            "(Fa - Fb).abs().max()",
        ),
        _ks(
            "x, y = np.sort(a.numpy()), np.sort(b.numpy())",
            "t = np.concatenate([x, y])",
            "Fa = np.searchsorted(x, t, side='right') / len(x)",
            "Fb = np.searchsorted(y, t, side='right') / len(y)",
            "np.abs(Fa - Fb).max()",
        ),
        _ks(
            "a, b = a.float(), b.float()",
            "t = torch.cat([a, b])",
            "Fa = (a[None, :] <= t[:, None]).float().mean(1)",
            "Fb = (b[None, :] <= t[:, None]).float().mean(1)",
            "(Fa - Fb).abs().max()",
        ),
        _ks(
            "best = 0.0",
            "for t in torch.cat([a, b]).tolist():",
            "    fa = sum(1 for v in a.tolist() if v <= t) / len(a)",
            "    fb = sum(1 for v in b.tolist() if v <= t) / len(b)",
            "    best = max(best, abs(fa - fb))",
            "best",
        ),
        _ks(
            "t = torch.cat([a, b])",
            "Fa = (a[None, :] < t[:, None]).double().mean(1)",
            "Fb = (b[None, :] < t[:, None]).double().mean(1)",
            "(Fa - Fb).abs().max()",
        ),
        _ks(
            *_KS_GRID,
            "torch.maximum((Fa - Fb).max(), (Fb - Fa).max()).reshape(1, 1)",
        ),
        _ks(*_KS_GRID, "[(Fa - Fb).abs().max().item()]"),
    ],
    "weight_from_logit": [
        _w("(f - math.log(n_target / n_source)).exp()"),
        _w("torch.exp(f) / (n_target / n_source)"),
        _w(
            "p = torch.sigmoid(f)",
            "p / (1 - p) * n_source / n_target",
        ),
        _w("np.exp(f.numpy()) * n_source / n_target"),
        _w("(torch.exp(f) * n_source / n_target).float()"),
        _w("[math.exp(v) * n_source / n_target for v in f.tolist()]"),
        _w("torch.exp(f + math.log(n_source) - math.log(n_target))"),
        _w("(n_source / n_target) * f.exp()"),
        _w("torch.exp(f).unsqueeze(1) * n_source / n_target"),
    ],
    "noisy_error": [
        _noise("rho * (1 - R) + R * (1 - rho / (K - 1))"),
        _noise("R + rho - R * rho - R * rho / (K - 1)"),
        _noise("R + rho - R * rho * K / (K - 1)"),
        _noise("torch.tensor((1 - R) * rho + R * (1 - rho / (K - 1)))"),
        _noise("np.float32((1 - R) * rho + R * (1 - rho / (K - 1)))"),
        _noise(
            "right = (1 - R) * rho",
            "wrong = R * (1 - rho) + R * rho * (K - 2) / (K - 1)",
            "right + wrong",
        ),
        _noise("[(1 - R) * rho + R * (1 - rho / (K - 1))]"),
        _noise("1 - ((1 - R) * (1 - rho) + R * rho / (K - 1))"),
        _noise(
            "from fractions import Fraction",
            "float(1 - Fraction(1 - R) * Fraction(1 - rho)"
            " - Fraction(R) * Fraction(rho) / (K - 1))",
        ),
    ],
}

MISTAKES = [
    (
        "ks_statistic",
        _ks(
            "order = torch.sort(torch.cat([a, b]), stable=True).indices",
            "s = torch.where(order < len(a), 1 / len(a), -1 / len(b))",
            "torch.cumsum(s, 0).abs().max()",
        ),
        "repeated values",
    ),
    ("ks_statistic", _ks(*_KS_GRID, "(Fa - Fb).max()"), "one-sided"),
    ("ks_statistic", _ks(*_KS_GRID, "(Fb - Fa).max()"), "one-sided"),
    (
        "ks_statistic",
        _ks(
            "t = torch.cat([a, b])",
            "Fa = (a[None, :] <= t[:, None]).double().sum(1)",
            "Fb = (b[None, :] <= t[:, None]).double().sum(1)",
            "(Fa * len(b) - Fb * len(a)).abs().max()",
        ),
        "fractions",
    ),
    (
        "ks_statistic",
        _ks(*_KS_GRID, "(Fa - Fb).abs().max() * len(a)"),
        "fractions",
    ),
    (
        "ks_statistic",
        _ks(
            *_KS_GRID,
            "n, m = len(a), len(b)",
            "(Fa - Fb).abs().max() * (n * m / (n + m)) ** 0.5",
        ),
        "limit distribution",
    ),
    ("ks_statistic", _ks("(a.mean() - b.mean()).abs()"), "means"),
    (
        "ks_statistic",
        _ks(
            "t = a",
            "Fa = (a[None, :] <= t[:, None]).double().mean(1)",
            "Fb = (b[None, :] <= t[:, None]).double().mean(1)",
            "(Fa - Fb).abs().max()",
        ),
        "both samples",
    ),
    (
        "weight_from_logit",
        _w("torch.exp(f)"),
        "same size",
    ),
    (
        "weight_from_logit",
        _w("torch.exp(f) * n_target / n_source"),
        "upside down",
    ),
    (
        "weight_from_logit",
        _w("torch.exp(-f) * n_target / n_source"),
        "target",
    ),
    ("weight_from_logit", _w("torch.exp(-f)"), "p_source / p_target"),
    (
        "weight_from_logit",
        _w("f - math.log(n_target / n_source)"),
        "log of the ratio",
    ),
    ("weight_from_logit", _w("f"), "logit itself"),
    ("weight_from_logit", _w("torch.sigmoid(f)"), "a probability"),
    (
        "weight_from_logit",
        _w("torch.sigmoid(f) * n_source / n_target"),
        "not the odds",
    ),
    (
        "noisy_error",
        _noise("R * (1 - rho) + (1 - R) * rho"),
        "two classes",
    ),
    (
        "noisy_error",
        _noise("(1 - R) * rho + R * (1 - rho / K)"),
        "K - 1",
    ),
    ("noisy_error", _noise("(1 - R) * rho + R"), "match a flipped"),
    ("noisy_error", _noise("R + rho"), "disjoint"),
    ("noisy_error", _noise("R + rho - R * rho"), "match a flipped"),
    ("noisy_error", _noise("R"), "labels changed"),
    ("noisy_error", _noise("(1 - R) * rho"), "wrong predictions count"),
    ("noisy_error", _noise("float('nan')"), "NaN"),
]

#: Self-check bullets of docs/practice/distribution-shift.py: (workbook,
#: exercise, bullet) -> (anchor on the page, words its section says).
SOURCES = {
    (
        "distribution-shift",
        1,
        "Users: what they click depends on what they are shown; they adapt "
        "or leave.",
    ): (
        "1-when-the-search-engine-changes",
        "click what sits on top because it sits on top",
    ),
    (
        "distribution-shift",
        1,
        "Advertisers: they optimize against the new ranking, an "
        "adversarial shift.",
    ): (
        "1-when-the-search-engine-changes",
        "optimize against",
        "adversarial shift",
    ),
    (
        "distribution-shift",
        1,
        "The feedback loop: the next training data depend on the current "
        "model; a fix such as inverse propensity weighting.",
    ): (
        "1-when-the-search-engine-changes",
        "feedback loop",
        "inverse propensity weighting",
    ),
    (
        "distribution-shift",
        2,
        "A classifier trained to tell source from target inputs, judged "
        "on held-out examples.",
    ): (
        "2-a-covariate-shift-detector",
        "on one part of both samples",
        "held-out",
    ),
    (
        "distribution-shift",
        2,
        "A test whose false-alarm rate is controlled, and a control "
        "without shift.",
    ): (
        "2-a-covariate-shift-detector",
        "the p-value is valid",
        "a control",
    ),
    (
        "distribution-shift",
        3,
        "Weights clipped and normalized, the effective sample size "
        "checked, the loss weighted.",
    ): (
        "3-a-covariate-shift-corrector",
        "clip the weights and scale them to mean 1",
        "effective sample size",
    ),
    (
        "distribution-shift",
        3,
        "Evidence of whether the correction helps: it pays for a "
        "misspecified model, not necessarily for a flexible one.",
    ): (
        "3-a-covariate-shift-corrector",
        "pays for a misspecified model",
    ),
    (
        "distribution-shift",
        4,
        "Sample size, dependent examples, label noise, and selection on "
        "the same data, each with a number.",
    ): (
        "4-what-else-separates-empirical-risk-from-risk",
        "Sample size",
        "Dependent examples",
        "Label noise",
        "Selection on the same data",
    ),
}
