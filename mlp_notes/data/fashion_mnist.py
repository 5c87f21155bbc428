"""Fashion-MNIST as in-memory tensors, found offline first, verified by hash.

Where the data comes from, in order:

1. ``root`` passed to :func:`load_fashion_mnist`, else the ``MLP_NOTES_DATA``
   environment variable: a directory holding the four upstream files,
   gzipped or not, flat (as in Debian's package) or in torchvision's
   ``FashionMNIST/raw/`` layout.  When given, it is the only place read;
   with ``download=True`` a missing set is downloaded into it.
2. Debian's ``dataset-fashion-mnist`` package
   (``/usr/share/datasets/fashion-mnist/``), the offline path.
3. A torchvision download into the user cache directory.

Every file is checked against the MD5 of its *decompressed* bytes (Debian
recompressed the archives, so the ``.gz`` hashes differ from upstream's,
but the contents are identical).  Decompressing, hashing and decoding all
four files takes about half a second; the tensors are then kept for the
rest of the process.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mlp_notes import settings

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
ENV_VAR = "MLP_NOTES_DATA"

#: MD5 of each decompressed upstream file (identical in Debian's package).
MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

#: Class names in label order (D2L's ``get_fashion_mnist_labels``).
LABELS = (
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)

#: One checksum for the whole data set: what cached runs are keyed on.
CHECKSUM = hashlib.md5("".join(MD5.values()).encode()).hexdigest()


class DataError(RuntimeError):
    """The Fashion-MNIST files are missing or do not verify."""


class DataNotFoundError(DataError, FileNotFoundError):
    """No complete set of the four Fashion-MNIST files was found."""


class CorruptDataError(DataError):
    """A Fashion-MNIST file is truncated or its contents are wrong."""


@dataclass(frozen=True)
class FashionMNIST:
    """The data as tensors; unpacks as ``X_train, y_train, X_test, y_test``.

    Attributes:
        X_train: float32 images in [0, 1], shape (60000, 1, 28, 28).
        y_train: int64 labels, shape (60000,).
        X_test: float32 images in [0, 1], shape (10000, 1, 28, 28).
        y_test: int64 labels, shape (10000,).
        source: the directory the files were read from.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    source: str

    def __iter__(self):
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))


def load_fashion_mnist(
    root: str | os.PathLike | None = None, *, download: bool = True
) -> FashionMNIST:
    """Load Fashion-MNIST as in-memory tensors (cached once per process).

    Args:
        root: directory with the four upstream files (flat or in
            ``FashionMNIST/raw/``, gzipped or not).  Defaults to
            ``$MLP_NOTES_DATA``, then Debian's package, then a download.
        download: allow a torchvision download when no local copy exists.

    Returns:
        A :class:`FashionMNIST`; ``X_train, y_train, X_test, y_test =
        load_fashion_mnist()`` unpacks it.

    Raises:
        DataNotFoundError: no complete set was found (or could be fetched).
        CorruptDataError: a file is truncated or fails its MD5 check.
    """
    if root is None and os.environ.get(ENV_VAR):
        root = os.environ[ENV_VAR]
    root = None if root is None else str(Path(root).expanduser().resolve())
    return _load(root, download)


@functools.lru_cache(maxsize=4)
def _load(root: str | None, download: bool) -> FashionMNIST:
    directory = _locate(root, download)
    raw = _verified_arrays(directory)
    X_train, y_train, X_test, y_test = (torch.from_numpy(a) for a in raw)
    return FashionMNIST(
        X_train=_to_float(X_train),
        y_train=y_train.long(),
        X_test=_to_float(X_test),
        y_test=y_test.long(),
        source=str(directory),
    )


def _to_float(images: torch.Tensor) -> torch.Tensor:
    # (N, 28, 28) uint8 -> (N, 1, 28, 28) float32 in [0, 1]
    return images.unsqueeze(1).float().div_(255)


def find_file(directory: Path, name: str) -> Path | None:
    """The file ``name`` (gzipped or not) in ``directory``, flat or in
    torchvision's ``FashionMNIST/raw`` layout; None if absent."""
    for folder in (directory, directory / "FashionMNIST" / "raw"):
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _complete(directory: Path) -> bool:
    return all(find_file(directory, name) for name in MD5)


def _locate(root: str | None, download: bool) -> Path:
    if root is not None:
        directory = Path(root)
        if not _complete(directory) and download:
            _download(directory)
        if _complete(directory):
            return directory
        raise DataNotFoundError(_missing_message([directory], download))
    if _complete(DEBIAN_DIR):
        return DEBIAN_DIR
    cache = settings.cache_root() / "fashion-mnist"
    if not _complete(cache) and download:
        _download(cache)
    if _complete(cache):
        return cache
    raise DataNotFoundError(_missing_message([DEBIAN_DIR, cache], download))


def _missing_message(searched: list[Path], download: bool) -> str:
    places = ", ".join(str(p) for p in searched)
    tried = "the download failed" if download else "download=False"
    return (
        f"Fashion-MNIST not found (looked in {places}; {tried}). "
        "Either install Debian's package (`sudo apt-get install "
        "dataset-fashion-mnist`), or set the environment variable "
        f"{ENV_VAR} to a directory holding the four upstream files "
        "(train-images-idx3-ubyte[.gz], ...), or run with network access "
        "so that load_fashion_mnist(download=True) can fetch them."
    )


def _download(directory: Path) -> None:
    """Fetch the four files with torchvision into ``directory``."""
    from torchvision.datasets import FashionMNIST as TorchvisionFashionMNIST

    directory.mkdir(parents=True, exist_ok=True)
    try:
        for train in (True, False):
            TorchvisionFashionMNIST(str(directory), train=train, download=True)
    except Exception:  # network errors come in many types; report one
        return


def _decompressed_bytes(path: Path) -> bytes:
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        return gzip.decompress(path.read_bytes())
    except (EOFError, OSError, zlib.error) as err:
        raise CorruptDataError(
            f"{path} is truncated or not a gzip file ({err}). Its "
            f"decompressed contents should have MD5 {MD5[_stem(path)]}; "
            "delete it and install or download the data again."
        ) from None


def _stem(path: Path) -> str:
    return path.name.removesuffix(".gz")


def _parse_idx(data: bytes) -> np.ndarray:
    """Decode an IDX file: big-endian dims after a 4-byte magic number."""
    ndim = data[3]
    dims = np.frombuffer(data, dtype=">i4", count=ndim, offset=4)
    flat = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return flat.reshape(tuple(int(d) for d in dims)).copy()  # writable


def _verified_arrays(directory: Path) -> list[np.ndarray]:
    arrays = []
    for name, expected in MD5.items():
        path = find_file(directory, name)
        data = _decompressed_bytes(path)
        actual = hashlib.md5(data).hexdigest()
        if actual != expected:
            raise CorruptDataError(
                f"{path} is corrupt: its decompressed contents have MD5 "
                f"{actual}, expected {expected}. Delete it and install or "
                "download the data again."
            )
        arrays.append(_parse_idx(data))
    return arrays
