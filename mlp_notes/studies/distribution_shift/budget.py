"""§4.9's budget: what each profile runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """What §4.9 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        mc_n: source draws of the Monte Carlo checks of weighting.
        line_n: source points of each line fit; line_reps: fits.
        k: strength of the brightness shift.
        covariate_subset: training images the source is selected from
            (None: the whole training split).
        covariate_epochs, covariate_seeds: the weighted MLP runs.
        clip: weights are clipped at this multiple of their mean.
        classifier_epochs: epochs of the chapter run whose outputs BBSE
            and the detector read.
        alphas: Dirichlet concentrations of the label shifts.
        bbse_sizes: target (and validation) sample sizes of BBSE.
        bbse_draws: label-shift draws per alpha.
        ks_sizes, ks_trials: sample sizes and trials of detection.
        null_sizes, null_trials: the same under no shift.
        concept_recent, concept_epochs, concept_seeds: the fine-tuning.
        feedback_rounds, feedback_reps: the ranking simulation.
    """

    decisive: bool
    mc_n: int
    line_n: int
    line_reps: int
    k: float
    covariate_subset: int | None
    covariate_epochs: int
    covariate_seeds: tuple[int, ...]
    clip: float
    classifier_epochs: int
    alphas: tuple[float, ...]
    bbse_sizes: tuple[int, ...]
    bbse_draws: int
    ks_sizes: tuple[int, ...]
    ks_trials: int
    null_sizes: tuple[int, ...]
    null_trials: int
    concept_recent: int
    concept_epochs: int
    concept_seeds: tuple[int, ...]
    feedback_rounds: int
    feedback_reps: int


BUDGETS = {
    "full": Budget(
        decisive=True,
        mc_n=200_000,
        line_n=200,
        line_reps=400,
        k=1.5,
        covariate_subset=None,
        covariate_epochs=10,
        covariate_seeds=(0, 1, 2, 3, 4),
        clip=10.0,
        classifier_epochs=10,
        alphas=(0.1, 1.0, 10.0),
        bbse_sizes=(500, 1000, 2000, 4000, 8000),
        bbse_draws=100,
        ks_sizes=(10, 20, 50, 100, 200, 500, 1000),
        ks_trials=200,
        null_sizes=(20, 200, 1000),
        null_trials=1000,
        concept_recent=1000,
        concept_epochs=10,
        concept_seeds=(0, 1, 2, 3, 4),
        feedback_rounds=1000,
        feedback_reps=400,
    ),
    "quick": Budget(
        decisive=False,
        mc_n=200_000,
        line_n=200,
        line_reps=100,
        k=1.5,
        covariate_subset=10_000,
        covariate_epochs=2,
        covariate_seeds=(0, 1),
        clip=10.0,
        classifier_epochs=2,
        alphas=(0.1, 1.0, 10.0),
        bbse_sizes=(500, 2000, 4000, 8000),
        bbse_draws=100,
        ks_sizes=(20, 200, 1000),
        ks_trials=50,
        null_sizes=(20, 1000),
        null_trials=300,
        concept_recent=1000,
        concept_epochs=2,
        concept_seeds=(0, 1),
        feedback_rounds=300,
        feedback_reps=100,
    ),
}
