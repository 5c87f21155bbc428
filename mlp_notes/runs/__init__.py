"""The runs each page shows, cached on disk (``runs.cache``).

A run is a network (``Spec``), how it is trained (``Recipe``), a seed and
the training images; its function is keyword-only and cached, so a rebuild
trains only what changed.  The site machinery (``mlp_notes.site``) reaches
training only through these run functions.

* ``chapter``: §4.2/§4.3's chapter runs and sweeps; ``best``: §4.3's
  stronger MLP; ``search``: the hyperparameter searches of §4.2;
  ``dropout``, ``polynomial``, ``weight_decay``, ``stability``: §4.6,
  §4.4, §4.5, §4.8; ``results``: the results page's rows; ``costs``:
  what a step costs here (the build's estimate).
"""

from mlp_notes.models import Spec
from mlp_notes.training import Recipe

__all__ = ["Recipe", "Spec"]
