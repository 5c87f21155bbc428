import pytest

from mlp_notes import cli
from mlp_notes.data import fashion_mnist as data
from mlp_notes.data import split


@pytest.fixture
def no_data(monkeypatch):
    """Fail the test if the CLI touches the data before validating."""

    def boom(*a, **k):
        raise AssertionError("data loaded before the arguments were checked")

    monkeypatch.setattr(data, "load_fashion_mnist", boom)
    monkeypatch.setattr(split, "load_fashion_mnist", boom)


@pytest.mark.parametrize(
    "argv, option",
    [
        (["--lr", "-1"], "--lr"),
        (["--lr", "0"], "--lr"),
        (["--lr", "abc"], "--lr"),
        (["--epochs", "0"], "--epochs"),
        (["--batch-size", "0"], "--batch-size"),
        (["--dropout", "1.0"], "--dropout"),
        (["--hiddens", "256,x"], "--hiddens"),
        (["--activation", "relux"], "--activation"),
        (["--device", "tpu"], "--device"),
        (["--dropout", "0.5"], "--model concise"),
        (["--step", "fused"], "--step"),
        (
            [
                "--model",
                "concise",
                "--activation",
                "tanh",
                "--step",
                "backprop",
            ],
            "--step",
        ),  # fmt: skip
        (["--device", "cpu", "--step", "graph"], "needs CUDA"),
    ],
)
def test_bad_values_give_one_usage_error(argv, option, no_data, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: mlp-notes train")
    assert option in err.splitlines()[-1]
    assert "Traceback" not in err


def test_train_runs_and_reports(capsys):
    assert cli.main(["train", "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "val acc" in out and "test acc" in out
    argv = ["train", "--epochs", "1", "--no-progress", "--step", "autograd"]
    assert cli.main(argv) == 0
    assert "autograd step" in capsys.readouterr().out


def test_missing_data_is_one_message(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    split.fashion_mnist_split.cache_clear()
    data._load.cache_clear()
    try:
        code = cli.main(["train", "--epochs", "1", "--no-progress"])
    finally:
        split.fashion_mnist_split.cache_clear()
        data._load.cache_clear()
    assert code == 1
    assert "dataset-fashion-mnist" in capsys.readouterr().err
