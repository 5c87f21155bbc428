"""§4.6's analyses on planted data: effects are looked up by name, so a
design with one real effect is read right, and a swap turns it red."""

import random

import pytest

from mlp_notes.studies import dropout_exercises as ex


def design(effect_of_decay: float = -0.01, seeds: int = 5) -> dict:
    """A 2 x 2 design where only weight decay matters: scores per seed
    keyed by (dropout on, weight decay on), seed noise shared by cells."""
    rng = random.Random(0)
    base = [0.85 + rng.gauss(0, 0.01) for _ in range(seeds)]
    jitter = [[rng.gauss(0, 0.0005) for _ in range(seeds)] for _ in range(4)]
    cells = {}
    for k, (drop, decay) in enumerate(
        [(False, False), (True, False), (False, True), (True, True)]
    ):
        shift = effect_of_decay if decay else 0.0
        cells[drop, decay] = [b + shift + j for b, j in zip(base, jitter[k])]
    return cells


EXPECT = {
    "dropout alone": "~",
    "weight decay alone": "<",
    "both": "<",
    "interaction": "~",
}


def test_one_real_effect_is_read_as_that_effect():
    effects = ex.two_by_two(design())
    assert effects["weight decay alone"].high < 0  # the planted effect
    assert not effects["dropout alone"].resolved  # no effect planted
    assert ex.combined_claims(design(), EXPECT, enforce=True).all_hold


def test_the_old_positional_bug_turns_the_claims_red():
    """The page once unpacked the cells in the wrong order, reporting the
    weight-decay runs as "dropout alone": the same data so mislabelled
    must fail the page's claims."""
    cells = design()
    swapped = {
        (False, False): cells[False, False],
        (True, False): cells[False, True],  # decay's runs as dropout's
        (False, True): cells[True, False],
        (True, True): cells[True, True],
    }
    claims = ex.combined_claims(swapped, EXPECT, enforce=True)
    assert not claims.all_hold
    with pytest.raises(AssertionError, match="dropout alone"):
        claims.check()


def test_a_sign_flip_turns_the_claims_red():
    flipped = design(effect_of_decay=+0.01)
    assert not ex.combined_claims(flipped, EXPECT, enforce=True).all_hold
