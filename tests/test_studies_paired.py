"""The paired comparisons every page prints: a claim where the prose
states one, a verdict line otherwise; a flipped score fails the claim."""

from mlp_notes.studies.paired import compare_to

SCORES = {
    "base": [0.80, 0.82, 0.81, 0.83, 0.80],
    "better": [0.84, 0.86, 0.85, 0.87, 0.84],
    "same": [0.80, 0.83, 0.80, 0.83, 0.81],
}


def test_claims_where_the_prose_speaks_lines_elsewhere():
    lines, claims = compare_to(SCORES, "base", {"better": ">"}, True, str)
    assert claims.all_hold and len(claims) == 1
    assert any(line.startswith("same - base") for line in lines)


def test_a_flipped_comparison_fails():
    pairs = zip(SCORES["base"], SCORES["better"], strict=True)
    flipped = dict(SCORES, better=[2 * b - x for b, x in pairs])
    _, claims = compare_to(flipped, "base", {"better": ">"}, True, str)
    assert not claims.all_hold


def test_an_unenforced_claim_never_fails_the_page():
    _, claims = compare_to(SCORES, "base", {"better": "<"}, False, str)
    claims.check()
    assert "would fail" in str(claims)
