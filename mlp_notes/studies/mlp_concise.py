"""§4.3 A concise MLP: the chapter's model from PyTorch's layers, and the
exercises' sweeps of depth, activation and initialization.

Settings are compared seed by seed (same initial weights' generator, same
minibatches), each run scored by its mean validation accuracy over the
last three epochs (``studies.paired``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import fashion_mnist_split
from mlp_notes.runs.chapter import (
    CHAPTER_NET,
    Run,
    chapter_config,
    rebuild,
    sweep,
    train_run,
)
from mlp_notes.studies.mlp_scratch import val_constant_band
from mlp_notes.studies.paired import compare_to, late
from mlp_notes.studies.probes import BENCHMARK_MLP


@dataclass(frozen=True)
class Budget:
    """What §4.3 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        epochs: epochs of the chapter run.
        seeds: seeds of every sweep point (the same for every point).
        sweep_epochs: epochs of each sweep point.
        sweep_subset: training images of each sweep point (None: all).
        depths: hidden-layer counts of exercise 1.
        activations: activations of exercise 2.
        best_epochs: epochs of each run of the stronger MLP.
        best_subset: training images of its runs (None: all).
        best_val_floor: validation accuracy it must exceed (full: the
            benchmark MLP's published test accuracy).
    """

    decisive: bool
    epochs: int
    seeds: tuple[int, ...]
    sweep_epochs: int
    sweep_subset: int | None
    depths: tuple[int, ...]
    activations: tuple[str, ...]
    best_epochs: int
    best_subset: int | None
    best_val_floor: float

    def sweep_run(self) -> dict:
        """``sweep``'s recipe, training images and seeds here."""
        config = chapter_config(self.sweep_epochs)
        return {
            "recipe": config["recipe"],
            "subset": self.sweep_subset,
            "seeds": self.seeds,
        }


BUDGETS = {
    "full": Budget(
        decisive=True,
        epochs=10,
        seeds=(0, 1, 2),
        sweep_epochs=10,
        sweep_subset=None,
        depths=(1, 2, 3, 4),
        activations=("relu", "sigmoid", "tanh", "gelu", "swish"),
        best_epochs=30,
        best_subset=None,
        best_val_floor=BENCHMARK_MLP[1],
    ),
    "quick": Budget(
        decisive=False,
        epochs=2,
        seeds=(0, 1),
        sweep_epochs=1,
        sweep_subset=12_000,
        depths=(1, 3),
        activations=("relu", "sigmoid"),
        best_epochs=2,
        best_subset=10_000,
        best_val_floor=0.5,
    ),
}


def chapter_run(budget: Budget) -> Run:
    """The book's run of the concise model (weights kept)."""
    return train_run(**chapter_config(budget.epochs), keep_model=True)


@torch.no_grad()
def test_correct(run: Run) -> torch.Tensor:
    """Whether the chapter run's model gets each test image right, (n,)."""
    data = fashion_mnist_split()
    model = rebuild(run, CHAPTER_NET)
    X, y = data.X_test.cpu(), data.y_test.cpu()
    return model(X).argmax(1) == y


def chapter_summary(run: Run) -> Finding:
    """The concise run's last epoch and its cost."""
    h = run.history
    lines = [
        f"after {h.epochs} epochs: train loss {h.train_loss[-1]:.4f}, "
        f"val acc {h.val_acc[-1]:.4f}, test acc {h.test_acc:.4f}; "
        f"{sum(h.seconds):.1f} s of training"
    ]
    ok = h.val_acc[-1] > 0.7
    claims = Claims().add(f"val acc {h.val_acc[-1]:.4f} > 0.7", ok)
    return Finding(lines, claims)


#: What exercise 1's prose says, per depth, of He initialization against
#: the book's N(0, 0.01^2) weights.
HE_EXPECT = {1: ">", 2: ">", 3: ">", 4: ">"}


def depth_by_init(budget: Budget) -> Finding:
    """Exercise 1: 1 to 4 hidden layers of 256, with the book's weights
    and with He initialization, same seeds."""
    score, lines = {}, []
    for init in ("normal", "he"):
        net = CHAPTER_NET.replace(init=init)
        points = [(256,) * d for d in budget.depths]
        for hiddens, rs in sweep(
            "hiddens", points, net=net, **budget.sweep_run()
        ).items():
            score[init, len(hiddens)] = late(rs)
    claims = Claims()
    for d in budget.depths:
        lines.append(
            f"{d} hidden layer(s): N(0, 0.01^2) "
            f"{stats.summary(score['normal', d])}, He "
            f"{stats.summary(score['he', d])}"
        )
        diff = stats.paired(score["he", d], score["normal", d])
        if d not in HE_EXPECT:
            lines.append(f"  He - N(0, 0.01^2): {diff}")
            continue
        claims.compare(
            diff,
            f"He ({d} layer(s))",
            "N(0, 0.01^2)",
            HE_EXPECT[d],
            enforce=budget.decisive,
        )
    top, margin = max(budget.depths), {}
    for d in (1, top):
        margin[d] = [h - n for h, n in zip(score["he", d], score["normal", d])]
    claims.compare(
        stats.paired(margin[top], margin[1]),
        f"He's margin at {top} layers",
        "at 1 layer",
        ">",
        enforce=budget.decisive,
        words="is larger than",
    )
    he = {d: score["he", d] for d in budget.depths}
    more, depth_claims = compare_to(
        he, 1, DEPTH_EXPECT, budget.decisive, lambda d: f"He, {d} layer(s)"
    )
    claims.extend(depth_claims)
    return Finding(lines + more, claims)


#: What exercise 1's prose says of each depth against one hidden layer,
#: both with He initialization.
DEPTH_EXPECT = {2: "~", 3: ">", 4: "~"}


#: What exercise 2's prose says of each activation against ReLU.
ACTIVATION_EXPECT = {"sigmoid": "<", "tanh": "~", "gelu": "<", "swish": "<"}


def activations(budget: Budget) -> Finding:
    """Exercise 2: each activation with He initialization, same seeds,
    against ReLU."""
    he = CHAPTER_NET.replace(init="he")
    runs = sweep(
        "activation", budget.activations, net=he, **budget.sweep_run()
    )
    score = {a: late(rs) for a, rs in runs.items()}
    lines = [f"{a:8s} val acc {stats.summary(v)}" for a, v in score.items()]
    ranking = sorted(score, key=lambda a: -stats.spread(score[a])[0])
    lines.append("mean on validation: " + " > ".join(ranking))
    more, claims = compare_to(
        score, "relu", ACTIVATION_EXPECT, budget.decisive, str
    )
    data = {
        "names": list(score),
        "means": [stats.spread(v)[0] for v in score.values()],
        "stds": [stats.spread(v)[1] for v in score.values()],
    }
    return Finding(lines + more, claims, data)


#: What exercise 3's prose says of each random scheme against PyTorch's
#: default initialization.
INIT_EXPECT = {"normal": "~", "xavier": ">", "he": ">"}


def inits(budget: Budget) -> Finding:
    """Exercise 3: the initializations, all zeros included, same seeds;
    the all-zero start checked for what it must do."""
    names = ("normal", "default", "xavier", "he", "zeros")
    runs = sweep("init", names, **budget.sweep_run())
    score = {i: late(rs) for i, rs in runs.items()}
    lines = [
        f"init={i:8s} val acc {stats.summary(v)}" for i, v in score.items()
    ]
    random_ones = {i: score[i] for i in names if i != "zeros"}
    more, claims = compare_to(
        random_ones, "default", INIT_EXPECT, budget.decisive, str
    )
    zero = train_run(
        net=CHAPTER_NET.replace(init="zeros"),
        keep_model=True,
        seed=budget.seeds[0],
        **{k: v for k, v in budget.sweep_run().items() if k != "seeds"},
    )
    zero_lines, zero_claims = all_zero_start(zero, runs["zeros"])
    claims.extend(zero_claims)
    return Finding(lines + more + zero_lines, claims)


def all_zero_start(kept: Run, runs: list[Run]) -> tuple[list[str], Claims]:
    """What an all-zero ReLU start must show after training: every hidden
    unit identical (in fact all first-layer weights still 0, and the
    output weights too), and the accuracy of a constant prediction."""
    state = kept.state
    W1 = state["1.weight"]  # (256, 784): one row per hidden unit
    W2 = state["3.weight"]  # (10, 256)
    lo, hi = val_constant_band()
    accs = [r.val_acc for r in runs]
    lines = [
        f"all-zero init after training: max |W1[i] - W1[0]| over units = "
        f"{(W1 - W1[0]).abs().max().item()}, max |W1| = "
        f"{W1.abs().max().item()}, max |W2| = {W2.abs().max().item()}",
        f"all-zero init: val acc {[round(a, 4) for a in accs]}; one class "
        f"everywhere scores {lo:.4f} to {hi:.4f}",
    ]
    claims = Claims()
    claims.add(
        "every hidden unit's weights equal unit 0's", bool((W1 == W1[0]).all())
    )
    claims.add(
        "W1 and W2 never moved from 0",
        bool((W1 == 0).all() and (W2 == 0).all()),
    )
    claims.add(
        f"each seed's accuracy is a constant prediction's ({lo:.4f} to "
        f"{hi:.4f})",
        all(lo <= a <= hi for a in accs),
    )
    return lines, claims


def paired_test_error(a: torch.Tensor, b: torch.Tensor) -> stats.Difference:
    """Accuracy of ``a`` minus ``b`` on the same test images (per-image
    correctness, (n,) bool each), paired image by image: its interval is
    what a difference between the two models on this test set means."""
    return stats.paired(a.double().tolist(), b.double().tolist())
