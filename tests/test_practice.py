"""The practice workbooks (docs/practice/*.py), run three ways: as
shipped (every check says "not answered yet"), with the reference answers
(every check says correct), and with each known mistake (the check says
wrong, with its hint).  Plus every other correct form of each answer, in
float32 and float64 and under either default dtype; the verdicts' words
(no code, no inputs); and the self-check lists against the guide's
answers (practice_sources.py)."""

import re
from pathlib import Path

import jupytext
import pytest
import torch
from markdown.extensions.toc import slugify
from practice_answers import FORMS, MISTAKES, REFERENCE, exec_answer, scope
from practice_sources import SOURCES

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
    "distribution-shift": "4.9",
}


def cells(path: Path):
    return jupytext.read(path).cells


def answer_name(source: str) -> str:
    found = re.search(r"^(?:def (\w+)|(\w+) =)", source, re.M)
    return found[1] or found[2]


def run(path: Path, answers: dict[str, str] | None = None) -> dict:
    """Execute a workbook in-process; {answer name: Verdict}.  Answers
    may use what ``practice_answers.scope`` provides, as if imported."""
    namespace, verdicts, name = scope(), {}, None
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


# answer name -> its workbook and its check, from the tags (nothing run)
WORKBOOK_OF, CHECK_OF = {}, {}
for _path in WORKBOOKS:
    _name = None
    for _cell in cells(_path):
        _tags = _cell.metadata.get("tags", [])
        if "answer" in _tags:
            _name = answer_name(_cell.source)
            WORKBOOK_OF[_name] = _path
        if "check" in _tags:
            _check = re.fullmatch(r"checks\.(\w+)\((\w+)\)", _cell.source)
            assert _check and _check[2] == _name, _cell.source
            CHECK_OF[_name] = getattr(checks, _check[1])


def test_one_workbook_per_section_with_a_check_each():
    assert sorted(p.stem for p in WORKBOOKS) == sorted(SECTIONS)
    for path in WORKBOOKS:
        assert run(path), f"{path.name} has no checked exercise"


def _what_checks_do(path: Path) -> str:
    """The workbook's paragraph on what its checks do and do not cover,
    as one line of words."""
    text = path.read_text()
    start = text.index("# Each check draws fresh random inputs")
    end = text.index("Under each check: what it does not cover.", start)
    return " ".join(text[start:end].replace("#", " ").split())


def test_the_workbooks_state_the_limits_the_checks_set():
    """One paragraph in every workbook, and its numbers are the code's."""
    from mlp_notes.checks import guard, worker

    said = {_what_checks_do(path) for path in WORKBOOKS}
    assert len(said) == 1, "the workbooks' paragraphs on checks differ"
    (text,) = said
    limits = guard.Limits()  # as shipped, whatever a test set
    assert f"after {limits.seconds:g} seconds ({limits.first:g} until" in text
    assert worker.IMPORTS == 60 and "up to a minute of imports" in text
    assert "compares at float32 precision whatever your answer's" in text


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_shipped_workbook_says_not_answered(path):
    verdicts = run(path)
    assert all(v.status == BLANK for v in verdicts.values()), verdicts


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_reference_answers_are_correct(path):
    verdicts = run(path, REFERENCE)
    wrong = {k: v for k, v in verdicts.items() if v.status != CORRECT}
    assert not wrong, wrong


def test_every_checked_answer_has_forms_and_mistakes():
    """At least 8 other correct forms and 8 wrong answers each."""
    assert set(CHECK_OF) == set(REFERENCE) == set(FORMS)
    for name in CHECK_OF:
        assert len(FORMS[name]) >= 8, name
        assert sum(m[0] == name for m in MISTAKES) >= 8, name


# the reference answers' formulas, as a hint might spell them
FORMULAS = [
    r"sqrt\(6",
    r"6 ?/ ?\(",
    r"sigmoid\(2 ?\*? ?x\)",
    r"2 ?\* ?sigmoid",
    r"p ?/ ?\(1 ?- ?p\)",
    r"lr ?\* ?eta",
    r"\|\|w\|\| ?/ ?\|\|",
    r"sign\(w\)",
    r"sigma\^2 ?/ ?\(n",
    r"n ?\* ?lambda",
    r"4 ?\* ?n",
    r"784 ?\+",
    r"sum\(dim ?= ?0\)|sum\(0\)",
]
FORM_CASES = [
    (n, s) for n, forms in FORMS.items() for s in [REFERENCE[n], *forms]
]


@pytest.mark.parametrize(
    "name, source",
    FORM_CASES,
    ids=[f"{n}-{i}" for i, (n, _) in enumerate(FORM_CASES)],
)
def test_any_correct_form_passes(name, source, default_dtype):
    verdict = CHECK_OF[name](exec_answer(name, source))
    assert verdict.status == CORRECT, verdict


@pytest.mark.parametrize(
    "name, source, hint",
    MISTAKES,
    ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_known_mistakes_get_their_hint(name, source, hint, default_dtype):
    verdict = CHECK_OF[name](exec_answer(name, source))
    assert verdict.status == WRONG, verdict
    assert hint in verdict.message, verdict
    for pattern in FORMULAS:  # a hint never states the answer
        assert not re.search(pattern, verdict.message), (pattern, verdict)


@pytest.mark.parametrize(
    "name, source, hint",
    MISTAKES[::9],
    ids=[f"{m[0]}-{i * 9}" for i, m in enumerate(MISTAKES[::9])],
)
def test_known_mistakes_in_their_workbook(name, source, hint):
    verdict = run(WORKBOOK_OF[name], {name: source})[name]
    assert verdict.status == WRONG and hint in verdict.message, verdict


def test_verdicts_show_evidence_not_the_reference_code():
    for path in WORKBOOKS:
        for verdict in run(path, REFERENCE).values():
            assert not re.search(
                r"\bdef |\breturn\b|\blambda\s*\w*\s*:|torch\.",
                verdict.message,
            ), verdict
            assert str(verdict).startswith("✔")


def _seen(args, found: list) -> None:
    """Every number in a check's inputs."""
    for a in args:
        if isinstance(a, torch.Tensor):
            found += a.detach().reshape(-1).tolist()
        elif isinstance(a, tuple | list):
            _seen(a, found)
        elif isinstance(a, int | float):
            found.append(a)


def _shown_inputs(check, right, scale: float) -> list:
    """The inputs of one run of ``check`` (on ``right``'s answer times
    ``scale``) that its verdict prints (an integer of 3 digits or more,
    a float to 3 significant digits)."""
    seen: list = []

    def spy(*args):
        _seen(args, seen)
        out = right(*args)
        if scale == 1.0:
            return out
        if isinstance(out, torch.distributions.Distribution):
            return out.log_prob(args[0]).sum() * scale
        return torch.as_tensor(out) * scale

    message = check(spy).message
    assert seen
    shown = [  # numbers of 3 significant digits or more
        float(t)
        for t in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", message)
        if len(re.sub(r"e.*|\D|^0+", "", t.split("e")[0])) >= 3
    ]
    return [
        (v, message)
        for v in seen
        if (abs(v) >= 100 or (abs(v) > 1e-3 and not float(v).is_integer()))
        and any(abs(t - v) <= 1e-3 * abs(v) for t in shown)
    ]


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_verdicts_never_show_the_inputs(name):
    """A wrong answer and the right one; neither verdict prints an input.
    A printed error may equal one of hundreds of random inputs to three
    digits by chance (about 1 run in 25 of the KS check): an input counts
    as shown only if three runs in a row each show one."""
    if name in ("gradient_shape", "rows_stay_equal"):
        return  # value answers: no inputs
    right = exec_answer(name, REFERENCE[name])
    for scale in (1.0, 1.5):
        runs = [_shown_inputs(CHECK_OF[name], right, scale) for _ in "abc"]
        assert not all(runs), runs[0]


def test_the_packages_own_answer_is_refused():
    """§4.9's: the package's detector statistic and density ratio."""
    from mlp_notes.shift import detect, ratio

    v = checks.check_4_9_ks_statistic(lambda a, b: detect.ks_statistic(a, b))
    assert v.status == WRONG and "write it yourself" in v.message, v
    v = checks.check_4_9_weight_from_logit(
        lambda f, n_s, n_t: ratio.log_ratio(f, n_s, n_t).exp()
    )
    assert v.status == WRONG and "write it yourself" in v.message, v


def test_the_memory_check_compares_with_what_autograd_keeps():
    """The formula in REFERENCE agrees with the measurement the check
    makes; a count off by 1% is wrong."""
    ok = exec_answer("training_bytes", REFERENCE["training_bytes"])
    assert checks.check_4_7_training_memory(ok).correct
    off = checks.check_4_7_training_memory(lambda b, h: round(1.01 * ok(b, h)))
    assert off.status == WRONG


def test_prelu_check_compares_in_float64_away_from_the_kink():
    seen = []

    def spy(x, alpha):
        seen.append(x)
        return torch.where(x > 0, 1.0, alpha).to(x.dtype)

    assert checks.check_4_1_prelu_derivative(spy).correct
    assert all(x.dtype == torch.float64 and x.abs().min() > 1e-3 for x in seen)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_a_right_answers_evidence_reports_its_error(name):
    """The error a correct verdict reports (``error 2.1e-16``, ``to
    1.0e-16``) is the reference answer's own: below the tolerance, not a
    starting value of the running maximum (a mutant that started it at 1
    survived the seed-10 sample)."""
    from mlp_notes.checks.compare import RTOL

    verdict = CHECK_OF[name](exec_answer(name, REFERENCE[name]))
    assert verdict.correct, verdict
    said = re.findall(r"(?:error|to) (\d\.\de[-+]\d+)", verdict.message)
    assert all(float(x) <= RTOL for x in said), verdict


def test_inputs_are_fresh_every_time():
    """No lookup table of earlier inputs can answer: two runs of a check
    see different inputs."""
    runs: list[list] = [[], []]
    for seen in runs:
        checks.check_4_3_xavier_bound(lambda i, o, s=seen: s.append(i) or 1.0)
        checks.check_4_5_l1_step(lambda w, *a, s=seen: s.append(w.sum()) or w)
    assert runs[0] != runs[1]


def test_inputs_are_fresh_when_a_cell_makes_the_os_randomness_repeat(
    monkeypatch,
):
    """The third battery pinned ``random._urandom`` (what
    ``secrets.randbits`` reads) to repeat, replayed the inputs from a
    table and was told "correct".  The seed is read through os.urandom
    itself, kept when the checks are imported."""
    import os
    import random

    monkeypatch.setattr(random, "_urandom", lambda n: b"\x07" * n)
    monkeypatch.setattr(os, "urandom", lambda n: b"\x07" * n)
    runs: list[list] = [[], []]
    for seen in runs:
        checks.check_4_3_xavier_bound(lambda i, o, s=seen: s.append(i) or 1.0)
        checks.check_4_5_l1_step(lambda w, *a, s=seen: s.append(w.sum()) or w)
    assert runs[0] != runs[1]


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


def test_workbook_links_name_chapter_pages(tmp_path):
    """A workbook's link to a page that does not exist fails the build
    (docs/hooks.py aborts on ``broken_links``) and this test."""
    from mlp_notes.site.practice import broken_links

    docs = ROOT / "docs"
    assert not broken_links(docs / "practice", docs)
    (tmp_path / "x.py").write_text("# [a](../../no-such-page/#y)\n")
    assert broken_links(tmp_path, docs) == ["x.py: ../../no-such-page/"]


# -- self-check lists against the guide ------------------------------------


def bullets(path: Path) -> list[tuple[int, str]]:
    """(exercise number, bullet) of every self-check bullet."""
    found = []
    for cell in cells(path):
        head = re.search(r"^## Exercise (\d+)\.", cell.source, re.M)
        if cell.cell_type == "markdown" and head:
            found += [
                (int(head[1]), b)
                for b in re.findall(r"^- (.+)$", cell.source, re.M)
            ]
    return found


def sections(page: str) -> dict[str, str]:
    """{anchor: text} of every heading of a chapter page, as MkDocs's toc
    extension ids them; the text runs to the next heading of the same or
    a higher level.  Lines inside fences are not headings."""
    heads, fence, lines = [], False, page.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"(#{1,6}) (.+?)\s*$", line)
        if m:
            heads.append((i, len(m[1]), m[2]))
    found, used = {}, {}
    for k, (i, level, title) in enumerate(heads):
        slug = slugify(title, "-")
        used[slug] = used.get(slug, -1) + 1
        slug = slug if not used[slug] else f"{slug}_{used[slug]}"
        end = next((j for j, lv, _ in heads[k + 1 :] if lv <= level), None)
        found[slug] = "\n".join(lines[i:end])
    return found


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_self_check_bullet_has_a_source_on_its_page():
    """Each bullet is paired (practice_sources.py) with the anchor of the
    guide's section it comes from and words that section says; a bullet
    without a source, a stale source, an anchor the page lacks or words
    the section does not say fail."""
    listed = {
        (path.stem, number, bullet)
        for path in WORKBOOKS
        for number, bullet in bullets(path)
    }
    assert listed, "no bullets found"
    assert not listed - set(SOURCES), sorted(listed - set(SOURCES))
    assert not set(SOURCES) - listed, sorted(set(SOURCES) - listed)
    pages = {
        p.stem: sections((ROOT / "docs" / f"{p.stem}.md").read_text())
        for p in WORKBOOKS
    }
    unsupported = [
        (stem, number, anchor, words)
        for (stem, number, _), (anchor, *said) in SOURCES.items()
        for words in said or [None]
        if anchor not in pages[stem]
        or words is None
        or _flat(words) not in _flat(pages[stem][anchor])
    ]
    assert not unsupported, unsupported


def test_the_anchor_reader_ids_headings_as_mkdocs_does():
    page = "# T\n\n## A b\n\n```\n# not a heading\n```\n\n### 1. The tanh–sigmoid identity\n\n## A b\n"
    found = sections(page)
    assert set(found) == {"t", "a-b", "1-the-tanhsigmoid-identity", "a-b_1"}
    assert "# not a heading" in found["a-b"]
