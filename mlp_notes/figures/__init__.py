"""Figures for the pages and the notebooks: ``plotting`` (curves, error
bars, image grids, panels; inline SVG that follows the site's palette)
and ``diagrams`` (computational graphs, the parallelism picture).
Nothing else in the package imports it, so ``import mlp_notes`` stays
free of matplotlib."""
