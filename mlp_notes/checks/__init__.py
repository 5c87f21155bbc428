"""Checks for the practice workbooks (``docs/practice/``): each takes a
learner's answer and returns a :class:`Verdict`, correct (with the
evidence), wrong (what is wrong, and a hint; a known mistake gets its own
explanation) or not answered yet.  Names carry the D2L section:
``check_4_5_l1_step`` is §4.5's.

Every check goes through one wrapper (``guard.exercise``): it never
raises, stops the learner's code at a time limit (``guard.LIMITS``; one
C call that never lets go of the interpreter is the exception the
workbooks state), runs on fresh random inputs it never prints, compares
at float32 precision whatever the answer's dtype (``compare``), refuses
the package's own answer, and ignores monkeypatches made by the
learner's cells (``isolation``).
"""

from mlp_notes import (
    activations,
    claims,
    dropout,
    footprint,
    initialization,
    models,
    optim,
    polynomial,
    regularization,
    weight_decay,
)
from mlp_notes.checks import (
    answers,
    audit,
    callers,
    compare,
    generalization,
    guard,
    isolation,
    mlp,
    package,
    prior,
    propagation,
    runs,
    shift,
    swap,
    switches,
    tripwire,
    verdict,
    watch,
    worker,
)
from mlp_notes.checks.generalization import (
    check_4_4_exact_fit,
    check_4_5_frobenius,
    check_4_5_l1_step,
    check_4_6_dropout_variance,
)
from mlp_notes.checks.guard import LIMITS
from mlp_notes.checks.mlp import (
    check_4_1_prelu_derivative,
    check_4_1_tanh_identity,
    check_4_2_parameter_count,
    check_4_3_xavier_bound,
)
from mlp_notes.checks.prior import check_4_5_prior
from mlp_notes.checks.propagation import (
    check_4_7_bias_gradient,
    check_4_7_gradient_shape,
    check_4_7_training_memory,
    check_4_8_equal_start,
    check_4_8_lars_step,
)
from mlp_notes.checks.shift import (
    check_4_9_ks_statistic,
    check_4_9_noisy_error,
    check_4_9_weight_from_logit,
)
from mlp_notes.checks.verdict import BLANK, CORRECT, WRONG, Verdict
from mlp_notes.shift import detect, ratio

guard.seal(
    own_modules=(
        activations,
        claims,
        dropout,
        footprint,
        initialization,
        models,
        optim,
        polynomial,
        regularization,
        weight_decay,
        detect,
        ratio,
        answers,
        audit,
        callers,
        compare,
        generalization,
        guard,
        isolation,
        mlp,
        package,
        prior,
        propagation,
        runs,
        shift,
        swap,
        switches,
        tripwire,
        verdict,
        watch,
        worker,
    ),
    reference_modules=(mlp, generalization, prior, propagation, shift),
)

__all__ = [
    "BLANK",
    "CORRECT",
    "LIMITS",
    "WRONG",
    "Verdict",
    "check_4_1_prelu_derivative",
    "check_4_1_tanh_identity",
    "check_4_2_parameter_count",
    "check_4_3_xavier_bound",
    "check_4_4_exact_fit",
    "check_4_5_frobenius",
    "check_4_5_l1_step",
    "check_4_5_prior",
    "check_4_6_dropout_variance",
    "check_4_7_bias_gradient",
    "check_4_7_gradient_shape",
    "check_4_7_training_memory",
    "check_4_8_equal_start",
    "check_4_8_lars_step",
    "check_4_9_ks_statistic",
    "check_4_9_noisy_error",
    "check_4_9_weight_from_logit",
]
