import pytest

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
