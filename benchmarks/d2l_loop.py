"""D2L's training loop for the benchmark, reconstructed from d2l/torch.py
v0.17.6 (``load_data_fashion_mnist``, ``train_epoch_ch3``,
``evaluate_accuracy``): torchvision's FashionMNIST with ``ToTensor`` per
image and a DataLoader with worker processes."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import torch
import torchvision
from torch.utils import data as tud
from torchvision import transforms

from mlp_notes import data as mdata
from mlp_notes.data.fashion_mnist import find_file


class Shuffle(tud.Sampler):
    """``shuffle=True``'s sampler, one ``randperm`` per epoch exactly as
    ``Minibatches`` draws it (RandomSampler draws a spare one per epoch)."""

    def __init__(self, n: int, generator: torch.Generator | None) -> None:
        self.n, self.generator = n, generator

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(torch.randperm(self.n, generator=self.generator).tolist())


def d2l_iters(
    root: str,
    batch_size: int = 256,
    workers: int = 4,
    shuffle_generator: torch.Generator | None = None,
):
    """D2L's ``load_data_fashion_mnist``; ``shuffle_generator`` seeds the
    sampler (``shuffle=True`` with a generator of our choosing), so both
    loops can see the same minibatches in the same order."""
    trans = transforms.Compose([transforms.ToTensor()])
    train = torchvision.datasets.FashionMNIST(
        root=root, train=True, transform=trans, download=True
    )
    test = torchvision.datasets.FashionMNIST(
        root=root, train=False, transform=trans, download=True
    )
    sampler = Shuffle(len(train), shuffle_generator)
    return (
        tud.DataLoader(
            train, batch_size, sampler=sampler, num_workers=workers
        ),
        tud.DataLoader(test, batch_size, shuffle=False, num_workers=workers),
    )


def d2l_train_epoch(net, train_iter, loss, updater, device) -> None:
    net.train()
    metric = [0.0, 0.0, 0.0]
    for X, y in train_iter:
        X, y = X.to(device), y.to(device)
        y_hat = net(X)
        ls = loss(y_hat, y)
        updater.zero_grad()
        ls.mean().backward()
        updater.step()
        metric[0] += float(ls.sum())
        metric[1] += float((y_hat.argmax(axis=1) == y).sum())
        metric[2] += y.numel()


def d2l_evaluate(net, data_iter, device) -> float:
    net.eval()
    right = total = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            right += float((net(X).argmax(axis=1) == y).sum())
            total += y.numel()
    return right / total


def raw_root() -> str:
    """A torchvision root with the verified files decompressed."""
    root = Path(tempfile.mkdtemp(prefix="fmnist-"))
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    source = mdata.load_fashion_mnist().source
    for name in mdata.MD5:
        path = find_file(Path(source), name)
        body = path.read_bytes()
        (raw / name).write_bytes(
            gzip.decompress(body) if path.suffix == ".gz" else body
        )
    return str(root)
