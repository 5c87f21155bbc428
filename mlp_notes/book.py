"""The chapter and the guide's pages: for each section of D2L's old
edition (§4.1-4.9), the page that covers it, its title, and where the
current edition has it.  The site, the index and the workbooks read it.
"""

from __future__ import annotations

#: (page, old-edition section, title, current-edition section)
CHAPTER = (
    ("mlp.md", "4.1", "Multilayer perceptrons", "5.1"),
    ("mlp-scratch.md", "4.2", "An MLP from scratch", "5.2"),
    ("mlp-concise.md", "4.3", "A concise MLP", "5.2"),
    (
        "underfit-overfit.md",
        "4.4",
        "Model selection, underfitting and overfitting",
        "3.6 (text only)",
    ),
    ("weight-decay.md", "4.5", "Weight decay", "3.7"),
    ("dropout.md", "4.6", "Dropout", "5.6"),
    ("backprop.md", "4.7", "Forward and backward propagation", "5.3"),
    (
        "numerical-stability.md",
        "4.8",
        "Numerical stability and initialization",
        "5.4",
    ),
    (
        "distribution-shift.md",
        "4.9",
        "Environment and distribution shift",
        "4.7",
    ),
)
