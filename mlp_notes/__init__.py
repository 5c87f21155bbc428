"""mlp-notes: the Multilayer Perceptrons chapter of D2L, verified by execution.

The package is layered, bottom to top (each imports only what is below):

* base: ``settings``, ``stats``, ``telemetry``, ``hardware``;
* the chapter's data, mathematics and models: ``data``, ``activations``,
  ``initialization``, ``regularization``, ``models``, ``backprop``,
  ``optim`` and the other concept modules;
* ``training``: ``Recipe``, ``fit`` and the steps;
* ``runs``: the cached runs each page shows;
* ``site``: the site machinery; and ``cli``.

``import mlp_notes`` stays light: it imports no submodule.
"""

__version__ = "0.1.0"
