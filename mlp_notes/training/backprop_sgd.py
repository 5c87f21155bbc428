"""The hand-derived training step: §4.7's backward pass, fused into SGD.

``fit``'s step on the CPU for ReLU MLPs under plain SGD (see
``steps.choose``), where a step of the chapter's model is two large
matrix products and a dozen small operations that autograd and the
optimizer would each add overhead to.  The tests check it against the
autograd step (same minibatches, same weights up to rounding).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mlp_notes.training.batches import Minibatches


# --8<-- [start:backprop_sgd]
class BackpropSGD:
    """An SGD epoch of a ReLU MLP, by §4.7's backward equations.

    With O the logits, P = softmax(O) and T the (smoothed) one-hot
    targets, the mean cross-entropy of a minibatch of n rows has
    dL/dO = (P - T) / n.  Going down the layers, A_l = relu(A_{l-1} W_l^T
    + b_l):  dL/dW_l = G_l^T A_{l-1},  dL/db_l = the column sums of G_l,
    and G_{l-1} = (G_l W_l) * relu'(...), taken before W_l changes.  SGD's
    update W_l -= lr dL/dW_l is then one ``addmm_``: the gradient product
    is accumulated straight into the weights, never stored.

    It computes what autograd and ``torch.optim.SGD`` compute, in another
    order of floating-point operations.  Once the weights overflow, the
    two can record divergence (a non-finite loss) an epoch apart.
    """

    name = "backprop"

    def __init__(self, layers, X, y, *, lr: float, label_smoothing=0.0):
        self.layers, self.lr, self.ls = layers, lr, label_smoothing
        self.X, self.y = X.reshape(len(X), -1), y  # (n, num_inputs), (n,)

    # --8<-- [end:backprop_sgd]
    # --8<-- [start:backprop_sgd_epoch]
    @torch.no_grad()
    def epoch(self, batches: Minibatches) -> tuple[float, int]:
        """One pass; returns the summed loss and the correct predictions."""
        X, q = self.X, self.layers[-1][0].shape[0]
        y_perm = self.y[batches.perm]
        T = F.one_hot(y_perm, q).to(X.dtype) * (1 - self.ls) + self.ls / q
        X_buf = X.new_empty((min(batches.batch_size, len(X)), X.shape[1]))
        predicted = torch.empty_like(y_perm)
        loss_sum = torch.zeros((), dtype=X.dtype, device=X.device)
        for rows, idx in batches.spans():
            A = [torch.index_select(X, 0, idx, out=X_buf[: len(idx)])]
            for W, b in self.layers[:-1]:
                A.append(torch.addmm(b, A[-1], W.T).relu_())  # (n, h)
            W, b = self.layers[-1]
            logits = torch.addmm(b, A[-1], W.T)  # (batch_size, q)
            torch.argmax(logits, 1, out=predicted[rows])
            G = torch.log_softmax(logits, 1)
            loss_sum.sub_(torch.vdot(G.view(-1), T[rows].reshape(-1)))
            G.exp_().sub_(T[rows])  # n dL/dO = P - T; 1/n goes into alpha
            alpha = -self.lr / len(idx)
            for k in range(len(self.layers) - 1, -1, -1):
                W, b = self.layers[k]
                if k:  # G_{k-1} needs W_k before its update
                    dA = G @ W  # (batch_size, fan_in)
                W.addmm_(G.T, A[k], alpha=alpha)  # W -= lr G^T A / n
                b.add_(G.sum(0), alpha=alpha)
                if k:  # times relu' (A > 0): relu's own backward kernel
                    G = torch.ops.aten.threshold_backward(dA, A[k], 0)
        return loss_sum.item(), int((predicted == y_perm).sum())


# --8<-- [end:backprop_sgd_epoch]
