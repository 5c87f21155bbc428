# %% [markdown]
# # Practice: §4.1 Multilayer perceptrons
#
# Try each exercise of [§4.1](../../mlp/#exercises) here before you read
# its answer on the guide.  Exercises with an answer that can be computed
# (here: 1, 3) have a cell to fill in and a check that tests your
# answer on inputs you did not choose, then says *correct* (with the
# evidence), *wrong* (what is wrong, and a hint) or *not answered yet*.
# Exercises answered by an argument or an experiment (here: 2, 4)
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
# ## Exercise 1. The derivative of pReLU
#
# *Compute the derivative of the pReLU activation.*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - What happens at 0 itself, and for which alpha a derivative exists there.
#
# Not covered by the check: the derivative at 0, and how you found your
# formula (autograd's or a finite difference's answer passes too: the check
# compares values at random points for random alphas).
#
# Fill in the cell below, then run the check. The guide's answer: [§4.1 exercise 1](../../mlp/#1-the-derivative-of-prelu).


# %% tags=["answer"]
def prelu_derivative(x, alpha):
    """pReLU'(x), elementwise, for a 1-D float64 tensor x and a float
    alpha."""
    ...  # your code: return a tensor shaped like x


# %% tags=["check"]
checks.check_4_1_prelu_derivative(prelu_derivative)

# %% [markdown]
# ## Exercise 2. A ReLU (or pReLU) MLP is continuous and piecewise linear
#
# *Show that an MLP using only ReLU (or pReLU) activations computes a
# continuous piecewise linear function.*
#
# Self-check: a complete answer contains
# - Each layer is an affine map followed by a piecewise linear, continuous function.
# - Compositions and sums of continuous piecewise linear functions are continuous piecewise linear (the pieces are intersections of finitely many regions).
# - A numerical check or a plot does not replace this argument.
#
# Then compare with the guide's answer: [§4.1 exercise 2](../../mlp/#2-a-relu-or-prelu-mlp-is-continuous-and-piecewise-linear).

# %% [markdown]
# ## Exercise 3. The tanh–sigmoid identity
#
# *Show that $\tanh(x) + 1 = 2\,\operatorname{sigmoid}(2x)$.*
#
# The check below covers the part of the answer that can be computed. A complete answer also contains:
# - An algebraic derivation valid for every x: a plot, or agreement at sample points like the check's, is evidence, not a proof.
#
# Write it with torch's sigmoid (`torch.sigmoid`, `x.sigmoid()`,
# `torch.nn.functional.sigmoid`, `torch.special.expit`, `nn.Sigmoid`; the
# package's `activations.sigmoid` works too).  Not allowed: tanh by any
# route (torch, NumPy, `math`), its exp formula, or a sigmoid you write out
# with exp.  The check compares your values with tanh(x) + 1 at random
# points, then swaps the sigmoid for another S-shaped function and expects
# your expression to follow.  Not covered by the check: the proof; and code
# written to detect the swap could fool it.
#
# Fill in the cell below, then run the check. The guide's answer: [§4.1 exercise 3](../../mlp/#3-the-tanhsigmoid-identity).


# %% tags=["answer"]
def tanh_plus_one(x):
    """tanh(x) + 1 for a 1-D float64 tensor x, written with the sigmoid
    (no tanh)."""
    ...  # your code


# %% tags=["check"]
checks.check_4_1_tanh_identity(tanh_plus_one)

# %% [markdown]
# ## Exercise 4. A nonlinearity applied to a whole minibatch
#
# *Suppose a nonlinearity acts on a whole minibatch at once instead of on each
# example. What problems can that cause?*
#
# Self-check: a complete answer contains
# - One example's output then depends on the other examples in its batch (and on the batch size).
# - Training and prediction (often one example at a time) then compute different functions.
# - A real case: batch normalization, and what it does at test time.
#
# Then compare with the guide's answer: [§4.1 exercise 4](../../mlp/#4-a-nonlinearity-applied-to-a-whole-minibatch).
