import pytest

from mlp_notes import stats
from mlp_notes.claims import WIDTH, Claims


def test_claims_print_each_claim_within_the_width_and_check_raises():
    claims = Claims().add("a holds " * 20, True).add("b is false", False)
    text = str(claims)
    assert text.startswith("asserted, ok: a holds")
    assert "asserted, FAILS: b is false" in text
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert not claims.all_hold
    with pytest.raises(AssertionError, match="b is false"):
        claims.check()


def test_claims_that_hold_do_not_raise():
    claims = Claims().add("x", 1 < 2)
    claims.check()
    assert claims.all_hold and claims[0].holds is True


UP = stats.paired([0.9, 0.91, 0.92], [0.8, 0.82, 0.85])  # resolved, > 0
DOWN = stats.paired([0.8, 0.82, 0.85], [0.9, 0.91, 0.92])  # the same, < 0
FLAT = stats.paired([0.9, 0.8, 0.85], [0.85, 0.84, 0.86])  # contains 0


@pytest.mark.parametrize(
    "d, holds",
    [
        (UP, {">": True, "<": False, "~": False, ">=": True, "<=": False}),
        (DOWN, {">": False, "<": True, "~": False, ">=": False, "<=": True}),
        (FLAT, {">": False, "<": False, "~": True, ">=": True, "<=": True}),
    ],
)
def test_a_comparison_claim_holds_only_where_its_interval_says_so(d, holds):
    for expect, want in holds.items():
        claims = Claims().compare(d, "a", "b", expect)
        assert claims.all_hold is want, (expect, str(d))


def test_a_swapped_comparison_fails_the_check():
    claims = Claims().compare(UP, "a", "b", ">")
    claims.check()
    swapped = Claims().compare(DOWN, "a", "b", ">")
    with pytest.raises(AssertionError, match="a beats b"):
        swapped.check()


def test_an_unenforced_claim_is_printed_with_its_outcome_and_not_checked():
    claims = Claims().compare(DOWN, "a", "b", ">", enforce=False)
    claims.check()  # does not raise
    assert str(claims).startswith("not asserted at this budget (would fail)")


def test_one_pair_supports_no_direction():
    one = stats.paired([0.9], [0.8])
    assert not Claims().compare(one, "a", "b", ">").all_hold
    assert Claims().compare(one, "a", "b", "~").all_hold


def test_words_name_the_direction_without_changing_the_decision():
    narrower = Claims().compare(
        DOWN, "gap a", "b", "<", words="is narrower than"
    )
    assert narrower.all_hold and "gap a is narrower than b" in str(narrower)
    wider = Claims().compare(UP, "gap a", "b", "<", words="is narrower than")
    assert not wider.all_hold
