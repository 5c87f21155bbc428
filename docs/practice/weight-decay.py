# %% [markdown]
# # Practice: §4.5 Weight decay
#
# Try each exercise of [§4.5](../../weight-decay/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 3, 4, 6) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 1, 2, 5)
# have a self-check: what a complete answer contains, and a link to the
# guide's answer.  A check cannot read an argument, so those stay with you.
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
# ## Exercise 1. Training and test loss against λ
#
# *Plot the training and test loss against $\lambda$. What do you observe?*
#
# Self-check: a complete answer contains
# - The strongest penalty fits the training set worst; at small lambdas the training budget, not the penalty, decides the training loss.
# - Test loss falls by orders of magnitude from lambda = 0, then flattens.
# - Measured curves, not a sketch.
#
# Then compare with the guide's answer: [§4.5 exercise 1](../../weight-decay/#1-training-and-test-loss-against).

# %% [markdown]
# ## Exercise 2. Choosing λ on validation data
#
# *Choose $\lambda$ on a validation set. Is it then the optimal value? Does
# that matter?*
#
# Self-check: a complete answer contains
# - The validation choice is optimal for the validation set, not the true optimum; noise in the estimate.
# - Whether it matters: how flat the test loss is near the choice.
#
# Then compare with the guide's answer: [§4.5 exercise 2](../../weight-decay/#2-choosing-on-validation-data).

# %% [markdown]
# ## Exercise 3. The L1 penalty
#
# *What does the update look like with the penalty $\lambda\sum_i \lvert
# w_i\rvert$ (L1) in place of $\lVert\mathbf{w}\rVert^2$?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - What the update does to small weights, and why L1 gives sparse solutions.
# - Plain subgradient steps jitter around 0 instead of landing on it (a proximal step would give exact zeros).
#
# The check wants the plain (sub)gradient step, not the proximal one.  Not
# covered by the check: the step at w_i = 0 (its random weights avoid 0).
#
# Fill in the cell below, then run the check. The guide's answer: [§4.5 exercise 3](../../weight-decay/#3-the-l1-penalty).


# %% tags=["answer"]
def l1_step(w, grad, lr, lam):
    """One SGD step on loss + lam * sum |w_i|, where grad is the loss's
    gradient at w: the new w."""
    ...  # your code


# %% tags=["check"]
checks.check_4_5_l1_step(l1_step)

# %% [markdown]
# ## Exercise 4. The matrix version: the Frobenius norm
#
# *Since $\lVert\mathbf{w}\rVert^2 = \mathbf{w}^\top\mathbf{w}$, what is the
# analogue for a matrix?*
#
# The check below covers the whole answer.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.5 exercise 4](../../weight-decay/#4-the-matrix-version-the-frobenius-norm).


# %% tags=["answer"]
def frobenius_squared(W):
    """The analogue of ||w||^2 = w^T w for a matrix W: one number."""
    ...  # your code


# %% tags=["check"]
checks.check_4_5_frobenius(frobenius_squared)

# %% [markdown]
# ## Exercise 5. Other remedies for overfitting
#
# *Besides weight decay, more training and a model of the right complexity,
# how else can overfitting be fought?*
#
# Self-check: a complete answer contains
# - Remedies: more data or augmentation, a smaller model, dropout, noise, ensembling, early stopping, the initialization.
# - Measured: more data cuts the test loss without any penalty; early stopping hardly helps here, because the large initial weights outside the data's span stay.
#
# Then compare with the guide's answer: [§4.5 exercise 5](../../weight-decay/#5-other-remedies-for-overfitting).

# %% [markdown]
# ## Exercise 6. The Bayesian reading
#
# *Training maximizes $P(\mathbf{w} \mid \mathbf{x}) \propto P(\mathbf{x} \mid
# \mathbf{w})\,P(\mathbf{w})$. Which prior $P(\mathbf{w})$ does weight decay
# correspond to?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Why: the MAP estimate minimizes -log P(data | w) - log P(w), and how the book's averaged loss rescales that sum.
# - Which prior gives the L1 penalty instead.
#
# Answer with the prior's log-density: the check evaluates it at random
# weights for random lambda, n and sigma, and compares it with the penalty
# up to a constant.  Not covered by the check: the derivation, and the L1
# counterpart.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.5 exercise 6](../../weight-decay/#6-the-bayesian-reading).


# %% tags=["answer"]
def log_prior(w, lambd, n, sigma):
    """log P(w), up to an additive constant, of the prior on the weights
    behind the book's objective L(w, b) + (lambd / 2) ||w||^2, where L is
    the mean of (y - w^T x - b)^2 / 2 over n examples whose targets carry
    Gaussian noise of standard deviation sigma.  w: a 1-D float64 tensor.
    Return one number (or one log-density per entry of w, or a
    torch.distributions object for w)."""
    ...  # your code


# %% tags=["check"]
checks.check_4_5_prior(log_prior)
