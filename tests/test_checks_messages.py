"""The workbook checks' words, whole.

test_practice.py looks for one fragment of each hint; a learner reads the
whole message.  Here every message is pinned (syrupy snapshots in
``__snapshots__/``): the verdict on every reference answer, every other
correct form and every known mistake (practice_answers.py), under either
default dtype, and on a gallery of odd answers for every check.  The
checks draw fresh random inputs, so the numbers in a message change from
run to run: they are masked (``#``) before the comparison; the words,
and where each number stands, are compared exactly.

After a deliberate change of wording, review the new messages and run
``pytest tests/test_checks_messages.py --snapshot-update``.
"""

import decimal
import hashlib
import re

import numpy as np
import pytest
import test_checks_guard as guard_tests
import test_practice as practice
import torch
from practice_answers import FORMS, MISTAKES, REFERENCE, exec_answer

from mlp_notes import checks
from mlp_notes.checks import compare
from mlp_notes.checks.answers import FLOAT64, Numbers

#: numbers (integers, decimals, exponents, percentages) and addresses
NUMBER = re.compile(r"0x[0-9a-f]+|[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?")


#: the remark on a right float64 answer that agrees to float32 precision
#: only; a form that loses digits to rounding (p / (1 - p) for p near 1)
#: gets it on some random inputs and not on others, so the snapshots
#: leave it out and the test below pins it
REMARK = compare.note(Numbers(torch.zeros(()), FLOAT64), 1.0)


def masked(message: str) -> str:
    return NUMBER.sub("#", message.replace(REMARK, ""))


def key(source: str) -> str:
    """A stable, readable key for an answer's source."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:8]
    return f"{digest} {' '.join(source.split())[:120]}"


ANSWERS: dict[str, list[str]] = {}
for _name, _forms in FORMS.items():
    ANSWERS[_name] = [REFERENCE[_name], *_forms]
for _name, _source, _ in MISTAKES:
    ANSWERS[_name].append(_source)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_every_verdict_message_is_pinned(name, default_dtype, snapshot):
    check = practice.CHECK_OF[name]
    messages = {
        key(source): masked(check(exec_answer(name, source)).message)
        for source in ANSWERS[name]
    }
    assert messages == snapshot


class ArrayOnly:
    """An object NumPy reads through ``__array__`` alone."""

    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.a, dtype=dtype)


class InterfaceOnly:
    """One NumPy reads through ``__array_interface__`` alone."""

    def __init__(self, a):
        self._a = np.ascontiguousarray(a, dtype=np.float64)

    @property
    def __array_interface__(self):
        return self._a.__array_interface__


def _nested(depth: int, value=1.0):
    for _ in range(depth):
        value = [value]
    return value


#: every kind of odd answer, in shapes no check asks for (four
#: dimensions, 210 entries), so that no message depends on a check's
#: random sizes
SHAPE = (2, 3, 5, 7)
G = guard_tests
GALLERY = {
    "attributes raise": G.Raises(),
    "str subclass": G.StrSub("1.0"),
    "list that cannot be iterated": G.ListSub([1.0, 2.0]),
    "endless list": G.Endless(),
    "fake tensor": G.FakeTensor(),
    "__float__ raises": G.BadFloat(),
    "__array__ raises": G.BadArray(),
    "recursive list": G._recursive(),
    "Decimal NaN": decimal.Decimal("NaN"),
    "text array": np.array(["a", "b"]),
    "mixed object array": np.array([1.0, "x"], dtype=object),
    "datetime array": np.array([[1, 2]], dtype="datetime64[s]"),
    "meta tensor": torch.empty(SHAPE, device="meta"),
    "sparse tensor": torch.ones(SHAPE).to_sparse(),
    "complex tensor": torch.zeros(SHAPE, dtype=torch.complex64),
    "bool tensor": torch.zeros(SHAPE, dtype=torch.bool),
    "bfloat16": torch.zeros(SHAPE, dtype=torch.bfloat16),
    "float16": torch.zeros(SHAPE, dtype=torch.float16),
    "float8": torch.zeros(SHAPE, dtype=torch.float8_e4m3fn),
    "tensor subclass that raises": torch.zeros(SHAPE).as_subclass(G.Junk),
    "ragged list": [torch.ones(2), torch.ones(3)],
    "list with text": [torch.tensor(1.0), "x"],
    "dict": {"a": 1.0},
    "set": {1.0, 2.0},
    "generator": (x for x in range(3)),
    "a type": type,
    "a builtin": print,
    "Ellipsis": Ellipsis,
    "__array__ only": ArrayOnly(np.ones(SHAPE)),
    "__array_interface__ only": InterfaceOnly(np.ones(SHAPE)),
    "object array": np.ones(SHAPE).astype(object),
    "object scalar array": np.array(2.0, dtype=object),
    "nested 6 deep": _nested(6),
    "nested 7 deep": _nested(7),
    "too large": 10**400,
    "a list holding None": [1.0, None],
    "nan": float("nan"),
    "wrong shape": torch.zeros(SHAPE),
    "complex": 1j,
    "bool": True,
}


@pytest.mark.parametrize("name", sorted(guard_tests.ALL))
def test_the_message_for_each_odd_answer_is_pinned(name, snapshot):
    """What the learner reads when the answer is of the wrong kind, for
    a function answer (returning the value) and for the value itself."""
    check = guard_tests.ALL[name]
    messages = {}
    for label, value in GALLERY.items():
        if name in guard_tests.VALUE_ANSWERS:
            messages[label] = masked(check(value).message)
        else:
            messages[label] = masked(check(lambda *a, v=value: v).message)
    assert messages == snapshot


def test_a_float64_answer_computed_in_float32_gets_the_remark():
    assert REMARK == (
        " (to float32 precision only: part of your computation ran in "
        "float32, or lost digits to rounding, as 1 - p does for p near 1)"
    )
    in_float32 = [
        (
            checks.check_4_3_xavier_bound,
            lambda i, o: float(np.float32((6 / (i + o)) ** 0.5)),
        ),
        (
            checks.check_4_9_weight_from_logit,
            lambda f, s, t: (torch.exp(f.float()) * s / t).double(),
        ),
        (
            checks.check_4_5_l1_step,
            lambda w, grad, lr, lam: (
                (w - lr * grad - lr * lam * torch.sign(w)).float().double()
            ),
        ),
        # a float64 NumPy scalar holding a float32 value
        (
            checks.check_4_3_xavier_bound,
            lambda i, o: np.float64(np.float32((6 / (i + o)) ** 0.5)),
        ),
        # exact ints mixed with float64 values that went through float32:
        # an answer is as precise as its least precise part
        (
            checks.check_4_1_prelu_derivative,
            lambda x, a: [
                1 if v > 0 else float(np.float32(a)) for v in x.tolist()
            ],
        ),
    ]
    for check, answer in in_float32:
        verdict = check(answer)
        assert verdict.correct and verdict.message.endswith(REMARK), verdict
    for name in ("xavier_bound", "weight_from_logit", "l1_step"):
        verdict = practice.CHECK_OF[name](exec_answer(name, REFERENCE[name]))
        assert verdict.correct and REMARK not in verdict.message, verdict


def _once(mistake, then):
    """An answer that makes ``mistake`` on its first call only."""
    calls = []

    def answer(*inputs):
        calls.append(inputs)
        return mistake(*inputs) if len(calls) == 1 else then

    return answer, calls


@pytest.mark.parametrize(
    "check, mistake, hint, otherwise, calls",
    [
        (
            checks.check_4_5_frobenius,
            lambda W: (W * W).mean(),
            "the mean of the squares, not the sum",
            "adds up the squares of w's entries",
            2,
        ),
        (
            checks.check_4_9_noisy_error,
            lambda R, rho, K: R + rho,
            "add the probabilities of disjoint cases",
            "and whether the label was flipped",
            5,
        ),
    ],
)
def test_a_hint_names_a_confusion_only_if_every_input_shows_it(
    check, mistake, hint, otherwise, calls
):
    """A constant answer can equal a confusion's number for one random
    input by chance (the mean of W's squares is within the tolerance of
    1.0 about once in 10**4 checks): a hint of a check that reads one
    number needs the answer to match the confusion on every input."""
    answer, made = _once(mistake, torch.tensor(0.25))
    verdict = check(answer)
    assert not verdict.correct and len(made) == calls, verdict
    assert verdict.message.endswith(otherwise), verdict
    always = check(mistake)
    assert always.message.endswith(hint), always
