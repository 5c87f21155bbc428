import os

os.environ.setdefault("MLP_NOTES_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

# Imported here, as the test modules import it, before any test (a page
# build drops mlp_notes from sys.modules): one Split class for all.
from mlp_notes.data import fashion_mnist_split  # noqa: E402


@pytest.fixture(scope="module")
def small():
    """A 6,000-image training subset of the real data (for training tests)."""
    return fashion_mnist_split(subset=6000)


@pytest.fixture(params=[torch.float32, torch.float64], ids=str)
def default_dtype(request):
    """Every verdict must be the same under either default dtype."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(request.param)
    yield request.param
    torch.set_default_dtype(before)
