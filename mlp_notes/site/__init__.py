"""The site machinery: what turns the pages and the runs into the site.

It reaches the runs only through ``runs.plans`` (their names, whether the
cache answers a call) and ``runs.costs`` (what a step costs here).

* ``fences``: the pages' code-fence grammar (for the pytest runner, the
  page-policy tests and the notebooks); ``pages``: what the build adds to
  each page (provenance, actions, API links); ``reports``: the index's
  and the results page's tables.
* ``notebooks``, ``practice``: the pages and the workbooks as Jupyter
  notebooks.
* ``buildplan``, ``monitor``: the build's run plan, estimate, budget and
  progress.
"""
