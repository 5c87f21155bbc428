"""What ``fit`` shows while it trains: nothing, or a bar and a line per
epoch (terminals and the command line, never pages)."""

from __future__ import annotations

from collections.abc import Iterator


def epochs(num_epochs: int, progress: bool, history) -> Iterator[int]:
    """range(num_epochs); with ``progress``, a tqdm bar and one line per
    epoch (loss, accuracies, seconds) printed above it."""
    if not progress:
        yield from range(num_epochs)
        return
    from tqdm.auto import tqdm

    bar = tqdm(range(num_epochs), desc="epochs", unit="epoch")
    for epoch in bar:
        yield epoch
        if history.train_loss:
            val = (
                f", val acc {history.val_acc[-1]:.4f}"
                if history.val_acc
                else ""
            )
            bar.write(
                f"epoch {epoch + 1}: loss {history.train_loss[-1]:.4f}, "
                f"train acc {history.train_acc[-1]:.4f}{val}, "
                f"{history.seconds[-1]:.1f} s"
            )
