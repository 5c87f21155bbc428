# %% [markdown]
# # Practice: §4.2 An MLP from scratch
#
# Try each exercise of [§4.2](../../mlp-scratch/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 1) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 2, 3, 4, 5, 6)
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
# ## Exercise 1. Vary the number of hidden units
#
# *Change the number of hidden units. Which value works best?*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - Accuracy for several widths on validation data, each compared with one width over the same seeds, and a conclusion only where the paired interval resolves it.
#
# The question asks which width works best: an experiment.  The check
# tests the cost side of the answer next to it, the number of parameters
# for given widths (each extra unit costs weights and time).  Not covered
# by the check: which width is best.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.2 exercise 1](../../mlp-scratch/#1-vary-the-number-of-hidden-units).


# %% tags=["answer"]
def parameter_count(hiddens):
    """Weights and biases of the 784-...-10 MLP with hidden widths
    ``hiddens`` (a tuple such as (256,) or (256, 128)): an int."""
    ...  # your code


# %% tags=["check"]
checks.check_4_2_parameter_count(parameter_count)

# %% [markdown]
# ## Exercise 2. Add a hidden layer
#
# *Add a second hidden layer. How does the result change?*
#
# Self-check: a complete answer contains
# - The two-layer result beside the one-layer one, paired by seed, with an interval.
# - Why, with the book's N(0, 0.01^2) weights, the deeper network starts slower: the signal shrinks at every layer.
#
# Then compare with the guide's answer: [§4.2 exercise 2](../../mlp-scratch/#2-add-a-hidden-layer).

# %% [markdown]
# ## Exercise 3. Vary the learning rate
#
# *Change the learning rate and keep everything else fixed. How do the results
# change?*
#
# Self-check: a complete answer contains
# - Too small: slow progress; too large: divergence or a constant prediction.
# - Measured values across a range of rates, not one.
#
# Then compare with the guide's answer: [§4.2 exercise 3](../../mlp-scratch/#3-vary-the-learning-rate).

# %% [markdown]
# ## Exercise 4. Tune learning rate, width and depth jointly
#
# *Tune the learning rate, the number of epochs, of layers and of hidden units
# together. What is the best result you get?*
#
# Self-check: a complete answer contains
# - A search chosen on validation data; the test set used once at the end.
# - The best setting found, retrained over several seeds and compared with the untuned one: the best of many noisy trials is partly the luckiest.
#
# Then compare with the guide's answer: [§4.2 exercise 4](../../mlp-scratch/#4-tune-learning-rate-width-and-depth-jointly).

# %% [markdown]
# ## Exercise 5. Why is tuning several hyperparameters harder?
#
# *Why is tuning several hyperparameters at once so much harder?*
#
# Self-check: a complete answer contains
# - The number of combinations grows exponentially with the number of hyperparameters.
# - Interactions: the best value of one depends on the others.
# - Each trial is noisy and expensive.
#
# Then compare with the guide's answer: [§4.2 exercise 5](../../mlp-scratch/#5-why-is-tuning-several-hyperparameters-harder).

# %% [markdown]
# ## Exercise 6. The smartest strategy for searching several hyperparameters
#
# *What is the smartest way you can think of to search over several
# hyperparameters?*
#
# Self-check: a complete answer contains
# - Random search beats a grid when few hyperparameters matter.
# - Adaptive methods (Bayesian optimization, TPE) and early stopping of bad trials (successive halving).
# - Evidence, not only a name: a comparison at the same budget.
#
# Then compare with the guide's answer: [§4.2 exercise 6](../../mlp-scratch/#6-the-smartest-strategy-for-searching-several-hyperparameters).
