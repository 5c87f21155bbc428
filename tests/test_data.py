"""Where Fashion-MNIST is found, how it is verified, and how failures read."""

import gzip
import os
import time
from pathlib import Path

import pytest
import torch

from mlp_notes.data import (
    MD5,
    CorruptDataError,
    DataNotFoundError,
    load_fashion_mnist,
)
from mlp_notes.data import fashion_mnist as data


def _source():
    """The real files (Debian's package or the download cache).

    The suite needs the real data: scripts/setup.sh installs it.  Without
    it these tests fail with the loader's own message, never skip.
    """
    return data._locate(None, download=True)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    data._load.cache_clear()
    given = os.environ.get(data.ENV_VAR)
    if given and not data.DEBIAN_DIR.exists():
        # a machine without Debian's package (a GPU box): the directory
        # given by the variable stands in for the package's
        monkeypatch.setattr(data, "DEBIAN_DIR", Path(given))
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    yield
    data._load.cache_clear()


def _copy_set(dest, *, gz=True, raw_layout=False):
    folder = dest / "FashionMNIST" / "raw" if raw_layout else dest
    folder.mkdir(parents=True, exist_ok=True)
    for name in MD5:
        src = data.find_file(_source(), name)
        body = data._decompressed_bytes(src)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(body, 1))
        else:
            (folder / name).write_bytes(body)
    return folder


def _idx(images: int) -> bytes:
    """A tiny but well-formed IDX image file (wrong content on purpose)."""
    header = bytes([0, 0, 8, 3]) + b"".join(
        n.to_bytes(4, "big") for n in (images, 28, 28)
    )
    return header + bytes(images * 28 * 28)


def test_real_data_shapes_dtypes_ranges():
    X_train, y_train, X_test, y_test = load_fashion_mnist()
    assert X_train.shape == (60_000, 1, 28, 28)
    assert X_test.shape == (10_000, 1, 28, 28)
    assert X_train.dtype == X_test.dtype == torch.float32
    assert y_train.dtype == y_test.dtype == torch.int64
    assert 0 <= X_train.min() and X_train.max() <= 1
    assert X_train.max() == 1  # really scaled by 255, not by something else
    assert torch.equal(torch.bincount(y_train), torch.full((10,), 6000))
    assert torch.equal(torch.bincount(y_test), torch.full((10,), 1000))


def test_once_per_process_and_fast():
    t0 = time.perf_counter()
    first = load_fashion_mnist()
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert load_fashion_mnist() is first
    assert time.perf_counter() - t0 < 0.01
    assert cold < 10  # generous: a loaded CI machine; measured ~0.6 s


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("raw_layout", [False, True])
def test_explicit_root_layouts(tmp_path, gz, raw_layout):
    _copy_set(tmp_path, gz=gz, raw_layout=raw_layout)
    ds = load_fashion_mnist(tmp_path, download=False)
    assert ds.source == str(tmp_path)
    reference = load_fashion_mnist()
    assert torch.equal(ds.X_test, reference.X_test)


def test_environment_variable_and_precedence(tmp_path, monkeypatch):
    env_dir, root_dir = tmp_path / "env", tmp_path / "root"
    _copy_set(env_dir)
    _copy_set(root_dir, gz=False)
    monkeypatch.setenv(data.ENV_VAR, str(env_dir))
    assert load_fashion_mnist().source == str(env_dir)
    assert load_fashion_mnist(root_dir).source == str(root_dir)


def test_given_directory_is_the_only_place_read(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(DataNotFoundError) as err:
        load_fashion_mnist(download=False)
    assert str(tmp_path) in str(err.value)


def test_missing_data_message_says_what_to_do(tmp_path):
    with pytest.raises(DataNotFoundError) as err:
        load_fashion_mnist(tmp_path, download=False)
    message = str(err.value)
    assert "dataset-fashion-mnist" in message
    assert data.ENV_VAR in message
    assert "download" in message
    # one error, not a chain of them
    assert err.value.__cause__ is None
    assert err.value.__context__ is None or err.value.__suppress_context__


def test_download_goes_into_the_given_root(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(data, "_download", calls.append)
    with pytest.raises(DataNotFoundError, match="download failed"):
        load_fashion_mnist(tmp_path, download=True)
    assert calls == [tmp_path.resolve()]


def test_download_result_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(
        data, "_download", lambda d: _copy_set(d, raw_layout=True)
    )
    ds = load_fashion_mnist(tmp_path / "new", download=True)
    assert ds.X_train.shape[0] == 60_000


def test_small_wrong_file_names_file_and_expected_hash(tmp_path):
    for name in MD5:
        body = _idx(2) if "images" in name else bytes(8) + bytes(2)
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(body))
    with pytest.raises(CorruptDataError) as err:
        load_fashion_mnist(tmp_path, download=False)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert MD5["train-images-idx3-ubyte"] in message


def test_one_flipped_byte_is_caught(tmp_path):
    folder = _copy_set(tmp_path, gz=False)
    target = folder / "t10k-labels-idx1-ubyte"
    raw = bytearray(target.read_bytes())
    raw[-1] ^= 1
    target.write_bytes(bytes(raw))
    with pytest.raises(CorruptDataError, match=MD5["t10k-labels-idx1-ubyte"]):
        load_fashion_mnist(tmp_path, download=False)


def test_truncated_gzip_is_caught(tmp_path):
    folder = _copy_set(tmp_path)
    target = folder / "train-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:1000])
    with pytest.raises(CorruptDataError) as err:
        load_fashion_mnist(tmp_path, download=False)
    assert "train-labels-idx1-ubyte.gz" in str(err.value)
    assert MD5["train-labels-idx1-ubyte"] in str(err.value)
