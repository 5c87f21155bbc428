"""§4.9's workbook and checks (mlp_notes.checks.shift), run the way
tests/test_practice.py runs the others: as shipped, with the reference
answers, with other correct forms and with known mistakes, under both
default dtypes.  (Until the checks are registered in mlp_notes.checks,
the workbook's ``checks`` is given these functions.)"""

import re
import types
from pathlib import Path

import jupytext
import pytest
import torch
from practice_answers_shift import FORMS, MISTAKES, REFERENCE, SOURCES

from mlp_notes.checks import BLANK, CORRECT, WRONG
from mlp_notes.checks import shift as shift_checks

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "docs" / "practice" / "distribution-shift.py"
PAGE = ROOT / "docs" / "distribution-shift.md"
CHECKS = types.SimpleNamespace(
    **{
        n: getattr(shift_checks, n)
        for n in dir(shift_checks)
        if n.startswith("check_")
    }
)
CHECK_OF = {
    "ks_statistic": shift_checks.check_4_9_ks_statistic,
    "weight_from_logit": shift_checks.check_4_9_weight_from_logit,
    "noisy_error": shift_checks.check_4_9_noisy_error,
}


def scope() -> dict:
    import math

    import numpy as np
    import torch.nn.functional as F

    return {"torch": torch, "np": np, "math": math, "F": F}


def exec_answer(name: str, source: str):
    found = scope()
    exec(compile(source, f"<{name}>", "exec"), found)
    return found[name]


def run_workbook(answers: dict | None = None) -> dict:
    namespace, verdicts, name = scope(), {}, None
    for cell in jupytext.read(WORKBOOK).cells:
        if cell.cell_type != "code" or "install" in cell.metadata.get(
            "tags", []
        ):
            continue
        tags, source = cell.metadata.get("tags", []), cell.source
        if "answer" in tags:
            name = re.search(r"^def (\w+)", source, re.M)[1]
            source = (answers or {}).get(name, source)
        if "check" in tags:
            verdicts[name] = eval(source, {**namespace, "checks": CHECKS})
        else:
            exec(compile(source, str(WORKBOOK), "exec"), namespace)
    return verdicts


@pytest.fixture(params=[torch.float32, torch.float64], ids=str)
def default_dtype(request):
    before = torch.get_default_dtype()
    torch.set_default_dtype(request.param)
    yield request.param
    torch.set_default_dtype(before)


def test_shipped_workbook_says_not_answered():
    verdicts = run_workbook()
    assert set(verdicts) == set(CHECK_OF)
    assert all(v.status == BLANK for v in verdicts.values()), verdicts


def test_reference_answers_are_correct_in_the_workbook():
    verdicts = run_workbook(REFERENCE)
    assert all(v.status == CORRECT for v in verdicts.values()), verdicts


def test_at_least_eight_forms_and_mistakes_each():
    for name in CHECK_OF:
        assert len(FORMS[name]) >= 8, name
        assert sum(m[0] == name for m in MISTAKES) >= 8, name


@pytest.mark.parametrize(
    "name, source",
    [(n, s) for n, forms in FORMS.items() for s in [REFERENCE[n], *forms]],
)
def test_any_correct_form_passes(name, source, default_dtype):
    verdict = CHECK_OF[name](exec_answer(name, source))
    assert verdict.status == CORRECT, verdict


@pytest.mark.parametrize("name, source, hint", MISTAKES)
def test_known_mistakes_get_their_hint(name, source, hint, default_dtype):
    verdict = CHECK_OF[name](exec_answer(name, source))
    assert verdict.status == WRONG and hint in verdict.message, verdict


def test_the_packages_own_answer_is_refused():
    from mlp_notes.shift import detect, ratio

    v = CHECK_OF["ks_statistic"](lambda a, b: detect.ks_statistic(a, b))
    assert v.status == WRONG and "write it yourself" in v.message, v
    v = CHECK_OF["weight_from_logit"](
        lambda f, n_s, n_t: ratio.log_ratio(f, n_s, n_t).exp()
    )
    assert v.status == WRONG and "write it yourself" in v.message, v


def test_verdicts_never_show_the_inputs():
    seen = {}

    def spy(a, b):
        seen["a"] = a
        return exec_answer("ks_statistic", REFERENCE["ks_statistic"])(a, b)

    verdict = CHECK_OF["ks_statistic"](spy)
    assert verdict.status == CORRECT
    assert f"{float(seen['a'][0]):.3f}" not in verdict.message


def test_questions_are_the_pages_words():
    page = PAGE.read_text()
    exercises = page[page.index("\n## Exercises") :]
    asked = re.findall(
        r"^### (\d+)\. (.+?)\n\n(\*.+?\*)\n", exercises, re.S | re.M
    )
    assert len(asked) == 4
    text = "\n".join(
        c.source
        for c in jupytext.read(WORKBOOK).cells
        if c.cell_type == "markdown"
    )
    flat = re.sub(r"\s+", " ", text)
    for number, title, question in asked:
        assert f"## Exercise {number}. {title}" in flat
        assert re.sub(r"\s+", " ", question) in flat
    assert "../../distribution-shift/#exercises" in flat


def test_self_check_bullets_have_sources_on_the_page():
    bullets = set()
    for cell in jupytext.read(WORKBOOK).cells:
        head = re.search(r"^## Exercise (\d+)\.", cell.source, re.M)
        if cell.cell_type == "markdown" and head:
            bullets |= {
                ("distribution-shift", int(head[1]), b)
                for b in re.findall(r"^- (.+)$", cell.source, re.M)
            }
    assert bullets == set(SOURCES)
    flat = re.sub(r"\s+", " ", PAGE.read_text())
    for anchor, *words in SOURCES.values():
        for w in words:
            assert re.sub(r"\s+", " ", w) in flat, (anchor, w)
