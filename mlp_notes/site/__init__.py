"""The site machinery: the fence grammar (``fences``), what the build adds
to each page (``pages``), the pages and workbooks as notebooks
(``notebooks``, ``practice``), and the build's run plan, estimate and
budget (``buildplan``, ``monitor``).  It reaches the runs only through
``runs.plans`` and ``runs.costs``."""
