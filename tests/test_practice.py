"""The practice workbooks (docs/practice/*.py), run three ways: as
shipped (every check says "not answered yet"), with the reference answers
(every check says correct), and with each known mistake (the check says
wrong, with its hint).  Plus the checks' own contract: never raise, name
the problem, accept any correct form."""

import re
from pathlib import Path

import jupytext
import pytest
import torch

from mlp_notes import checks
from mlp_notes.checks import BLANK, CORRECT, WRONG

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted((ROOT / "docs" / "practice").glob("*.py"))
SECTIONS = {
    "mlp": "4.1",
    "mlp-scratch": "4.2",
    "mlp-concise": "4.3",
    "underfit-overfit": "4.4",
    "weight-decay": "4.5",
    "dropout": "4.6",
    "backprop": "4.7",
    "numerical-stability": "4.8",
}

# Right answers, as a learner might write them (two forms where a check
# must accept any correct form).
REFERENCE = {
    "prelu_derivative": "def prelu_derivative(x, alpha):\n"
    "    return torch.where(x > 0, torch.ones_like(x), alpha * torch.ones_like(x))",
    "tanh_plus_one": "def tanh_plus_one(x):\n    return 2 * torch.sigmoid(2 * x)",
    "parameter_count": "def parameter_count(hiddens):\n"
    "    sizes = (784, *hiddens, 10)\n"
    "    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
    "xavier_bound": "def xavier_bound(fan_in, fan_out):\n"
    "    return (6 / (fan_in + fan_out)) ** 0.5",
    "exact_fit": "def exact_fit(F, y):\n"
    "    return torch.linalg.lstsq(F, y.unsqueeze(1)).solution",
    "l1_step": "def l1_step(w, grad, lr, lam):\n"
    "    return w - lr * grad - lr * lam * torch.sign(w)",
    "frobenius_squared": "def frobenius_squared(W):\n"
    "    return torch.trace(W.T @ W)",
    "prior": 'prior = "Gaussian"',
    "dropout_variance": "def dropout_variance(h, p):\n"
    "    return (1 - p) * (h / (1 - p)) ** 2 - h**2",
    "gradient_shape": "gradient_shape = torch.Size([3, 5])",
    "bias_gradient": "def bias_gradient(dJ_dz):\n    return dJ_dz.sum(dim=0)",
    "training_bytes": "def training_bytes(batch, hiddens):\n"
    "    return 4 * batch * (784 + sum(hiddens) + 10) + 8 * batch",
    "rows_stay_equal": "rows_stay_equal = False",
    "lars_step": "def lars_step(w, grad, lr, eta):\n"
    "    return w - lr * eta * w.norm() / grad.norm() * grad",
}
ALTERNATIVES = [  # other correct forms, and other types of the answer
    ("exact_fit", "def exact_fit(F, y):\n    return torch.linalg.pinv(F) @ y"),
    (
        "exact_fit",
        "def exact_fit(F, y):\n    return torch.linalg.lstsq(F, y.unsqueeze(1)).solution.tolist()",
    ),
    (
        "frobenius_squared",
        "def frobenius_squared(W):\n    return (W**2).sum()",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return 2 * torch.special.expit(2 * x)",
    ),
    (
        "xavier_bound",
        "def xavier_bound(fan_in, fan_out):\n    return torch.sqrt(torch.tensor(6 / (fan_in + fan_out)))",
    ),
    (
        "parameter_count",
        "import numpy as np\ndef parameter_count(hiddens):\n    s = (784, *hiddens, 10)\n    return np.sum([a * b + b for a, b in zip(s, s[1:])])",
    ),
    ("gradient_shape", "gradient_shape = (3, 5)"),
    ("rows_stay_equal", "import numpy as np\nrows_stay_equal = np.False_"),
    (
        "bias_gradient",
        "def bias_gradient(dJ_dz):\n    return dJ_dz.sum(dim=0, keepdim=True)",
    ),
    ("prior", 'prior = "a zero-mean normal distribution"'),
]
# The learner notes' wrong answers, and plausible others: (name, answer,
# a phrase the hint must contain).
MISTAKES = [
    (
        "prelu_derivative",
        "def prelu_derivative(x, alpha):\n    return (x > 0).double()",
        "ReLU's derivative",
    ),
    (
        "prelu_derivative",
        "def prelu_derivative(x, alpha):\n    return torch.where(x > 0, 1.0, alpha * x)",
        "pReLU itself",
    ),
    (
        "prelu_derivative",
        "def prelu_derivative(x, alpha):\n    return 1 if x > 0 else alpha",
        "raised RuntimeError",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return 2 * torch.sigmoid(x)",
        "try 2x",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return torch.tanh(x) + 1",
        "calls tanh",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return x.tanh() + 1",
        "calls tanh",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return torch.nn.functional.tanh(x) + 1",
        "calls tanh",
    ),
    (
        "tanh_plus_one",
        "def tanh_plus_one(x):\n    return 2 / (1 + torch.exp(-2 * x))",
        "use torch.sigmoid",
    ),
    (
        "parameter_count",
        "def parameter_count(hiddens):\n    sizes = (784, *hiddens, 10)\n    return sum(a * b for a, b in zip(sizes, sizes[1:]))",
        "biases are missing",
    ),
    (
        "parameter_count",
        "def parameter_count(hiddens):\n    sizes = (784, *hiddens)\n    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
        "output layer",
    ),
    (
        "parameter_count",
        "def parameter_count(hiddens):\n    return torch.tensor(203530.9)",
        "not a whole number",
    ),
    (
        "xavier_bound",
        "def xavier_bound(fan_in, fan_out):\n    return (2 / (fan_in + fan_out)) ** 0.5",
        "standard deviation",
    ),
    (
        "exact_fit",
        "def exact_fit(F, y):\n    return torch.linalg.solve(F[: F.shape[1]], y[: F.shape[1]])",
        "does not minimize",
    ),
    (
        "exact_fit",
        "def exact_fit(F, y):\n    return torch.zeros(F.shape[1] + 1)",
        "shape",
    ),
    (
        "l1_step",
        "def l1_step(w, grad, lr, lam):\n    return w - lr * grad + lr * lam * torch.sign(w)",
        "falls as weights grow",
    ),
    (
        "l1_step",
        "def l1_step(w, grad, lr, lam):\n    return w - lr * (grad + lam * w)",
        "L2",
    ),
    (
        "l1_step",
        "def l1_step(w, grad, lr, lam):\n    return w - lr * grad - lam * torch.sign(w)",
        "times lr",
    ),
    (
        "frobenius_squared",
        "def frobenius_squared(W):\n    return torch.linalg.norm(W)",
        "its square",
    ),
    (
        "frobenius_squared",
        "def frobenius_squared(W):\n    return W.abs().sum()",
        "L1",
    ),
    (
        "frobenius_squared",
        "def frobenius_squared(W):\n    return W.T @ W",
        "which number of W^T W",
    ),
    ("prior", 'prior = "Laplace"', "L1 penalty"),
    ("prior", 'prior = "lognormal"', "take -log P"),
    ("prior", 'prior = "half-normal"', "take -log P"),
    ("prior", 'prior = "uniform (not Gaussian)"', "take -log P"),
    (
        "dropout_variance",
        "def dropout_variance(h, p):\n    return h**2 * p * (1 - p)",
        "rescaling",
    ),
    (
        "dropout_variance",
        "def dropout_variance(h, p):\n    return float('nan') * h",
        "NaN",
    ),
    ("gradient_shape", "gradient_shape = (1, 15)", "not flattened"),
    ("gradient_shape", "gradient_shape = (5, 3)", "X^T"),
    (
        "bias_gradient",
        "def bias_gradient(dJ_dz):\n    return dJ_dz.mean(dim=0)",
        "sum, not mean",
    ),
    (
        "bias_gradient",
        "def bias_gradient(dJ_dz):\n    return dJ_dz",
        "shape (8, 4), expected (4,)",
    ),
    (
        "training_bytes",
        "def training_bytes(batch, hiddens):\n    d = 784\n    return 4 * d + 4",
        "does not grow with the batch",
    ),
    (
        "training_bytes",
        "def training_bytes(batch, hiddens):\n    return (4 * batch * (784 + sum(hiddens) + 10) + 8 * batch) / 1024",
        "bytes, not KiB",
    ),
    ("rows_stay_equal", "rows_stay_equal = True", "no hidden units"),
    (
        "lars_step",
        "def lars_step(w, grad, lr, eta):\n    return w - lr * grad",
        "plain SGD",
    ),
    (
        "lars_step",
        "def lars_step(w, grad, lr, eta):\n    return w - lr * eta * grad.norm() / w.norm() * grad",
        "fixed fraction of ||w||",
    ),
]


def cells(path: Path):
    return jupytext.read(path).cells


def answer_name(source: str) -> str:
    found = re.search(r"^(?:def (\w+)|(\w+) =)", source, re.M)
    return found[1] or found[2]


def run(path: Path, answers: dict[str, str] | None = None) -> dict:
    """Execute a workbook in-process; {answer name: Verdict}."""
    namespace, verdicts, name = {}, {}, None
    for cell in cells(path):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        source = cell.source
        if "answer" in tags:
            name = answer_name(source)
            source = (answers or {}).get(name, source)
        if "check" in tags:
            verdicts[name] = eval(source, namespace)
        else:
            exec(compile(source, str(path), "exec"), namespace)
    return verdicts


# answer name -> its workbook, from the tags (nothing executed)
WORKBOOK_OF = {
    answer_name(c.source): path
    for path in WORKBOOKS
    for c in cells(path)
    if "answer" in c.metadata.get("tags", [])
}


def test_one_workbook_per_section_with_a_check_each():
    assert sorted(p.stem for p in WORKBOOKS) == sorted(SECTIONS)
    for path in WORKBOOKS:
        assert run(path), f"{path.name} has no checked exercise"


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_shipped_workbook_says_not_answered(path):
    verdicts = run(path)
    assert all(v.status == BLANK for v in verdicts.values()), verdicts


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_reference_answers_are_correct(path):
    verdicts = run(path, REFERENCE)
    wrong = {k: v for k, v in verdicts.items() if v.status != CORRECT}
    assert not wrong, wrong


@pytest.mark.parametrize("name, answer", ALTERNATIVES)
def test_any_correct_form_passes(name, answer):
    path = WORKBOOK_OF[name]
    assert run(path, {name: answer})[name].status == CORRECT


@pytest.mark.parametrize(
    "name, answer, hint",
    MISTAKES,
    ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_known_mistakes_get_their_hint(name, answer, hint):
    path = WORKBOOK_OF[name]
    verdict = run(path, {name: answer})[name]
    assert verdict.status == WRONG, verdict
    assert hint in verdict.message, verdict


def test_every_checked_answer_has_a_reference_and_mistakes():
    names = {n for p in WORKBOOKS for n in run(p)}
    assert names == set(REFERENCE)
    assert names <= {m[0] for m in MISTAKES}


JUNK = [
    ("raises", lambda *a: 1 / 0, "raised ZeroDivisionError"),
    ("a string", lambda *a: "seven", "str"),
    ("inf", lambda *a: float("inf"), "NaN or infinite|expected"),
    ("NaN", lambda *a: float("nan"), "NaN or infinite|expected"),
    ("a list of lists", lambda *a: [[1.0, 2.0]], "shape|expected"),
]
FUNCTION_CHECKS = [
    checks.check_4_1_prelu_derivative,
    checks.check_4_1_tanh_identity,
    checks.check_4_2_parameter_count,
    checks.check_4_3_xavier_bound,
    checks.check_4_4_exact_fit,
    checks.check_4_5_l1_step,
    checks.check_4_5_frobenius,
    checks.check_4_6_dropout_variance,
    checks.check_4_7_bias_gradient,
    checks.check_4_7_training_memory,
    checks.check_4_8_lars_step,
]


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_checks_never_raise_and_name_the_problem(check):
    for label, fn, phrase in JUNK:
        verdict = check(fn)
        assert verdict.status == WRONG, (label, verdict)
        assert re.search(phrase, verdict.message), (label, verdict)
    assert check(None).status == BLANK
    assert check(lambda *a: None).status == BLANK  # a stub's body: ...
    assert check(42).status == WRONG  # not a function


@pytest.mark.parametrize(
    "check",
    [
        checks.check_4_5_prior,
        checks.check_4_7_gradient_shape,
        checks.check_4_8_equal_start,
    ],
    ids=lambda c: c.__name__,
)
def test_value_checks_say_which_types_they_accept(check):
    assert check(...).status == BLANK
    verdict = check(3.5)
    assert verdict.status == WRONG and "expected" in verdict.message


def test_verdicts_show_evidence_not_the_reference_code():
    for path in WORKBOOKS:
        for verdict in run(path, REFERENCE).values():
            assert not re.search(
                r"\bdef |\breturn\b|\blambda\s*\w*\s*:|torch\.",
                verdict.message,
            ), verdict
            assert str(verdict).startswith("✔")


def test_the_memory_check_compares_with_what_autograd_keeps():
    """The formula in REFERENCE agrees with the measurement the check
    makes; a count off by 10% is wrong."""
    ok = eval("lambda b, h: 4 * b * (784 + sum(h) + 10) + 8 * b")
    assert checks.check_4_7_training_memory(ok).correct
    off = checks.check_4_7_training_memory(lambda b, h: 1.1 * ok(b, h))
    assert off.status == WRONG


def test_questions_are_the_pages_words():
    for path in WORKBOOKS:
        page = (ROOT / "docs" / f"{path.stem}.md").read_text()
        exercises = page[page.index("\n## Exercises") :]
        asked = re.findall(
            r"^### (\d+)\. (.+?)\n\n(\*.+?\*)\n", exercises, re.S | re.M
        )
        text = "\n".join(
            c.source for c in cells(path) if c.cell_type == "markdown"
        )
        text = re.sub(r"\s+", " ", text)
        for number, title, question in asked:
            assert f"## Exercise {number}. {title}" in text, (path.name, title)
            assert re.sub(r"\s+", " ", question) in text, (path.name, number)
        link = f"../../{path.stem}/#exercises"
        assert link in text, f"{path.name} links back to its chapter page"


def test_prelu_check_compares_in_float64_away_from_the_kink():
    seen = []

    def spy(x, alpha):
        seen.append(x)
        return torch.where(x > 0, 1.0, alpha).to(x.dtype)

    assert checks.check_4_1_prelu_derivative(spy).correct
    assert all(x.dtype == torch.float64 and x.abs().min() > 1e-3 for x in seen)


def test_workbook_links_name_chapter_pages(tmp_path):
    """A workbook's link to a page that does not exist fails the build
    (docs/hooks.py aborts on ``broken_links``) and this test."""
    from mlp_notes.site.practice import broken_links

    docs = ROOT / "docs"
    assert not broken_links(docs / "practice", docs)
    (tmp_path / "x.py").write_text("# [a](../../no-such-page/#y)\n")
    assert broken_links(tmp_path, docs) == ["x.py: ../../no-such-page/"]
