import json
import shutil

import numpy as np
import pytest

from keras_mm.cli.main import main
from keras_mm.data import make_demo_dataset
from keras_mm.export import load_bundle
from keras_mm.workflow import train_bundle

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
        ("--cache-mb -5", "--cache-mb must be a finite number, 0 (cache"),
        ("--cache-mb nan", "--cache-mb must be a finite number"),
        ("--cache-mb inf", "--cache-mb must be a finite number"),
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


def test_a_bundle_holding_a_users_files_is_not_replaced(
    trained, demo, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(trained, out)
    (out / "predictions.csv").write_text("row,label\n")
    (out / "notes.md").write_text("mine")
    before = snapshot(out)
    assert cli(TRAIN, demo=demo, out=out) == 1
    error = last_error(capsys)
    assert "did not write (notes.md, predictions.csv)" in error
    assert snapshot(out) == before
    assert cli("export --model-dir {b} --out {o}", b=trained, o=out) == 1
    assert snapshot(out) == before


def test_a_users_folder_with_bundle_file_names_is_not_replaced(
    demo, tmp_path, capsys
):
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("model.keras", "preprocessing.json", "history.csv"):
        (mine / name).write_text("my own")
    before = snapshot(mine)
    assert cli(TRAIN, demo=demo, out=mine) == 1
    assert "will not replace it" in last_error(capsys)
    assert snapshot(mine) == before


def test_export_to_its_own_bundle_is_refused(trained, tmp_path, capsys):
    bundle = tmp_path / "bundle"
    shutil.copytree(trained, bundle)
    before = snapshot(bundle)
    for out in (bundle, f"{bundle}/../bundle"):
        command = "export --model-dir {b} --out {o}"
        assert cli(command, b=bundle, o=out) == 1
        assert "is the bundle --model-dir reads" in last_error(capsys)
    assert snapshot(bundle) == before


def test_readers_create_no_folders(trained, demo, tmp_path, capsys):
    for command in ("evaluate", "predict"):
        missing = tmp_path / "a" / "b" / "c"
        line = command + " --model-dir {m} --data {demo}"
        assert cli(line, m=missing, demo=demo) == 1
        assert "not found" in last_error(capsys)
        assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("classes", "names 6 classes, but the model has 8 outputs"),
        ("vocabulary", "its vocabulary gives"),
    ],
)
def test_a_bundle_whose_files_disagree_is_refused_at_load(
    tamper, message, trained, demo, tmp_path, capsys
):
    bundle = tmp_path / "bundle"
    shutil.copytree(trained, bundle)
    if tamper == "classes":
        # The 8 classes of the demo become 6: argmax 6 or 7 would fail.
        config = json.loads((bundle / "preprocessing.json").read_text())
        assert len(config["class_names"]) == 8
        config["class_names"] = config["class_names"][:6]
        (bundle / "preprocessing.json").write_text(json.dumps(config))
    else:
        with open(bundle / "vocabulary.txt", "a") as f:
            f.write("extra\nwords\n")
    line = "predict --model-dir {b} --data {demo}"
    assert cli(line, b=bundle, demo=demo) == 1
    assert message in last_error(capsys)


def test_an_exploding_loss_is_a_diverged_run(demo, tmp_path, capsys):
    # At 1e6 the loss stays finite (about 1e22) but the model is garbage.
    out = tmp_path / "out"
    command = TRAIN.replace("--epochs 1", "--epochs 2 --learning-rate 1e6")
    assert cli(command, demo=demo, out=out) == 1
    error = last_error(capsys)
    assert "Training diverged: the loss reached" in error
    assert "more than 10000 times its start" in error
    assert not out.exists()


def test_an_all_empty_text_column_is_left_out(demo, tmp_path, capsys):
    rows = demo.read_text().splitlines()
    header = rows[0].split(",")
    text = header.index("text")
    blank = []
    for row in rows[1:]:
        cells = row.split(",")
        cells[text] = ""
        blank.append(",".join(cells))
    manifest = demo.parent / "blank_text.csv"
    manifest.write_text("\n".join([rows[0], *blank]) + "\n")
    out = tmp_path / "out"
    command = (
        "train --model multimodal_classifier --data {m} --epochs 1 --out {out}"
    )
    assert cli(command, m=manifest, out=out) == 0
    assert 'the "text" column is empty in every row' in capsys.readouterr().err
    model, _ = load_bundle(out)
    assert sorted(model.input) == ["audio", "image", "presence"]
    # A model that needs text says so in one line.
    seed = command.replace("multimodal_classifier", "seed000_concat")
    assert cli(seed, m=manifest, out=tmp_path / "seed") == 1
    assert "(or only empty cells in it)" in last_error(capsys)
    # A run that fails before its first epoch leaves no run folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_python_call_trains_the_weights_the_cli_trains(
    trained, demo, tmp_path
):
    result = train_bundle("seed000_concat", tmp_path / "py", demo, epochs=1)
    assert result.out == tmp_path / "py"
    cli_metrics = json.loads((trained / "metrics.json").read_text())
    assert result.metrics["epochs"] == cli_metrics["epochs"] == 1
    assert "Validation accuracy" in result.summary
    from_cli, _ = load_bundle(trained)
    from_python, _ = load_bundle(result.out)
    for a, b in zip(from_cli.get_weights(), from_python.get_weights()):
        np.testing.assert_array_equal(a, b)
