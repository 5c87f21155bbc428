"""mlp-notes: the Multilayer Perceptrons chapter of D2L, verified by execution.

Modules (imports flow one way): ``settings``, ``data``, ``activations``,
``gradcheck``, ``expressivity``, ...; ``plotting`` is imported only by the
pages.  ``import mlp_notes`` stays light: it imports no submodule.
"""

__version__ = "0.1.0"
