"""The site machinery: what turns the pages and the runs into the site.

It reaches training only through the run functions of ``mlp_notes.runs``.

* ``fences``: the pages' code-fence grammar (for the pytest runner, the
  page-policy tests and the notebooks); ``pages``: what the build adds to
  each page (provenance, notebook download, API links).
* ``plotting``, ``diagrams``: the figures.
* ``benchmarks``, ``probes``, ``reports``: stored results and tables.
* ``notebooks``: the pages as Jupyter notebooks.
* ``buildplan``, ``monitor``: the build's run plan, estimate, budget and
  progress.
"""
