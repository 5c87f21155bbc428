"""Where each self-check bullet of the workbooks comes from: (workbook,
exercise number, the bullet as written) -> (the anchor of the section of
the chapter page that asserts or shows it, then words of that section
that say it).  tests/test_practice.py fails for a bullet missing here,
an entry whose bullet is gone, an anchor the page lacks, or words the
section does not contain: a bullet changes with the guide's answer."""

SOURCES = {
    # §4.1
    (
        "mlp",
        1,
        "What happens at 0 itself, and for which alpha a derivative exists "
        "there.",
    ): ("1-the-derivative-of-prelu", "at $x = 0$ it does not exist unless"),
    (
        "mlp",
        2,
        "Each layer is an affine map followed by a piecewise linear, "
        "continuous function.",
    ): (
        "2-a-relu-or-prelu-mlp-is-continuous-and-piecewise-linear",
        "pre-activation",
        "applying pReLU keeps it",
    ),
    (
        "mlp",
        2,
        "Compositions and sums of continuous piecewise linear functions are "
        "continuous piecewise linear (the pieces are intersections of "
        "finitely many regions).",
    ): (
        "2-a-relu-or-prelu-mlp-is-continuous-and-piecewise-linear",
        "Sums and scalar multiples",
        "intersections of polyhedra are polyhedra",
        "*Composition*",
    ),
    (
        "mlp",
        2,
        "A numerical check or a plot does not replace this argument.",
    ): (
        "2-a-relu-or-prelu-mlp-is-continuous-and-piecewise-linear",
        "A plot cannot prove this",
    ),
    (
        "mlp",
        3,
        "An algebraic derivation valid for every x: a plot, or agreement at "
        "sample points like the check's, is evidence, not a proof.",
    ): ("3-the-tanhsigmoid-identity", "three lines of algebra prove it"),
    (
        "mlp",
        4,
        "One example's output then depends on the other examples in its "
        "batch (and on the batch size).",
    ): (
        "4-a-nonlinearity-applied-to-a-whole-minibatch",
        "depends on which other examples share its minibatch",
        "results depend on the batch size",
    ),
    (
        "mlp",
        4,
        "Training and prediction (often one example at a time) then compute "
        "different functions.",
    ): (
        "4-a-nonlinearity-applied-to-a-whole-minibatch",
        "predicting a single example at inference time needs a different rule",
    ),
    (
        "mlp",
        4,
        "A real case: batch normalization, and what it does at test time.",
    ): (
        "4-a-nonlinearity-applied-to-a-whole-minibatch",
        "batch normalization keeps running averages",
    ),
    # §4.2
    (
        "mlp-scratch",
        1,
        "Accuracy for several widths on validation data, each compared with "
        "one width over the same seeds, and a conclusion only where the "
        "paired interval resolves it.",
    ): (
        "1-vary-the-number-of-hidden-units",
        "compared with the book's 256 units over the same seeds",
        "the interval resolves it only",
    ),
    (
        "mlp-scratch",
        2,
        "The two-layer result beside the one-layer one, paired by seed, "
        "with an interval.",
    ): (
        "2-add-a-hidden-layer",
        "the two networks train with the same seeds, and the interval of",
        "their paired difference",
    ),
    (
        "mlp-scratch",
        2,
        "Why, with the book's N(0, 0.01^2) weights, the deeper network starts "
        "slower: the signal shrinks at every layer.",
    ): (
        "2-add-a-hidden-layer",
        "the signal shrinks by a factor of about",
        "network starts slower",
    ),
    (
        "mlp-scratch",
        3,
        "Too small: slow progress; too large: divergence or a constant "
        "prediction.",
    ): (
        "3-vary-the-learning-rate",
        "A very small rate moves the weights too little",
        "the network predicts one class",
    ),
    (
        "mlp-scratch",
        3,
        "Measured values across a range of rates, not one.",
    ): ("3-vary-the-learning-rate", "The table shows three regimes"),
    (
        "mlp-scratch",
        4,
        "A search chosen on validation data; the test set used once at the "
        "end.",
    ): (
        "4-tune-learning-rate-width-and-depth-jointly",
        "chosen on validation",
    ),
    (
        "mlp-scratch",
        4,
        "The best setting found, retrained over several seeds and compared "
        "with the untuned one: the best of many noisy trials is partly the "
        "luckiest.",
    ): (
        "4-tune-learning-rate-width-and-depth-jointly",
        "The best configuration found (chosen on validation) is",
        "Retrained on the chapter's budget over three seeds",
        "does not detectably beat the untuned book setting",
        "the best of many noisy scores is partly the luckiest",
    ),
    (
        "mlp-scratch",
        5,
        "The number of combinations grows exponentially with the number of "
        "hyperparameters.",
    ): (
        "5-why-is-tuning-several-hyperparameters-harder",
        "The cost of a grid is multiplicative",
    ),
    (
        "mlp-scratch",
        5,
        "Interactions: the best value of one depends on the others.",
    ): (
        "5-why-is-tuning-several-hyperparameters-harder",
        "hyperparameters interact",
    ),
    ("mlp-scratch", 5, "Each trial is noisy and expensive."): (
        "5-why-is-tuning-several-hyperparameters-harder",
        "Each evaluation is also",
        "noisy",
        "measured cost",
    ),
    (
        "mlp-scratch",
        6,
        "Random search beats a grid when few hyperparameters matter.",
    ): (
        "6-the-smartest-strategy-for-searching-several-hyperparameters",
        "random search beats the",
        "the learning rate matters a lot, width and",
    ),
    (
        "mlp-scratch",
        6,
        "Adaptive methods (Bayesian optimization, TPE) and early stopping of "
        "bad trials (successive halving).",
    ): (
        "6-the-smartest-strategy-for-searching-several-hyperparameters",
        "TPE beats random search",
        "successive halving",
    ),
    (
        "mlp-scratch",
        6,
        "Evidence, not only a name: a comparison at the same budget.",
    ): (
        "6-the-smartest-strategy-for-searching-several-hyperparameters",
        "with the same number of trials",
    ),
    # §4.3
    (
        "mlp-concise",
        1,
        "Accuracy against the number of hidden layers on validation data, "
        "with the book's N(0, 0.01^2) weights and with He initialization.",
    ): ("1-different-numbers-of-hidden-layers", "With He", "initialization"),
    ("mlp-concise", 1, "Why deeper is not automatically better here."): (
        "1-different-numbers-of-hidden-layers",
        "deeper is not automatically better",
    ),
    (
        "mlp-concise",
        2,
        "Several activations compared on validation data, paired by seed.",
    ): ("2-different-activation-functions", "the paired intervals resolve it"),
    (
        "mlp-concise",
        2,
        "Which differences the paired intervals resolve, and which they do "
        "not.",
    ): (
        "2-different-activation-functions",
        "also lose to it (asserted; the printed differences give the size)",
        "is not detectably different from ReLU",
    ),
    (
        "mlp-concise",
        2,
        "Why the sigmoid trails ReLU: its derivative is at most 1/4, and its "
        "outputs are not centred at zero.",
    ): (
        "2-different-activation-functions",
        "its derivative is at most 1/4",
        "rather than centred at zero",
    ),
    (
        "mlp-concise",
        3,
        "Measured accuracy for several schemes, all zeros included, and why "
        "all zeros gets stuck.",
    ): (
        "3-different-weight-initializations-including-all-zeros",
        "All-zero initialization",
        "fails",
        "stays identical to the others forever",
    ),
    # §4.4
    (
        "underfit-overfit",
        1,
        "Whether it is exact in practice: how solving the normal equations "
        "directly loses accuracy on badly scaled features.",
    ): ("1-the-exact-solution", "instead of forming"),
    (
        "underfit-overfit",
        2,
        "Training loss falls with the degree and reaches (about) zero once "
        "the number of features equals the number of training points.",
    ): (
        "2-loss-against-degree-and-against-the-amount-of-data",
        "it reaches zero (to rounding) at degree $n-1$",
    ),
    (
        "underfit-overfit",
        2,
        "Test loss: U-shaped in the degree; the overfitting shrinks as the "
        "data grows.",
    ): (
        "2-loss-against-degree-and-against-the-amount-of-data",
        "The test loss is U-shaped",
        "More data closes the gap",
    ),
    (
        "underfit-overfit",
        3,
        "x^i grows so fast that high powers dominate the gradient: SGD "
        "diverges or must use a tiny step.",
    ): (
        "3-without-the-1i-normalization",
        "diverges on the first epoch",
        "any step small enough to be stable",
    ),
    (
        "underfit-overfit",
        3,
        "Other fixes, measured: an orthogonal (Hermite) basis trains at the "
        "book's step; standardized features need a smaller step, or Adam; "
        "Adam on the raw features stays far off.",
    ): (
        "3-without-the-1i-normalization",
        "trains at the book's step",
        "SGD needs a smaller",
        "Adam on the *raw* features does not diverge but stays far",
    ),
    (
        "underfit-overfit",
        4,
        "Only when the labels are a deterministic function the model class "
        "contains and the data pin it down: no noise.",
    ): (
        "4-can-the-generalization-error-be-zero",
        "Zero is",
        "possible only if $y$ is a deterministic function of $x$",
    ),
    (
        "underfit-overfit",
        4,
        "With label noise, the noise variance is a floor.",
    ): (
        "4-can-the-generalization-error-be-zero",
        "so with label noise",
        "even the true function has",
    ),
    # §4.5
    (
        "weight-decay",
        1,
        "The strongest penalty fits the training set worst; at small lambdas "
        "the training budget, not the penalty, decides the training loss.",
    ): (
        "1-training-and-test-loss-against",
        "the strongest penalty fits the",
        "training set worst",
        "no detectable difference at this budget",
    ),
    (
        "weight-decay",
        1,
        "Test loss falls by orders of magnitude from lambda = 0, then "
        "flattens.",
    ): (
        "1-training-and-test-loss-against",
        "orders of magnitude",
        "and then flattens",
    ),
    ("weight-decay", 1, "Measured curves, not a sketch."): (
        "1-training-and-test-loss-against",
        "its mean training loss is the highest",
        "paired by seed",
    ),
    (
        "weight-decay",
        2,
        "The validation choice is optimal for the validation set, not the "
        "true optimum; noise in the estimate.",
    ): (
        "2-choosing-on-validation-data",
        "The validation choice is not guaranteed to be the test",
        "minimizes a different noisy estimate",
    ),
    (
        "weight-decay",
        2,
        "Whether it matters: how flat the test loss is near the choice.",
    ): (
        "2-choosing-on-validation-data",
        "It matters",
        "little",
        "the test curve is flat",
    ),
    (
        "weight-decay",
        3,
        "What the update does to small weights, and why L1 gives sparse "
        "solutions.",
    ): (
        "3-the-l1-penalty",
        "every weight moves a *constant* distance",
        "L1 drives weights to (near) zero",
    ),
    (
        "weight-decay",
        3,
        "Plain subgradient steps jitter around 0 instead of landing on it "
        "(a proximal step would give exact zeros).",
    ): (
        "3-the-l1-penalty",
        "plain subgradient steps then jitter",
        'a proximal "soft-threshold" step would',
    ),
    (
        "weight-decay",
        5,
        "Remedies: more data or augmentation, a smaller model, dropout, "
        "noise, ensembling, early stopping, the initialization.",
    ): (
        "5-other-remedies-for-overfitting",
        "More data, a smaller model",
        "early stopping",
        "ensembling",
        "the choice of initialization",
    ),
    (
        "weight-decay",
        5,
        "Measured: more data cuts the test loss without any penalty; early "
        "stopping hardly helps here, because the large initial weights "
        "outside the data's span stay.",
    ): (
        "5-other-remedies-for-overfitting",
        "cuts the test loss",
        "here it hardly helps",
        "the large initial weights outside the data's span",
    ),
    (
        "weight-decay",
        6,
        "Why: the MAP estimate minimizes -log P(data | w) - log P(w), and how "
        "the book's averaged loss rescales that sum.",
    ): (
        "6-the-bayesian-reading",
        "the maximum a posteriori (MAP) estimate minimizes",
        "because the book",
        "*averages* the loss",
    ),
    ("weight-decay", 6, "Which prior gives the L1 penalty instead."): (
        "6-the-bayesian-reading",
        "A Laplace prior",
    ),
    # §4.6
    (
        "dropout",
        1,
        "Numbers: validation accuracy for each pair of probabilities, with "
        "the same seeds for every setting.",
    ): (
        "1-swapping-and-changing-the-two-probabilities",
        "seed by seed",
    ),
    (
        "dropout",
        1,
        "A conclusion only where the interval excludes 0.",
    ): (
        "1-swapping-and-changing-the-two-probabilities",
        "Swapping the two rates makes no detectable difference, so that "
        "comparison neither supports the order nor refutes it",
        "Each claim prints its interval",
    ),
    (
        "dropout",
        2,
        "Curves over many epochs with and without dropout; the gap between "
        "training and validation.",
    ): (
        "2-more-epochs-with-and-without-dropout",
        "train–validation gap, which is narrower with dropout",
    ),
    (
        "dropout",
        2,
        "A paired comparison at the end, with its interval.",
    ): (
        "2-more-epochs-with-and-without-dropout",
        "On these seeds it does not separate from no dropout",
        "the paired difference is not detectable",
    ),
    (
        "dropout",
        3,
        "How the hidden activations' variance evolves over training, with "
        "and without dropout: a plot.",
    ): (
        "3-variance-of-the-hidden-activations-during-training",
        "The clean variances move too",
        "have a lower clean variance than the plain model's",
    ),
    (
        "dropout",
        4,
        "Prediction should be deterministic and use the whole network; "
        "switching dropout off approximates averaging the noisy networks "
        "(exactly only for a linear network).",
    ): (
        "4-why-dropout-is-off-at-test-time-and-monte-carlo-dropout",
        "we want a deterministic prediction",
        "after a nonlinearity the expectations no",
    ),
    (
        "dropout",
        4,
        "Inverted dropout already keeps E[h'] = h, so nothing needs "
        "rescaling at test time.",
    ): (
        "4-why-dropout-is-off-at-test-time-and-monte-carlo-dropout",
        "Inverted dropout makes each",
        "equal in",
        "expectation to the undropped one",
    ),
    ("dropout", 4, "Monte Carlo dropout as a deliberate exception."): (
        "4-why-dropout-is-off-at-test-time-and-monte-carlo-dropout",
        "MC dropout",
    ),
    (
        "dropout",
        5,
        "Paired comparisons of none, dropout, weight decay and both.",
    ): ("5-dropout-and-weight-decay-together", "A 2 × 2 design"),
    (
        "dropout",
        5,
        "The interaction term and whether its interval excludes 0.",
    ): (
        "5-dropout-and-weight-decay-together",
        "the *interaction*, whose sign says whether",
        "is not detectably different from zero",
    ),
    (
        "dropout",
        6,
        "DropConnect masks weights, not units: a different mask per weight.",
    ): (
        "7-another-noise-gaussian-multiplicative-noise",
        "DropConnect drops weights instead of units",
    ),
    (
        "dropout",
        6,
        "Measured against dropout at the same rate, with seeds.",
    ): (
        "7-another-noise-gaussian-multiplicative-noise",
        "same rates (0.2 / 0.5)",
    ),
    (
        "dropout",
        7,
        "A concrete noise (for example Gaussian multiplicative noise with "
        "the same variance).",
    ): (
        "7-another-noise-gaussian-multiplicative-noise",
        "Multiply each hidden unit by",
        "the same mean and variance as dropout",
    ),
    (
        "dropout",
        7,
        "A paired comparison against dropout and a verdict the interval "
        "supports.",
    ): (
        "7-another-noise-gaussian-multiplicative-noise",
        "does not detectably beat it, nor lose to it (asserted)",
    ),
    # §4.7
    (
        "backprop",
        2,
        "The graph with b1 added to z, and the forward and backward "
        "equations.",
    ): (
        "2-a-bias-in-the-hidden-layer",
        "The graph gains a leaf and an `Add` node",
    ),
    (
        "backprop",
        3,
        "Prediction's peak memory beside training's, and how both grow with "
        "depth and batch size.",
    ): (
        "3-memory-for-training-and-for-prediction",
        "the prediction peak does not",
        "Both counts are linear in the batch size",
    ),
    (
        "backprop",
        4,
        "Differentiating the backward pass itself: the graph of the gradient "
        "is built (create_graph).",
    ): ("4-second-derivatives", "`create_graph=True`"),
    (
        "backprop",
        4,
        "Cost: a Hessian-vector product costs a few gradients; the full "
        "Hessian needs one per parameter.",
    ): (
        "4-second-derivatives",
        "A Hessian-vector product costs a small constant multiple of a",
        "the full matrix needs one product per parameter",
    ),
    ("backprop", 5, "Yes: data, pipeline or tensor parallelism."): (
        "5-a-graph-too-large-for-one-device",
        "**Data parallel**",
        "**Pipeline parallel**",
        "**Tensor parallel**",
    ),
    (
        "backprop",
        5,
        "Trade-offs: communication between devices and the pipeline's idle "
        "bubble, against a smaller minibatch, which needs less memory but "
        "costs more time per example.",
    ): (
        "5-a-graph-too-large-for-one-device",
        "the idle",
        "bubble",
        "each example",
        "costs more time",
    ),
    (
        "backprop",
        5,
        "Gradient accumulation over micro-batches: the same update with less "
        "memory on one device.",
    ): (
        "5-a-graph-too-large-for-one-device",
        "accumulate gradients over micro-batches",
        "gives the same update with less memory",
    ),
    # §4.8
    (
        "numerical-stability",
        1,
        "Sign flips of a unit's in- and out-weights (odd activations such as "
        "tanh), scaling symmetries of ReLU units.",
    ): ("1-other-symmetries", "**Sign flips**", "**Rescaling** for ReLU"),
    (
        "numerical-stability",
        1,
        "Which are harmless (the function is unchanged) and which must be "
        "broken at initialization (identical units).",
    ): (
        "1-other-symmetries",
        "leaves the function unchanged",
        "identical units",
    ),
    (
        "numerical-stability",
        1,
        "All-zero weights: fixed by every symmetry; whether training can "
        "leave them depends on the activation's value at 0.",
    ): (
        "1-other-symmetries",
        "**all-zero weights**",
        "Whether training can leave the",
        "all-zero start depends on $\\phi(0)$",
    ),
    (
        "numerical-stability",
        2,
        "Linear regression as well as softmax regression, and why the start "
        "does not change the optimum of these convex problems.",
    ): (
        "2-equal-weights-in-linear-and-softmax-regression",
        "Linear regression",
        "the",
        "loss is convex",
    ),
    (
        "numerical-stability",
        3,
        "For square A, B, singular values obey sigma_min(A) sigma_min(B) <= "
        "sigma(AB) <= sigma_max(A) sigma_max(B).",
    ): (
        "3-eigenvalues-and-singular-values-of-a-product",
        "\\sigma_{\\min}(\\mathbf{A})\\sigma_{\\min}(\\mathbf{B}) \\le",
    ),
    (
        "numerical-stability",
        3,
        "So kappa(AB) <= kappa(A) kappa(B): conditioning can worsen "
        "multiplicatively with depth.",
    ): (
        "3-eigenvalues-and-singular-values-of-a-product",
        "\\kappa(\\mathbf{AB}) \\le \\kappa(\\mathbf{A})\\kappa(\\mathbf{B})",
        "exponentially with depth",
    ),
    (
        "numerical-stability",
        3,
        "Eigenvalues of a product are not bounded by the factors' "
        "eigenvalues in general.",
    ): (
        "3-eigenvalues-and-singular-values-of-a-product",
        "are *not* bounded by those of",
    ),
    (
        "numerical-stability",
        4,
        "What else helps when training diverges (a smaller rate, clipping), "
        "and why LARS's step does not depend on the gradient's size.",
    ): (
        "4-fixing-divergence-after-the-fact-lars",
        "gradient clipping",
        "lowering the learning rate",
        "whatever",
        "the gradient's size",
    ),
    # §4.9
    (
        "distribution-shift",
        1,
        "Users: what they click depends on what they are shown; they adapt "
        "or leave.",
    ): (
        "1-when-the-search-engine-changes",
        "click what sits on top because it sits on top",
    ),
    (
        "distribution-shift",
        1,
        "Advertisers: they optimize against the new ranking, an "
        "adversarial shift.",
    ): (
        "1-when-the-search-engine-changes",
        "optimize against",
        "adversarial shift",
    ),
    (
        "distribution-shift",
        1,
        "The feedback loop: the next training data depend on the current "
        "model; a fix such as inverse propensity weighting.",
    ): (
        "1-when-the-search-engine-changes",
        "feedback loop",
        "inverse propensity weighting",
    ),
    (
        "distribution-shift",
        2,
        "A classifier trained to tell source from target inputs, judged "
        "on held-out examples.",
    ): (
        "2-a-covariate-shift-detector",
        "on one part of both samples",
        "held-out",
    ),
    (
        "distribution-shift",
        2,
        "A test whose false-alarm rate is controlled, and a control "
        "without shift.",
    ): (
        "2-a-covariate-shift-detector",
        "the p-value is valid",
        "a control",
    ),
    (
        "distribution-shift",
        3,
        "Weights clipped and normalized, the effective sample size "
        "checked, the loss weighted.",
    ): (
        "3-a-covariate-shift-corrector",
        "clip the weights and scale them to mean 1",
        "effective sample size",
    ),
    (
        "distribution-shift",
        3,
        "Evidence of whether the correction helps: it pays for a "
        "misspecified model, not necessarily for a flexible one.",
    ): (
        "3-a-covariate-shift-corrector",
        "pays for a misspecified model",
    ),
    (
        "distribution-shift",
        4,
        "Sample size, dependent examples, label noise, and selection on "
        "the same data, each with a number.",
    ): (
        "4-what-else-separates-empirical-risk-from-risk",
        "Sample size",
        "Dependent examples",
        "Label noise",
        "Selection on the same data",
    ),
}
