# %% [markdown]
# # Practice: §4.6 Dropout
#
# Try each exercise of [§4.6](../../dropout/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 3) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 1, 2, 4, 5, 6, 7)
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
# ## Exercise 1. Swapping (and changing) the two probabilities
#
# *What happens when the two layers' dropout probabilities change, or trade
# places? Answer with numbers.*
#
# Self-check: a complete answer contains
# - Numbers: validation accuracy for each pair of probabilities, with the same seeds for every setting.
# - A conclusion only where the interval excludes 0.
#
# Then compare with the guide's answer: [§4.6 exercise 1](../../dropout/#1-swapping-and-changing-the-two-probabilities).

# %% [markdown]
# ## Exercise 2. More epochs, with and without dropout
#
# *Train for more epochs, with and without dropout. How do the two compare?*
#
# Self-check: a complete answer contains
# - Curves over many epochs with and without dropout; the gap between training and validation.
# - A paired comparison at the end, with its interval.
#
# Then compare with the guide's answer: [§4.6 exercise 2](../../dropout/#2-more-epochs-with-and-without-dropout).

# %% [markdown]
# ## Exercise 3. Variance of the hidden activations during training
#
# *How does the variance of the hidden activations evolve during training,
# with and without dropout? Plot it.*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - How the hidden activations' variance evolves over training, with and without dropout: a plot.
#
# The question asks how the variance evolves during training: an
# experiment.  The check tests the quantity behind it: the variance dropout
# adds to a fixed activation.  Not covered by the check: the training runs
# and the plot.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.6 exercise 3](../../dropout/#3-variance-of-the-hidden-activations-during-training).


# %% tags=["answer"]
def dropout_variance(h, p):
    """Var of dropout's output h' (h / (1 - p) kept with probability
    1 - p, else 0) for fixed activations h (a tensor): h's shape."""
    ...  # your code


# %% tags=["check"]
checks.check_4_6_dropout_variance(dropout_variance)

# %% [markdown]
# ## Exercise 4. Why dropout is off at test time — and Monte Carlo dropout
#
# *Why is dropout normally switched off at test time?*
#
# Self-check: a complete answer contains
# - Prediction should be deterministic and use the whole network; switching dropout off approximates averaging the noisy networks (exactly only for a linear network).
# - Inverted dropout already keeps E[h'] = h, so nothing needs rescaling at test time.
# - Monte Carlo dropout as a deliberate exception.
#
# Then compare with the guide's answer: [§4.6 exercise 4](../../dropout/#4-why-dropout-is-off-at-test-time-and-monte-carlo-dropout).

# %% [markdown]
# ## Exercise 5. Dropout and weight decay together
#
# *Use dropout and weight decay together. Do their effects add up, shrink, or
# cancel?*
#
# Self-check: a complete answer contains
# - Paired comparisons of none, dropout, weight decay and both.
# - The interaction term and whether its interval excludes 0.
#
# Then compare with the guide's answer: [§4.6 exercise 5](../../dropout/#5-dropout-and-weight-decay-together).

# %% [markdown]
# ## Exercise 6. DropConnect: dropping weights
#
# *What happens if dropout acts on individual weights instead of on
# activations?*
#
# Self-check: a complete answer contains
# - DropConnect masks weights, not units: a different mask per weight.
# - Measured against dropout at the same rate, with seeds.
#
# Then compare with the guide's answer: [§4.6 exercise 6](../../dropout/#6-dropconnect-dropping-weights).

# %% [markdown]
# ## Exercise 7. Another noise: Gaussian multiplicative noise
#
# *Invent another way of injecting random noise at each layer. Can it beat
# dropout on Fashion-MNIST?*
#
# Self-check: a complete answer contains
# - A concrete noise (for example Gaussian multiplicative noise with the same variance).
# - A paired comparison against dropout and a verdict the interval supports.
#
# Then compare with the guide's answer: [§4.6 exercise 7](../../dropout/#7-another-noise-gaussian-multiplicative-noise).
