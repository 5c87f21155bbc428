"""§4.9 Environment and distribution shift: what the page runs, checks
and plots.  The page imports this package as ``study``; each experiment
returns a :class:`mlp_notes.claims.Finding`.

* :mod:`.budget`: ``Budget`` and ``BUDGETS`` (``settings.pick``).
* :mod:`.weighting`: importance weighting on Gaussians, against closed
  forms; the density ratio from logistic regression.
* :mod:`.covariate`: a brightness shift of Fashion-MNIST: estimated
  weights, weighted training, the domain classifier as a detector.
* :mod:`.label`: BBSE under Dirichlet label shifts, the prior correction.
* :mod:`.conditioning`: where BBSE breaks.
* :mod:`.detection`: KS tests on softmax outputs: exactness, false
  alarms, detection rates.
* :mod:`.exercises`: concept shift, a feedback loop, other gaps between
  empirical risk and risk, weights of infinite variance.
"""

from mlp_notes.studies.distribution_shift.budget import BUDGETS, Budget
from mlp_notes.studies.distribution_shift.conditioning import (
    conditioning,
    transposed,
    under_covariate_shift,
)
from mlp_notes.studies.distribution_shift.covariate import (
    brightness_shift,
    corrected_training,
    detector,
)
from mlp_notes.studies.distribution_shift.detection import (
    detection_rates,
    exact_null,
    false_alarms,
)
from mlp_notes.studies.distribution_shift.exercises import (
    concept_shift,
    exploding_weights,
    feedback,
    risk_gaps,
)
from mlp_notes.studies.distribution_shift.label import (
    PUBLISHED_MNIST,
    bbse_sweep,
    correction,
    mse_curves,
    mse_table,
    outputs,
)
from mlp_notes.studies.distribution_shift.weighting import (
    clipping_check,
    gaussian_ratio,
    line_fits,
    weighting_check,
)

__all__ = [
    "BUDGETS",
    "PUBLISHED_MNIST",
    "Budget",
    "bbse_sweep",
    "brightness_shift",
    "clipping_check",
    "concept_shift",
    "conditioning",
    "corrected_training",
    "correction",
    "detection_rates",
    "detector",
    "exact_null",
    "exploding_weights",
    "false_alarms",
    "feedback",
    "gaussian_ratio",
    "line_fits",
    "mse_curves",
    "mse_table",
    "outputs",
    "risk_gaps",
    "transposed",
    "under_covariate_shift",
    "weighting_check",
]
