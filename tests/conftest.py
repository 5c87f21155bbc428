import os

os.environ.setdefault("MLP_NOTES_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def small():
    """A 6,000-image training subset of the real data (for training tests)."""
    from mlp_notes.training import fashion_mnist_split

    return fashion_mnist_split(subset=6000)
