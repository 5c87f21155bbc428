# %% [markdown]
# # Practice: §4.9 Environment and distribution shift
#
# Try each exercise of [§4.9](../../distribution-shift/#exercises) here before
# you read its answer on the guide.  Exercises with an answer that can be
# computed in part (here: 2, 3, 4) have a cell to fill in and a check that
# tests your answer on inputs you did not choose, then says *correct* (with
# the evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# The exercise answered by an argument alone (here: 1) has a self-check:
# what a complete answer contains, and a link to the guide's answer.  A
# check cannot read an argument, so those parts stay with you.
#
# Each check draws fresh random inputs every time it runs (and never shows
# them), compares at float32 precision whatever your answer's dtype (a
# float64 answer that agrees only that well is told so; 16-bit floats are
# too coarse to judge), and stops your code after 10 seconds (30 until a run
# of the check ends in time, while torch starts up; up to a minute of imports
# and of torch.compile's compiling does not count). It refuses mlp_notes' own
# answer to the exercise, in whatever thread calls it, and a copy of it
# (renamed, or compiled again with its docstring); calls of the checks' own
# code and reads of torch's mode stack; changes your function makes to
# mlp_notes while it runs; torch modes it leaves on; and audit hooks your
# code adds (it blocks them). While it runs, it undoes changes your cells
# made to what it computes with: the functions and constants of torch, NumPy,
# math, Python's builtins and mlp_notes, the torch classes it uses, and the
# class of each of those modules and the bases of each class.
#
# A check is a tutor, not a proctor. It runs in your own Python, so code
# written to fool it can still get past it:
#
# - a copy of mlp_notes' answer run in another thread where the check did not
#   see it made: made while your function runs, or made in an earlier cell
#   from code taken where Python raises no audit event (a profiler's
#   statistics) or read before an earlier check ran;
# - a copy with its code edited, or mlp_notes' source compiled again under a
#   file name of your own without its docstring (which is what typing it
#   from the page without the docstring gives); a copy compiled by
#   TorchScript or torch.compile;
# - work done in another process started in an earlier cell, or in a
#   subinterpreter run from another thread;
# - your code compiled under the file name of an installed library or of
#   mlp_notes.checks;
# - an operator of torch's C++ core redefined through torch.library, or a C
#   function called through ctypes that was looked up in an earlier cell
#   (calling it raises no audit event; looking one up in your function is
#   refused);
# - the checks' own objects changed in an earlier cell (a closure's contents,
#   the notes of their audit hook), or changed while your function runs and
#   put back before it returns (a class or module attribute, a closure), or
#   changed and put back by code the garbage collector runs during the check
#   (a __del__), or the notes of the profile function that sys.getprofile
#   returns, erased; the checks' own code run through the callbacks that
#   torch and Python call (the tanh check's torch modes and sigmoid swaps,
#   the audit hook); torch's mode stack read through functools.partial, map
#   or a library's callback;
# - a part of torch outside what the check records (torch's functions,
#   constants and submodules, the classes it computes with, and the class of
#   each module and the bases of each class), replaced in an earlier cell or
#   while your function runs;
# - a thread of yours, started in an earlier cell, that changes what the check
#   computes with and puts it back while the check computes (one that leaves
#   its change in place makes the check say it cannot trust its result);
# - code of yours that runs while the check puts a class's bases back (a
#   metaclass's mro()): no time limit covers it;
# - changes made before mlp_notes.checks is first imported (the cell that
#   imports it): what it finds then is what it records and puts back.
#
# A key that is not a str, number, bytes, bool or None, put into the dict of a
# module or class the checks record, makes every check say it could not run
# (its hash would be your code): restart the kernel.
#
# One C call that never hands the interpreter back (`sum(itertools.repeat(0))`,
# a runaway regular expression), or an endless loop after a huge
# `sys.setswitchinterval` called through functools.partial, cannot be stopped:
# interrupt the kernel. Under each check: what it does not cover.

# %% tags=["install"]
# Installs mlp_notes when it is missing (Colab, a fresh environment).
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("mlp_notes") is None:
    package = (
        "mlp-notes[notebook] @ git+https://github.com/mlp-notes/mlp-notes"
    )
    subprocess.check_call([sys.executable, "-m", "pip", "install", package])

# %%
import torch

from mlp_notes import checks

# %% [markdown]
# ## Exercise 1. When the search engine changes
#
# *A search engine changes how it ranks results. How might its users react,
# how might its advertisers react, and what does that do to the data the
# engine learns from?*
#
# Self-check: a complete answer contains
# - Users: what they click depends on what they are shown; they adapt or leave.
# - Advertisers: they optimize against the new ranking, an adversarial shift.
# - The feedback loop: the next training data depend on the current model; a fix such as inverse propensity weighting.
#
# Then compare with the guide's answer: [§4.9 exercise 1](../../distribution-shift/#1-when-the-search-engine-changes).

# %% [markdown]
# ## Exercise 2. A covariate shift detector
#
# *Build a detector of covariate shift. (Hint: a classifier.)*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - A classifier trained to tell source from target inputs, judged on held-out examples.
# - A test whose false-alarm rate is controlled, and a control without shift.
#
# The check asks for the statistic of the two-sample test the detector
# runs on the classifier's held-out scores: the Kolmogorov–Smirnov
# statistic $D = \max_t \lvert F_a(t) - F_b(t)\rvert$ of two samples of
# different sizes, some of them with repeated values, and some whose
# largest gap is reached at one value only.  Not covered by the check: the
# classifier, the p-value, and a statistic computed at part of the values,
# which passes when that part happens to hold the one value: a grid of
# quantiles of a size other than 50, 51, 100, 101, 200 or 201 points, or
# not linearly interpolated (one of 150 points passes about one run in
# twelve; one with more points than values is exact), or every other
# value in an order other than sorted or `torch.cat([a, b])`.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.9 exercise 2](../../distribution-shift/#2-a-covariate-shift-detector).


# %% tags=["answer"]
def ks_statistic(a, b):
    """The two-sample Kolmogorov-Smirnov statistic of the 1-D samples a
    and b (float64 tensors, sizes n and m): one number."""
    ...  # your code


# %% tags=["check"]
checks.check_4_9_ks_statistic(ks_statistic)

# %% [markdown]
# ## Exercise 3. A covariate shift corrector
#
# *Build a corrector for covariate shift.*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Weights clipped and normalized, the effective sample size checked, the loss weighted.
# - Evidence of whether the correction helps: it pays for a misspecified model, not necessarily for a flexible one.
#
# The check asks for the corrector's weights: from the logit $f(\mathbf{x})
# = \log P(\text{target} \mid \mathbf{x}) / P(\text{source} \mid
# \mathbf{x})$ of a classifier trained on `n_source` source and `n_target`
# target inputs (unequal sizes), the density ratios
# $p_{\text{target}}(\mathbf{x}) / p_{\text{source}}(\mathbf{x})$.  Not
# covered by the check: fitting the classifier, clipping, training.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.9 exercise 3](../../distribution-shift/#3-a-covariate-shift-corrector).


# %% tags=["answer"]
def weight_from_logit(f, n_source, n_target):
    """The density ratio p_target(x) / p_source(x) at each x, from the
    logits f (a 1-D float64 tensor) of a classifier that tells target
    (class 1) from source inputs, trained on n_source source and n_target
    target inputs."""
    ...  # your code


# %% tags=["check"]
checks.check_4_9_weight_from_logit(weight_from_logit)

# %% [markdown]
# ## Exercise 4. What else separates empirical risk from risk
#
# *Besides distribution shift, what can make the empirical risk a poor
# estimate of the risk?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Sample size, dependent examples, label noise, and selection on the same data, each with a number.
#
# The check asks for one of them in numbers: the error rate measured
# against noisy labels, for a classifier whose error rate against the true
# labels is `R`, when each label was flipped with probability `rho` to one
# of the other `K - 1` classes uniformly (the flips independent of the
# inputs).  Not covered by the check: the other causes.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.9 exercise 4](../../distribution-shift/#4-what-else-separates-empirical-risk-from-risk).


# %% tags=["answer"]
def noisy_error(R, rho, K):
    """The error rate measured against the noisy labels: one number."""
    ...  # your code


# %% tags=["check"]
checks.check_4_9_noisy_error(noisy_error)
