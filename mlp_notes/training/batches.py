"""One epoch's minibatches, shared by every training loop.

An epoch permutes the training examples once (and, with ``flip``, draws
which images to mirror); its minibatches are consecutive slices of that
permutation, the last one possibly smaller.  Every loop, the teaching
loop, ``fit``'s steps and the benchmark's, draws its epoch here, so two
loops given generators in the same state see the same minibatches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch


# --8<-- [start:minibatches]
class Minibatches:
    """The minibatches of one epoch over ``n`` examples, ``batch_size``
    each (the last may be smaller): iterating gives each one's example
    indices, a slice of one permutation drawn by ``generator`` (on
    ``device``); :meth:`spans` also gives where the slice lies.  With
    ``flip``, ``mirror`` says which examples to mirror this epoch; after
    each minibatch, ``on_batch(done, total)`` is called (a progress bar).
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
        flip: bool = False,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> None:
        self.perm = torch.randperm(n, generator=generator).to(device)
        self.mirror = None
        if flip:  # (n,) bool: mirror this example in this epoch
            self.mirror = (torch.rand(n, generator=generator) < 0.5).to(device)
        self.n, self.batch_size, self.on_batch = n, batch_size, on_batch

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def spans(self) -> Iterator[tuple[slice, torch.Tensor]]:
        """(rows of the permutation, example indices) per minibatch."""
        for done, start in enumerate(range(0, self.n, self.batch_size), 1):
            rows = slice(start, start + self.batch_size)
            yield rows, self.perm[rows]
            if self.on_batch is not None:
                self.on_batch(done, len(self))

    def __iter__(self) -> Iterator[torch.Tensor]:
        for _, idx in self.spans():
            yield idx


# --8<-- [end:minibatches]
