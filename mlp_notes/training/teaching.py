"""The chapter's training loop as a learner writes it (§4.2).

Forward pass, loss, backward pass, SGD update, evaluation: nothing else.
``fit`` trains the same way, faster (a unit test checks that both give
the same parameters), and records more.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mlp_notes.training.batches import Minibatches
from mlp_notes.training.loop import accuracy


# --8<-- [start:train_plain]
def train_plain(net, data, *, lr, num_epochs, batch_size, generator=None):
    """Minibatch SGD on the mean cross-entropy of ``net`` (an
    ``nn.Module``) on ``data`` (a ``Split``), minibatches drawn by
    ``generator``; returns the validation accuracy after each epoch."""
    X, y = data.X_train, data.y_train  # (n, 1, 28, 28), (n,)
    val_acc = []
    for _ in range(num_epochs):
        net.train()
        for idx in Minibatches(len(X), batch_size, generator=generator):
            y_hat = net(X[idx])  # (batch_size, 10) logits
            loss = F.cross_entropy(y_hat, y[idx])  # softmax inside
            loss.backward()  # fills param.grad
            with torch.no_grad():
                for param in net.parameters():
                    param -= lr * param.grad  # the SGD update
                    param.grad = None
        val_acc.append(accuracy(net, data.X_val, data.y_val))
    return val_acc


# --8<-- [end:train_plain]
