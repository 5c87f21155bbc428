"""The data of the chapter, as in-memory tensors.

* :mod:`~mlp_notes.data.fashion_mnist`: Fashion-MNIST found offline first,
  verified by hash, decoded once per process.
* :mod:`~mlp_notes.data.split`: train / validation / test splits on a
  device (choices are made on validation; the test set is only reported).
* :mod:`~mlp_notes.data.synthetic`: D2L's cubic and linear data (§4.4,
  §4.5).
"""

from mlp_notes.data.fashion_mnist import (
    CHECKSUM,
    DEBIAN_DIR,
    ENV_VAR,
    LABELS,
    MD5,
    CorruptDataError,
    DataError,
    DataNotFoundError,
    FashionMNIST,
    load_fashion_mnist,
)
from mlp_notes.data.split import Split, fashion_mnist_split
from mlp_notes.data.synthetic import (
    POLY_TRUE_W,
    polynomial_data,
    synthetic_data,
)

__all__ = [
    "CHECKSUM",
    "DEBIAN_DIR",
    "ENV_VAR",
    "LABELS",
    "MD5",
    "POLY_TRUE_W",
    "CorruptDataError",
    "DataError",
    "DataNotFoundError",
    "FashionMNIST",
    "Split",
    "fashion_mnist_split",
    "load_fashion_mnist",
    "polynomial_data",
    "synthetic_data",
]
