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


def test_help_shows_defaults_and_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    out = capsys.readouterr().out
    for default in ("(default: 0.1)", "(default: 256)", "(default: scratch)"):
        assert default in out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("mlp-notes ")


def test_save_json_threads_and_a_line_per_epoch(tmp_path, capsys):
    import json

    import torch

    threads = torch.get_num_threads()
    argv = ["train", "--epochs", "2", "--threads", "1", "--seed", "1"]
    argv += ["--save", str(tmp_path / "w.pt"), "--json", str(tmp_path / "h")]
    try:
        assert cli.main(argv) == 0
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert sum(line.startswith("epoch ") for line in lines) == 2
    history = json.loads((tmp_path / "h").read_text())
    assert len(history["val_acc"]) == 2 and history["argv"]["seed"] == 1
    state = torch.load(tmp_path / "w.pt")
    assert {"W1", "b1", "W2", "b2"} <= set(state)


def test_chance_and_divergence_are_reported(capsys):
    # lr 30 makes D2L's MLP predict one class (chance); lr 1e10 diverges
    assert (
        cli.main(["train", "--epochs", "1", "--no-progress", "--lr", "30"])
        == 0
    )
    assert "chance level" in capsys.readouterr().out
    assert (
        cli.main(["train", "--epochs", "1", "--no-progress", "--lr", "1e10"])
        == 1
    )
    assert "diverged" in capsys.readouterr().out


@pytest.mark.parametrize("step", ["backprop", "autograd"])
def test_progress_moves_within_an_epoch(step, capsys):
    """The minibatch bar ticks once per step (50,000 images / 1,000 a
    batch = 50) whichever step trains, and a line per epoch is printed."""
    argv = ["train", "--epochs", "1", "--batch-size", "1000", "--step", step]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "minibatches" in out and "50/50" in out, out[-2000:]
    assert "epoch 1: loss" in out
