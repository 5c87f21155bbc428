"""Checks for the practice workbooks (``docs/practice/``): each takes a
learner's answer and returns a :class:`Verdict`, correct (with the
evidence), wrong (what is wrong, and a hint; a known mistake gets its own
explanation) or not answered yet.  A check never raises on a wrong
answer.  Names carry the D2L section: ``check_4_5_l1_step`` is §4.5's.
"""

from mlp_notes.checks.generalization import (
    check_4_4_exact_fit,
    check_4_5_frobenius,
    check_4_5_l1_step,
    check_4_5_prior,
    check_4_6_dropout_variance,
)
from mlp_notes.checks.mlp import (
    check_4_1_prelu_derivative,
    check_4_1_tanh_identity,
    check_4_2_parameter_count,
    check_4_3_xavier_bound,
)
from mlp_notes.checks.propagation import (
    check_4_7_bias_gradient,
    check_4_7_gradient_shape,
    check_4_7_training_memory,
    check_4_8_equal_start,
    check_4_8_lars_step,
)
from mlp_notes.checks.verdict import BLANK, CORRECT, WRONG, Verdict

__all__ = [
    "BLANK",
    "CORRECT",
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
]
