# %% [markdown]
# # Practice: §4.4 Model selection, underfitting and overfitting
#
# Try each exercise of [§4.4](../../underfit-overfit/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 1) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 2, 3, 4)
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
# ## Exercise 1. The exact solution
#
# *Can the polynomial regression be solved exactly?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Whether it is exact in practice: how solving the normal equations directly loses accuracy on badly scaled features.
#
# Not covered by the check: accuracy on badly scaled features (its random
# matrices are well conditioned, so any exact method passes).
#
# Fill in the cell below, then run the check. The guide's answer: [§4.4 exercise 1](../../underfit-overfit/#1-the-exact-solution).


# %% tags=["answer"]
def exact_fit(F, y):
    """The w minimizing ||F w - y||^2 for an (n, d) design F with n > d
    and full column rank, and y of shape (n,): a tensor of shape (d,)."""
    ...  # your code


# %% tags=["check"]
checks.check_4_4_exact_fit(exact_fit)

# %% [markdown]
# ## Exercise 2. Loss against degree, and against the amount of data
#
# *Plot training and test loss against the degree of the polynomial; which
# degree reaches zero training loss? Then against the amount of data.*
#
# Self-check: a complete answer contains
# - Training loss falls with the degree and reaches (about) zero once the number of features equals the number of training points.
# - Test loss: U-shaped in the degree; the overfitting shrinks as the data grows.
#
# Then compare with the guide's answer: [§4.4 exercise 2](../../underfit-overfit/#2-loss-against-degree-and-against-the-amount-of-data).

# %% [markdown]
# ## Exercise 3. Without the 1/i! normalization
#
# *Drop the $1/i!$ scaling; what happens, and how else can it be fixed?*
#
# Self-check: a complete answer contains
# - x^i grows so fast that high powers dominate the gradient: SGD diverges or must use a tiny step.
# - Other fixes, measured: an orthogonal (Hermite) basis trains at the book's step; standardized features need a smaller step, or Adam; Adam on the raw features stays far off.
#
# Then compare with the guide's answer: [§4.4 exercise 3](../../underfit-overfit/#3-without-the-1i-normalization).

# %% [markdown]
# ## Exercise 4. Can the generalization error be zero?
#
# *Can you ever expect to see zero generalization error?*
#
# Self-check: a complete answer contains
# - Only when the labels are a deterministic function the model class contains and the data pin it down: no noise.
# - With label noise, the noise variance is a floor.
#
# Then compare with the guide's answer: [§4.4 exercise 4](../../underfit-overfit/#4-can-the-generalization-error-be-zero).
