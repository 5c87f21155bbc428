"""§4.6's exercises: dropout rates, more epochs, the hidden variances,
dropout at test time, dropout with weight decay, other noises.

Settings are looked up by name, never by position: a 2 x 2 design is a
dict keyed by (dropout, weight decay), and the effects are differences of
named cells (``two_by_two``).
"""

from __future__ import annotations

import torch

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import fashion_mnist_split
from mlp_notes.dropout import DropoutMLPScratch, mc_predict
from mlp_notes.runs.dropout import DROPOUT_NET, arm, late_val
from mlp_notes.studies.dropout import BOOK, NONE, Budget, at_epochs
from mlp_notes.studies.paired import compare_to

#: What exercise 1's prose says of each setting against the book's rates.
RATES_EXPECT = {(0.5, 0.2): "~", (0.5, 0.5): "<", NONE: "~"}


def rates(budget: Budget, long: dict) -> Finding:
    """Exercise 1: swapped rates, 0.5 in both layers and no dropout,
    each against the book's 0.2 then 0.5, same seeds."""
    score = at_epochs(long, budget)
    for rates_ in ((0.5, 0.2), (0.5, 0.5)):
        net = DROPOUT_NET.replace(dropout=rates_)
        runs = arm(net, seeds=budget.seeds, **budget.exercise_run())
        score[rates_] = late_val(runs)
    lines = [
        f"p1 {p1:.1f}, p2 {p2:.1f}: {stats.summary(v)}"
        for (p1, p2), v in score.items()
    ]
    more, claims = compare_to(
        score, BOOK, RATES_EXPECT, budget.decisive, _rates
    )
    claims.add(
        "every run beats chance (0.1)",
        min(min(v) for v in score.values()) > 0.1,
    )
    return Finding(lines + more, claims, {"score": score})


def _rates(r: tuple) -> str:
    return "the book's 0.2/0.5" if r == BOOK else f"{r[0]:g}/{r[1]:g}"


#: What exercise 2's prose says of dropout against none, by epoch.
LONGER_EXPECT = {"epochs": "~", "long_epochs": "~"}


def longer(budget: Budget, long: dict) -> Finding:
    """Exercise 2: dropout minus no dropout at the exercises' epochs and
    at twice as many, and the train-validation gap at the end."""
    hs = {r: [run["history"] for run in runs] for r, runs in long.items()}
    claims, lines = Claims(), []
    for key, at in (
        ("epochs", budget.epochs),
        ("long_epochs", budget.long_epochs),
    ):
        d = stats.paired(
            *([h.late_val_acc(upto=at) for h in hs[r]] for r in (BOOK, NONE))
        )
        claims.compare(
            d, f"dropout (epoch {at})", "no dropout", LONGER_EXPECT[key],
            enforce=budget.decisive,
        )  # fmt: skip
    gap = {
        r: [h.train_acc[-1] - h.late_val_acc() for h in v]
        for r, v in hs.items()
    }
    d_gap = stats.paired(gap[BOOK], gap[NONE])
    lines.append(
        f"train-val gap at epoch {budget.long_epochs}, dropout - none: {d_gap}"
    )
    claims.compare(
        d_gap, "the train-val gap with dropout", "without", "<",
        enforce=budget.decisive, words="is narrower than",
    )  # fmt: skip
    curves = {}
    for r, label in ((NONE, "no dropout"), (BOOK, "dropout")):
        curves[f"{label} train"] = torch.tensor(
            [h.train_acc for h in hs[r]]
        ).mean(0)
        curves[f"{label} val"] = torch.tensor([h.val_acc for h in hs[r]]).mean(
            0
        )
    return Finding(lines, claims, {"curves": curves})


#: The bound Var[h'] >= Var[h] / (1 - p) holds in expectation; over 1,000
#: images it is checked with this slack.
SLACK = 0.9


def variances(budget: Budget, long: dict) -> Finding:
    """Exercise 3: the hidden layers' variance after each epoch, clean (H)
    and after dropout (H'), and the bound dropout's noise must respect."""
    lines, claims, curves = [], Claims(), {}
    for rates_, label in ((NONE, "no dropout"), (BOOK, "dropout")):
        runs = long[rates_]
        for name in ("H1", "H1'", "H2", "H2'"):
            per_epoch = torch.tensor([r["var"][name] for r in runs]).mean(0)
            lines.append(
                f"{label:10s} {name:4s} final variance {per_epoch[-1]:.4f}"
            )
            if not (rates_ == NONE and name.endswith("'")):
                curves[f"{label} {name}"] = per_epoch
    for layer, p in (("H1", BOOK[0]), ("H2", BOOK[1])):
        bound = SLACK / (1 - p)
        holds = all(
            a > bound * b
            for r in long[BOOK]
            for a, b in zip(r["var"][layer + "'"], r["var"][layer])
        )
        claims.add(
            f"{layer}: Var[h'] > {bound:.3f} Var[h] at every epoch and seed "
            f"({SLACK} x 1/(1-p), p = {p})",
            holds,
        )
    lines.append(
        "final variance before each layer's own dropout (H2 after H1's), "
        "dropout - none, paired by seed:"
    )
    for layer in ("H1", "H2"):
        d = stats.paired(
            *([r["var"][layer][-1] for r in long[k]] for k in (BOOK, NONE))
        )
        lines.append(f"   {layer}: {d}")
        claims.compare(
            d,
            f"the dropout model's {layer} variance (before its own dropout)",
            "the plain model's",
            "<",
            enforce=budget.decisive,
            words="is lower than",
        )
    panels = {
        f"hidden layer {k}": {n: v for n, v in curves.items() if f"H{k}" in n}
        for k in (1, 2)
    }
    return Finding(lines, claims, {"panels": panels})


def test_time(long: dict, samples: int = 30) -> Finding:
    """Exercise 4: the deterministic network, single noisy passes and the
    mean of ``samples`` passes (MC dropout) on 5,000 test images; errors
    among the most and the least certain predictions."""
    data = fashion_mnist_split(seed=0)
    net = DropoutMLPScratch(dropout1=BOOK[0], dropout2=BOOK[1])
    net.load_state_dict(long[BOOK][0]["state"])
    X, y = data.X_test[:5000].cpu(), data.y_test[:5000].cpu()
    net.eval()
    with torch.no_grad():
        det = (net(X).argmax(1) == y).float().mean().item()
        probs = mc_predict(net, X, samples=samples)
    singles = (probs.argmax(2) == y).float().mean(1)  # each pass's accuracy
    mean_p = probs.mean(0)
    mc = (mean_p.argmax(1) == y).float().mean().item()
    entropy = -(mean_p * mean_p.clamp_min(1e-12).log()).sum(1)
    wrong = (mean_p.argmax(1) != y).float()
    order, k = entropy.argsort(), len(y) // 10
    certain, unsure = wrong[order[:k]].mean(), wrong[order[-k:]].mean()
    epochs = len(long[BOOK][0]["history"].val_acc)
    lines = [
        f"the first seed's {epochs}-epoch model, the first {len(y):,} test "
        "images "
        "(reported; nothing is chosen on them); test accuracy:",
        f"dropout off: {det:.4f}; one noisy pass: {singles[0]:.4f} (average "
        f"over the {samples} passes: {singles.mean():.4f}); mean of "
        f"{samples} passes: {mc:.4f}",
        f"error rate among the 10% most certain: {certain:.4f}, among the "
        f"10% least certain: {unsure:.4f}",
    ]
    claims = Claims()
    claims.add(
        "a noisy pass is less accurate on average than dropout off",
        singles.mean().item() < det,
    )
    claims.add("errors are more frequent where it is unsure", unsure > certain)
    return Finding(lines, claims)


def two_by_two(cells: dict) -> dict[str, stats.Difference]:
    """The effects of a 2 x 2 design, by name.

    Args:
        cells: per-seed scores keyed by (dropout on, weight decay on).

    Returns:
        "dropout alone", "weight decay alone", "both" (each minus
        neither) and "interaction": (both - dropout) - (decay - neither).
    """
    neither, drop = cells[False, False], cells[True, False]
    decay, both = cells[False, True], cells[True, True]
    return {
        "dropout alone": stats.paired(drop, neither),
        "weight decay alone": stats.paired(decay, neither),
        "both": stats.paired(both, neither),
        "interaction": stats.paired(
            [b - d for b, d in zip(both, drop)],
            [w - n for w, n in zip(decay, neither)],
        ),
    }


#: Exercise 5's weight decay, and what its prose says of each effect
#: (">": better than neither; "interaction": ">" helps more than the sum).
WEIGHT_DECAY = 1e-3
COMBINED_EXPECT = {
    "dropout alone": "~",
    "weight decay alone": "<",
    "both": "~",
    "interaction": "~",
}


def combined_claims(cells: dict, expect: dict, enforce: bool) -> Claims:
    """A claim per effect of the 2 x 2 design (``two_by_two``) that its
    interval says what ``expect`` ({effect: ">", "<", "~", ...}) says."""
    claims = Claims()
    for name, d in two_by_two(cells).items():
        other = "0" if name == "interaction" else "neither"
        claims.compare(d, name, other, expect[name], enforce=enforce)
    return claims


def combined(budget: Budget, long: dict) -> Finding:
    """Exercise 5: dropout and weight decay, alone and together."""
    score = at_epochs(long, budget)
    cells = {(rates_ == BOOK, False): v for rates_, v in score.items()}
    for rates_ in (NONE, BOOK):
        net = DROPOUT_NET.replace(dropout=rates_)
        run = budget.exercise_run(weight_decay=WEIGHT_DECAY)
        cells[rates_ == BOOK, True] = late_val(
            arm(net, seeds=budget.seeds, **run)
        )
    names = {
        (False, False): "neither",
        (True, False): "dropout only",
        (False, True): "weight decay only",
        (True, True): "both",
    }
    lines = [f"weight decay {WEIGHT_DECAY:g} through SGD (biases too)"]
    lines += [f"{names[k]:17s}: {stats.summary(v)}" for k, v in cells.items()]
    claims = combined_claims(cells, COMBINED_EXPECT, budget.decisive)
    return Finding(lines, claims)


#: What exercises 6 and 7's prose says of each noise against dropout.
NOISE_EXPECT = {"dropconnect": "~", "gaussian": "~"}


def noises(budget: Budget, long: dict) -> Finding:
    """Exercises 6 and 7: DropConnect and Gaussian noise at the same rates,
    against dropout and no noise, same seeds."""
    score = at_epochs(long, budget)
    noisy = {"dropout": score[BOOK]}
    for noise in ("dropconnect", "gaussian"):
        net = DROPOUT_NET.replace(noise=noise)
        noisy[noise] = late_val(
            arm(net, seeds=budget.seeds, **budget.exercise_run())
        )
    noisy["no noise"] = score[NONE]
    lines = [f"{k:11s}: {stats.summary(v)}" for k, v in noisy.items()]
    del noisy["no noise"]
    more, claims = compare_to(
        noisy, "dropout", NOISE_EXPECT, budget.decisive, str
    )
    return Finding(lines + more, claims)
