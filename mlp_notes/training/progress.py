"""What ``fit`` tells its callbacks while it trains, and the progress bars
of the command line (terminals, never pages).

A callback is any object with some of these methods (``fit`` calls those
it has):

* ``on_batch(done, total)``: after each minibatch of an epoch;
* ``on_epoch(history)``: after each epoch, once ``history`` records it;
* ``on_end(history, workload, seconds)``: after training (the workload
  is ``loop.workload``'s, for the build's cost estimate).
"""

from __future__ import annotations


class Bars:
    """A tqdm bar over the epochs, one over the current epoch's
    minibatches, and a line per epoch (loss, accuracies, seconds)."""

    def __init__(self, num_epochs: int) -> None:
        from tqdm.auto import tqdm

        self.epochs = tqdm(total=num_epochs, desc="epochs", unit="epoch")
        self.steps = tqdm(
            desc="minibatches", unit="step", position=1, leave=False
        )

    def on_batch(self, done: int, total: int) -> None:
        if done == 1:
            self.steps.reset(total=total)
        self.steps.update()

    def on_epoch(self, history) -> None:
        val = f", val acc {history.val_acc[-1]:.4f}" if history.val_acc else ""
        self.epochs.write(
            f"epoch {history.epochs}: loss {history.train_loss[-1]:.4f}, "
            f"train acc {history.train_acc[-1]:.4f}{val}, "
            f"{history.seconds[-1]:.1f} s"
        )
        self.epochs.update()

    def on_end(self, history, workload: str, seconds: float) -> None:
        self.steps.close()
        self.epochs.close()
