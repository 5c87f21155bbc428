"""Command line: ``mlp-notes train`` trains the chapter's MLP.

Every argument is checked before any data is loaded; a bad value ends in
argparse's usage line and one message naming the option.  ``--help``
shows every default.  Exit status: 0 trained (a run that ends at chance
accuracy says so), 1 diverged or no data, 2 a bad argument.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

CHANCE = 0.15  # validation accuracy at or below this: chance (10 classes)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 256,128, got {text!r}"
        ) from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"widths must be >= 1, got {text}")
    return widths


def _device(text: str) -> str:
    import torch

    try:
        device = torch.device(text)
    except RuntimeError:
        raise argparse.ArgumentTypeError(f"unknown device {text!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError("cuda requested but not available")
    return text


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Show each default that is a value (not None, not a flag's False)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def parser() -> argparse.ArgumentParser:
    from mlp_notes import __version__
    from mlp_notes.models import ACTIVATIONS

    p = argparse.ArgumentParser(
        prog="mlp-notes",
        description="Train the MLPs of D2L's chapter on Fashion-MNIST.",
    )
    p.add_argument(
        "--version", action="version", version=f"mlp-notes {__version__}"
    )
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser(
        "train",
        help="train an MLP (default: D2L's 784-256-10, SGD lr 0.1)",
        description="Train an MLP on Fashion-MNIST (10,000 training images "
        "held out for validation) and report its accuracies.",
        formatter_class=_Defaults,
    )
    t.add_argument(
        "--model",
        choices=("scratch", "concise"),
        default="scratch",
        help="MLPScratch or models.mlp",
    )
    t.add_argument(
        "--hiddens",
        type=_widths,
        default="256",
        help="hidden widths, e.g. 256 or 1024,1024",
    )
    t.add_argument(
        "--activation",
        choices=sorted(ACTIVATIONS),
        default="relu",
        metavar="NAME",
        help=f"one of {', '.join(sorted(ACTIVATIONS))}",
    )
    t.add_argument(
        "--dropout",
        type=_probability,
        default=0.0,
        help="dropout after each hidden layer (--model concise)",
    )
    t.add_argument("--lr", type=_positive_float, default=0.1, help="SGD step")
    t.add_argument("--epochs", type=_positive_int, default=10, help="epochs")
    t.add_argument(
        "--batch-size", type=_positive_int, default=256, help="minibatch size"
    )
    _run_options(t)
    p.train_parser = t
    return p


def _run_options(t: argparse.ArgumentParser) -> None:
    """Where and how the run trains, and what it writes."""
    t.add_argument(
        "--device",
        type=_device,
        default=None,
        help="cpu or cuda (default: cuda if available)",
    )
    t.add_argument(
        "--step",
        choices=("auto", "autograd", "backprop", "graph"),
        default="auto",
        help="training step; auto: a CUDA graph on a GPU, else the "
        "hand-derived backprop step for ReLU MLPs, else autograd",
    )
    t.add_argument(
        "--seed", type=int, default=0, help="initialization and shuffling"
    )
    t.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="torch CPU threads (default: torch's choice; use 1 when "
        "another process uses the cores)",
    )
    t.add_argument(
        "--save",
        type=Path,
        metavar="PATH",
        default=None,
        help="write the trained weights (a state_dict, torch.save)",
    )
    t.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        default=None,
        help="write the run's History (per-epoch losses, accuracies, times)",
    )
    t.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar and no line per epoch",
    )


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    import torch

    from mlp_notes import precision, settings
    from mlp_notes.data import DataError, fashion_mnist_split
    from mlp_notes.models import Spec, build
    from mlp_notes.training import Recipe, fit, progress, steps

    net = Spec(
        kind=args.model,
        hiddens=args.hiddens,
        activation=args.activation,
        dropout=args.dropout,
    )
    recipe = Recipe(
        lr=args.lr,
        num_epochs=args.epochs,
        batch_size=args.batch_size,
        step=args.step,
    )
    if args.threads:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(args.seed)
    try:
        model = build(net, generator=g)
    except ValueError:
        p.train_parser.error(
            "--model scratch is D2L's one-hidden-layer ReLU MLP: use "
            "--model concise for several layers, another activation or "
            "dropout"
        )
    device = torch.device(args.device or settings.default_device())
    used = precision.resolve(recipe.mixed_precision, device)
    reason = steps.why_not(args.step, model, device, recipe, used)
    if args.step != "auto" and reason:
        p.train_parser.error(f"--step {args.step} {reason}")
    try:
        data = fashion_mnist_split(device=args.device)
    except DataError as err:
        print(f"mlp-notes: {err}", file=sys.stderr)
        return 1
    bars = () if args.no_progress else (progress.Bars(recipe.num_epochs),)
    history = fit(model, data, recipe, generator=g, callbacks=bars)
    _write(args, model, history)
    return _report(args, history, data.device)


def _report(args: argparse.Namespace, history, device) -> int:
    """Print the outcome; the exit status (1: diverged)."""
    if history.diverged:
        print(
            f"diverged at epoch {history.diverged_at} (loss not finite); "
            "try a smaller --lr"
        )
        return 1
    print(
        f"{args.model} MLP {args.hiddens} on {device}: "
        f"train loss {history.train_loss[-1]:.4f}, "
        f"train acc {history.train_acc[-1]:.4f}, "
        f"val acc {history.val_acc[-1]:.4f}, "
        f"test acc {history.test_acc:.4f} "
        f"({sum(history.seconds):.1f} s training, {history.step} step)"
    )
    if history.val_acc and history.val_acc[-1] <= CHANCE:
        print(
            f"validation accuracy {history.val_acc[-1]:.3f} is chance level "
            "(10 classes): the model learned nothing; try another --lr"
        )
    return 0


def _write(args: argparse.Namespace, model, history) -> None:
    """--save and --json, if given."""
    import dataclasses

    import torch

    if args.save:
        torch.save(model.state_dict(), args.save)
        print(f"weights written to {args.save}")
    if args.json:
        record = dataclasses.asdict(history) | {"argv": vars(args)}
        args.json.write_text(json.dumps(record, indent=1, default=str))
        print(f"history written to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
