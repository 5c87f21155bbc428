"""§4.9 Environment and distribution shift: the mathematics of detecting,
estimating and correcting a shift between a source distribution (where
the labelled data come from) and a target distribution (where the model
is used).

* :mod:`~mlp_notes.shift.weighting`: importance-weighted risk, effective
  sample size, clipping, and the Gaussian closed forms they are checked
  against.
* :mod:`~mlp_notes.shift.ratio`: the density ratio from a logistic
  regression that tells source from target, with the sample-size
  correction.
* :mod:`~mlp_notes.shift.covariate`: a covariate shift of Fashion-MNIST
  built by selecting images on their brightness, with its exact ratio.
* :mod:`~mlp_notes.shift.label`: label shift: confusion matrices, BBSE,
  prior correction.
* :mod:`~mlp_notes.shift.sampling`: Dirichlet label proportions and
  label-shifted samples, from a ``torch.Generator``.
* :mod:`~mlp_notes.shift.detect`: two-sample Kolmogorov-Smirnov tests on
  a classifier's outputs, with exact p-values, and binomial intervals.
* :mod:`~mlp_notes.shift.concept`: concept shift by relabelling, and a
  feedback loop (a ranking trained on its own clicks).

Every random function takes a ``generator`` and creates its tensors on
its input's device; nothing prints.
"""
