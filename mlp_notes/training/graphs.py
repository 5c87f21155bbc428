"""The training step as a CUDA graph (see ``steps.choose``)."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes.training.batches import Minibatches


# --8<-- [start:graphed_step]
class GraphedStep:
    """A training step captured as CUDA graphs, one per minibatch size.

    On a GPU, the chapter's small model spends a step launching many tiny
    kernels from Python; replaying a captured graph launches them all at
    once.  ``fit`` uses it on CUDA when the step is deterministic and holds
    no state or host work (``steps.why_not``): a replay then does exactly
    what ``steps.AutogradStep`` does.  After training, ``p.grad`` holds
    the gradient of the last full-size minibatch.
    """

    name = "graph"

    def __init__(
        self,
        model: nn.Module,
        opt: torch.optim.Optimizer,
        X: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int,
        label_smoothing: float = 0.0,
    ) -> None:
        model.train()  # the mode is captured with the graph
        self.model, self.X, self.y = model, X, y
        self.batch_size = batch_size
        self.loss_sum = torch.zeros((), device=X.device)
        self.correct = torch.zeros((), device=X.device, dtype=torch.long)
        full = min(batch_size, len(X))
        sizes = sorted({full, len(X) % batch_size or full})

        def step(net, optimizer, Xb, yb):
            logits = net(Xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return logits, loss

        # --8<-- [end:graphed_step]
        # --8<-- [start:graphed_capture]
        # Capture needs a warm-up (cuBLAS workspaces, autograd's workers);
        # it runs on a throwaway copy so the real weights do not move.
        ghost = copy.deepcopy(model)
        ghost_opt = torch.optim.SGD(ghost.parameters(), lr=0.0)
        self.graphs = {}
        with torch.cuda.device(X.device):
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    for n in sizes:
                        step(ghost, ghost_opt, X[:n], y[:n])
            torch.cuda.current_stream().wait_stream(side)
            for n in sizes:
                X_in, y_in = X[:n].clone(), y[:n].clone()  # static inputs
                graph = torch.cuda.CUDAGraph()
                opt.zero_grad(set_to_none=True)  # grads are born in it
                with torch.cuda.graph(graph):
                    logits, loss = step(model, opt, X_in, y_in)
                    self.loss_sum.add_(loss.detach(), alpha=n)
                    self.correct.add_((logits.argmax(1) == y_in).sum())
                self.graphs[n] = (graph, X_in, y_in)

    def epoch(self, batches: Minibatches) -> tuple[float, int]:
        """The autograd step's epoch by graph replays: same result."""
        X, y = self.X, self.y
        self.model.train()
        self.loss_sum.zero_()
        self.correct.zero_()
        for idx in batches:
            graph, X_in, y_in = self.graphs[len(idx)]
            torch.index_select(X, 0, idx, out=X_in)
            torch.index_select(y, 0, idx, out=y_in)
            graph.replay()
        return self.loss_sum.item(), int(self.correct.item())


# --8<-- [end:graphed_capture]
