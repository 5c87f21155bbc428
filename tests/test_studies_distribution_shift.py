"""§4.9's soft-versus-hard claim reads the errors by kind, pairs them by
draw, and fails when soft's error is the larger."""

import random

import pytest

from mlp_notes.claims import Claims
from mlp_notes.studies.distribution_shift.label import _soft_vs_hard

NS = (500, 1000)


def _errors(soft_scale: float, draws: int = 30) -> dict:
    rng = random.Random(0)
    err = {}
    for n in NS:
        hard = [rng.uniform(1, 2) / n for _ in range(draws)]
        err[1.0, "hard", n] = hard
        err[1.0, "soft", n] = [soft_scale * h for h in hard]
    return err


@pytest.mark.parametrize("scale, holds", [(0.8, True), (1.25, False)])
def test_soft_below_hard_is_claimed_only_when_true(scale, holds):
    claims = Claims()
    _soft_vs_hard(claims, _errors(scale), 1.0, NS, decisive=True)
    assert claims.all_hold is holds
    assert "paired by draw" in str(claims)
