"""What each page shows: one study module per chapter page.

A page's blocks are drivers: each experiment or exercise on a page calls
one function of the page's study module, which returns a
:class:`mlp_notes.claims.Finding` (the lines to print, the data of its
figure, the claims the page asserts); the page prints it, plots it and
calls ``.check()``.  Each study module also defines its page's budget: a
small frozen dataclass and one value per profile (``BUDGETS``), picked
with ``settings.pick``.  Seeds, epochs and sizes reach the runs as
arguments.
"""
