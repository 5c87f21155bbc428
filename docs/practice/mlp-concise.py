# %% [markdown]
# # Practice: §4.3 A concise MLP
#
# Try each exercise of [§4.3](../../mlp-concise/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 3) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 1, 2)
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
# ## Exercise 1. Different numbers of hidden layers
#
# *Try different numbers of hidden layers (the learning rate may need to
# change too). What works best?*
#
# Self-check: a complete answer contains
# - Accuracy against the number of hidden layers on validation data, with the book's N(0, 0.01^2) weights and with He initialization.
# - Why deeper is not automatically better here.
#
# Then compare with the guide's answer: [§4.3 exercise 1](../../mlp-concise/#1-different-numbers-of-hidden-layers).

# %% [markdown]
# ## Exercise 2. Different activation functions
#
# *Try different activation functions. Which works best?*
#
# Self-check: a complete answer contains
# - Several activations compared on validation data, paired by seed.
# - Which differences the paired intervals resolve, and which they do not.
# - Why the sigmoid trails ReLU: its derivative is at most 1/4, and its outputs are not centred at zero.
#
# Then compare with the guide's answer: [§4.3 exercise 2](../../mlp-concise/#2-different-activation-functions).

# %% [markdown]
# ## Exercise 3. Different weight initializations, including all zeros
#
# *Try different weight initializations, all zeros included. Which works
# best?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Measured accuracy for several schemes, all zeros included, and why all zeros gets stuck.
#
# The question asks which initialization works best: an experiment.  The
# check tests one number that experiment needs: the bound a of Xavier's
# uniform initialization U(-a, a), for random fans.  Not covered by the
# check: the comparison of schemes.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.3 exercise 3](../../mlp-concise/#3-different-weight-initializations-including-all-zeros).


# %% tags=["answer"]
def xavier_bound(fan_in, fan_out):
    """The a of Xavier's uniform initialization U(-a, a): a float."""
    ...  # your code


# %% tags=["check"]
checks.check_4_3_xavier_bound(xavier_bound)
