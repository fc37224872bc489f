import json
import shutil

import pytest

from keras_mm.cli.main import main
from keras_mm.data import make_demo_dataset
from keras_mm.export import load_bundle

# Tests of this module share trained bundles: one worker runs them all.
pytestmark = pytest.mark.xdist_group("test_cli_output")


def cli(command, **paths):
    return main(command.format(**paths).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("data")
    return make_demo_dataset(directory, num_samples=48, seed=3)


TRAIN = "train --model seed000_concat --data {demo} --epochs 1 --out {out}"


@pytest.fixture(scope="module")
def trained(demo, tmp_path_factory):
    """A bundle from `TRAIN`; tests copy it instead of training again."""
    out = tmp_path_factory.mktemp("trained") / "bundle"
    assert cli(TRAIN, demo=demo, out=out) == 0
    return out


def snapshot(folder):
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size)
        for p in folder.rglob("*")
    )


def last_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("keras-mm: error: ")
    return err[-1]


@pytest.mark.parametrize("out", [".", "DATA", "DATA/manifest.csv"])
def test_out_never_replaces_user_files(out, demo, capsys, monkeypatch):
    data = demo.parent
    monkeypatch.chdir(data)
    before = snapshot(data)
    out = out.replace("DATA", str(data))
    assert cli(TRAIN, demo=demo, out=out) == 1
    error = last_error(capsys)
    assert "will not replace it" in error or "is a file" in error
    assert snapshot(data) == before


def test_export_out_follows_the_same_rules(trained, tmp_path, capsys):
    bundle = trained
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert cli("export --model-dir {b} --out {o}", b=bundle, o=mine) == 1
    assert "will not replace it" in last_error(capsys)
    assert (mine / "notes.txt").read_text() == "keep me"
    again = tmp_path / "again"
    assert cli("export --model-dir {b} --out {o}", b=bundle, o=again) == 0
    assert cli("export --model-dir {b} --out {o}", b=bundle, o=again) == 0
    load_bundle(again)


@pytest.mark.parametrize(
    "option, message",
    [
        ("--epochs 0", "--epochs must be at least 1. Received: 0"),
        ("--epochs -1", "--epochs must be at least 1"),
        ("--batch-size 0", "--batch-size must be at least 1"),
        ("--learning-rate nan", "--learning-rate must be a finite number"),
        ("--learning-rate -1", "--learning-rate must be a finite number"),
        ("--learning-rate inf", "--learning-rate must be a finite number"),
        ("--patience -2", "--patience must be 0 or more"),
        ("--seed -1", "--seed must be in [0, 2**32)"),
    ],
)
def test_bad_options_stop_before_any_work(
    option, message, demo, tmp_path, capsys
):
    out = tmp_path / "out"
    command = "train --model seed000_concat --data {demo} --out {out} "
    assert cli(command + option, demo=demo, out=out) == 1
    error = last_error(capsys)
    assert message in error
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("rate", ["1", "-0.1", "nan"])
def test_modality_dropout_must_be_a_rate(rate, demo, tmp_path, capsys):
    command = (
        "train --model multimodal_classifier --data {demo} --out {out} "
        f"--modality-dropout {rate}"
    )
    assert cli(command, demo=demo, out=tmp_path / "out") == 1
    assert "--modality-dropout must be in [0, 1)" in last_error(capsys)


def test_a_diverging_run_keeps_the_previous_bundle(
    trained, demo, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(trained, out)
    before = snapshot(out)
    command = TRAIN.replace("--epochs 1", "--epochs 3 --learning-rate 1e30")
    assert cli(command, demo=demo, out=out) == 1
    assert "Training diverged" in last_error(capsys)
    assert snapshot(out) == before
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) >= {"accuracy", "epochs"}
    # The next run cleans up after the failed one.
    assert cli(TRAIN, demo=demo, out=out) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_lost_swap_is_restored_by_the_next_run(
    trained, demo, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(trained, out)
    # As if killed between the swap's two renames: only `.out.old-*` holds
    # the previous bundle.
    old = tmp_path / ".out.old-xyz"
    out.rename(old)
    shutil.copytree(old, tmp_path / ".out.partial-xyz")
    assert cli(TRAIN, demo=demo, out=out) == 0
    err = capsys.readouterr().err
    assert "Restored the previous bundle" in err and "Removed" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # Loading the bundle (here by `evaluate`) restores it too.
    out.rename(old)
    evaluate = "evaluate --model-dir {out} --data {demo}"
    assert cli(evaluate, out=out, demo=demo) == 0
    assert "Restored the previous bundle" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
