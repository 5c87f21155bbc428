"""What ``fit`` shows while it trains: nothing, or a bar over the epochs,
a bar over the current epoch's minibatches, and a line per epoch
(terminals and the command line, never pages).

The epoch loops take their minibatches from :func:`batches`, which is
``range(0, n, batch_size)`` and, while ``fit`` shows progress, also moves
the minibatch bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

_step_bars: list = []  # the minibatch bar, while a fit shows progress


def batches(n: int, batch_size: int) -> Iterable[int]:
    """The first index of each minibatch of an epoch over ``n`` examples:
    ``range(0, n, batch_size)``, ticking the minibatch bar if one is shown.
    """
    starts = range(0, n, batch_size)
    if not _step_bars:
        return starts
    bar = _step_bars[-1]
    bar.reset(total=len(starts))
    return _ticking(starts, bar)


def _ticking(starts: range, bar) -> Iterator[int]:
    for i in starts:
        yield i
        bar.update()


def epochs(num_epochs: int, progress: bool, history) -> Iterator[int]:
    """range(num_epochs); with ``progress``, a tqdm bar over the epochs,
    one over each epoch's minibatches, and one line per epoch (loss,
    accuracies, seconds) printed above them."""
    if not progress:
        yield from range(num_epochs)
        return
    from tqdm.auto import tqdm

    bar = tqdm(range(num_epochs), desc="epochs", unit="epoch")
    steps = tqdm(desc="minibatches", unit="step", position=1, leave=False)
    _step_bars.append(steps)
    try:
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
    finally:
        _step_bars.remove(steps)
        steps.close()
