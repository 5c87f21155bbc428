# %% [markdown]
# # Practice: §4.8 Numerical stability and initialization
#
# Try each exercise of [§4.8](../../numerical-stability/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 2, 4) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 1, 3)
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
# ## Exercise 1. Other symmetries
#
# *Besides permuting hidden units, what other symmetries does an MLP have, and
# which of them need breaking?*
#
# Self-check: a complete answer contains
# - Sign flips of a unit's in- and out-weights (odd activations such as tanh), scaling symmetries of ReLU units.
# - Which are harmless (the function is unchanged) and which must be broken at initialization (identical units).
# - All-zero weights: fixed by every symmetry; whether training can leave them depends on the activation's value at 0.
#
# Then compare with the guide's answer: [§4.8 exercise 1](../../numerical-stability/#1-other-symmetries).

# %% [markdown]
# ## Exercise 2. Equal weights in linear and softmax regression
#
# *Can all weights of linear regression or softmax regression start at the
# same value?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Linear regression as well as softmax regression, and why the start does not change the optimum of these convex problems.
#
# Not covered by the check: linear regression, and the argument.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.8 exercise 2](../../numerical-stability/#2-equal-weights-in-linear-and-softmax-regression).

# %% tags=["answer"]
rows_stay_equal = ...  # softmax regression, every weight equal at the start:
# do the rows of W stay equal under gradient descent?  True or False

# %% tags=["check"]
checks.check_4_8_equal_start(rows_stay_equal)

# %% [markdown]
# ## Exercise 3. Eigenvalues and singular values of a product
#
# *What can be said about the eigenvalues of a product of two matrices, and
# what does it mean for how well conditioned gradients are?*
#
# Self-check: a complete answer contains
# - For square A, B, singular values obey sigma_min(A) sigma_min(B) <= sigma(AB) <= sigma_max(A) sigma_max(B).
# - So kappa(AB) <= kappa(A) kappa(B): conditioning can worsen multiplicatively with depth.
# - Eigenvalues of a product are not bounded by the factors' eigenvalues in general.
#
# Then compare with the guide's answer: [§4.8 exercise 3](../../numerical-stability/#3-eigenvalues-and-singular-values-of-a-product).

# %% [markdown]
# ## Exercise 4. Fixing divergence after the fact: LARS
#
# *If training diverges, what can be done without starting over with a new
# initialization?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - What else helps when training diverges (a smaller rate, clipping), and why LARS's step does not depend on the gradient's size.
#
# Not covered by the check: LARS with momentum or weight decay, and the
# other fixes.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.8 exercise 4](../../numerical-stability/#4-fixing-divergence-after-the-fact-lars).


# %% tags=["answer"]
def lars_step(w, grad, lr, eta):
    """One LARS step (no weight decay, no momentum) on one layer's
    weights w with gradient grad: the new w."""
    ...  # your code


# %% tags=["check"]
checks.check_4_8_lars_step(lars_step)
