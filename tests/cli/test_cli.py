import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from keras_mm.cli.main import main
from keras_mm.data import Manifest
from keras_mm.data import demo_manifest
from keras_mm.data import make_demo_dataset
from keras_mm.export import load_bundle
from keras_mm.workflow import default_epochs
from keras_mm.workflow import manifests
from tests.data.media import write_csv

# The tests that share the `trained` bundle run on one worker.
SHARED = pytest.mark.xdist_group("test_cli_trained")


def cli(command, **paths):
    """Run `keras-mm` on a command line with `{name}` path placeholders."""
    return main(command.format(**paths).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    return make_demo_dataset(directory, num_samples=96, seed=2)


@pytest.fixture(scope="module")
def trained(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "model"
    command = (
        "train --model multimodal_classifier --fusion gated "
        "--modality-dropout 0.3 --data {demo} --epochs 2 --batch-size 16 "
        "--out {out}"
    )
    assert cli(command, demo=demo, out=out) == 0
    return out


@SHARED
def test_train_writes_the_bundle(trained):
    names = {p.name for p in trained.iterdir()}
    assert names == {
        ".keras_mm_bundle",
        "model.keras",
        "saved_model",
        "preprocessing.json",
        "vocabulary.txt",
        "history.csv",
        "metrics.json",
    }
    metrics = json.loads((trained / "metrics.json").read_text())
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["epochs"] == 2
    config = json.loads((trained / "preprocessing.json").read_text())
    assert len(config["class_names"]) == 8
    assert set(config["inputs"]) == {"image", "audio", "text", "presence"}


@SHARED
def test_evaluate_prints_one_json_line(trained, demo, capsys):
    assert cli("evaluate --model-dir {m} --data {d}", m=trained, d=demo) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    metrics = json.loads(lines[0])
    assert set(metrics) >= {"accuracy", "loss"}


@SHARED
def test_predict_writes_one_csv_row_per_manifest_row(trained, demo, capsys):
    assert cli("predict --model-dir {m} --data {d}", m=trained, d=demo) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(Manifest.read(demo))
    assert [int(row["row"]) for row in rows] == list(range(1, len(rows) + 1))
    config = json.loads((trained / "preprocessing.json").read_text())
    for row in rows:
        assert row["label"] in config["class_names"]
        assert 0.0 < float(row["probability"]) <= 1.0


@SHARED
def test_export_writes_a_saved_model(trained, tmp_path, capsys):
    out = tmp_path / "exported"
    assert cli("export --model-dir {m} --out {out}", m=trained, out=out) == 0
    assert (out / "saved_model" / "saved_model.pb").is_file()
    assert (out / "model.keras").is_file()
    assert "saved_model_cli show" in capsys.readouterr().out


# The tests that share the `binary` bundle run on one worker.
BINARY = pytest.mark.xdist_group("test_cli_binary")


@pytest.fixture(scope="module")
def binary(demo, tmp_path_factory):
    """`(bundle, manifest)`: seed000_concat on circle-or-square labels."""
    directory = tmp_path_factory.mktemp("binary")
    rows = Manifest.read(demo).rows
    binary = [dict(row, label=row["label"].split("_")[0]) for row in rows]
    for row in binary:
        for column in ("image", "audio"):
            row[column] = str(demo.parent / row[column])
    manifest = write_csv(directory / "binary.csv", binary)
    out = directory / "binary"
    command = (
        "train --model seed000_concat --data {d} --val {d} "
        "--epochs 1 --out {out}"
    )
    assert cli(command, d=manifest, out=out) == 0
    return out, manifest


@BINARY
def test_binary_labels_get_a_sigmoid_head(binary, capsys):
    out, manifest = binary
    capsys.readouterr()
    assert cli("predict --model-dir {out} --data {d}", out=out, d=manifest) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["label"] for row in rows} <= {"circle", "square"}
    config = json.loads((out / "preprocessing.json").read_text())
    assert config["class_names"] == ["circle", "square"]


def test_train_on_the_embedded_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_MM_HOME", str(tmp_path / "home"))
    out = tmp_path / "demo_model"
    # The smallest classifier: the embedded data is what is tested here.
    command = "train --model seed000_concat --epochs 1 --out {out}"
    assert cli(command, out=out) == 0
    assert "Validation accuracy" in capsys.readouterr().out
    assert (
        len(
            Manifest.read(next((tmp_path / "home").glob("demo-*/manifest.csv")))
        )
        == 2400
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            "train --model nope --data {demo} --out {tmp}/x",
            "Unknown model 'nope'",
        ),
        (
            "train --model seed004_attention --data {tmp}/no.csv --out {tmp}/x",
            "Manifest not found",
        ),
        (
            "train --model seed004_attention --data demo:nope --out {tmp}/x",
            "Unknown demo data 'demo:nope'. Available: demo:factorial",
        ),
        ("evaluate --model-dir {tmp} --data {demo}", "has no model.keras"),
        (
            "train --model seed004_attention --data {textless} --out {tmp}/x",
            "no ['text'] column",
        ),
    ],
)
def test_errors_are_one_line(args, message, demo, tmp_path, capsys):
    rows = [dict(row, text="") for row in Manifest.read(demo).rows]
    for row in rows:
        del row["text"]
    textless = write_csv(demo.parent / "textless.csv", rows)
    assert cli(args, demo=demo, tmp=tmp_path, textless=textless) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("keras-mm: error: ")
    assert message in err[-1]
    assert not (tmp_path / "x").exists()


def test_console_entry_points():
    listing = subprocess.run(
        [sys.executable, "-m", "keras_mm", "list"],
        capture_output=True,
        text=True,
    )
    assert listing.returncode == 0
    assert "seed004_attention" in listing.stdout
    failing = subprocess.run(
        ["keras-mm", "predict", "--model-dir", "/nonexistent", "--data", "x"],
        capture_output=True,
        text=True,
    )
    assert failing.returncode == 1
    assert "Traceback" not in failing.stderr
    assert failing.stderr.strip().splitlines()[-1].startswith("keras-mm: error")


@pytest.mark.parametrize(
    "rows, expected", [(1921, 10), (480, 40), (100, 100), (20000, 10)]
)
def test_default_epochs_give_enough_steps(rows, expected):
    assert default_epochs(rows, 32) == expected


def test_fusion_needs_a_model_that_takes_one(demo, tmp_path, capsys):
    command = (
        "train --model seed004_attention --fusion gated --data {demo} "
        "--out {tmp}/x"
    )
    assert cli(command, demo=demo, tmp=tmp_path) == 1
    assert "does not take --fusion" in capsys.readouterr().err


def test_list_shows_models_fusions_and_demo_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in (
        "seed004_attention",
        "low_rank",
        "bilinear",
        "late_product",
        "demo:redundant",
        "demo:relation",
    ):
        assert name in out


def test_demo_datasets_are_read_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_MM_HOME", str(tmp_path))
    # 2400 rows by default; a small one is enough here.
    monkeypatch.setattr(
        manifests,
        "demo_manifest",
        lambda dataset: demo_manifest(12, dataset=dataset),
    )
    relation = manifests.read_manifest("demo:relation")
    assert relation.columns == {"image", "text", "label"}
    assert len(manifests.read_manifest("demo")) == 12
    assert {r["label"] for r in relation.rows} <= {"match", "mismatch"}


@SHARED
def test_named_fusion_modality_dropout_and_drop_modality(trained, demo, capsys):
    # `trained` is trained with --fusion gated --modality-dropout 0.3.
    model, _ = load_bundle(trained)
    assert model.get_layer("fusion").__class__.__name__ == "GatedFusion"
    evaluate = "evaluate --model-dir {m} --data {demo} --drop-modality image"
    assert cli(evaluate, m=trained, demo=demo) == 0
    without_image = json.loads(capsys.readouterr().out)
    assert 0.0 <= without_image["accuracy"] <= 1.0
    predict = (
        "predict --model-dir {m} --data {demo} "
        "--drop-modality audio --drop-modality text"
    )
    assert cli(predict, m=trained, demo=demo) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(Manifest.read(demo))


@BINARY
def test_drop_modality_needs_a_presence_input(binary, capsys):
    out, manifest = binary
    evaluate = "evaluate --model-dir {out} --data {d} --drop-modality image"
    assert cli(evaluate, out=out, d=manifest) == 1
    assert "no 'presence' input" in capsys.readouterr().err


@SHARED
def test_staged_training_starts_from_frozen_encoders(
    trained, demo, tmp_path, capsys
):
    out = tmp_path / "staged"
    # The same fusion as the first stage, whose weights would fit: only
    # the encoders are copied.
    command = (
        "train --model multimodal_classifier --fusion gated --data {d} "
        "--epochs 1 --init-from {m} --freeze --out {out}"
    )
    assert cli(command, d=demo, m=trained, out=out) == 0
    log = capsys.readouterr().err
    copied = log.split(f"Starting from {trained}: ")[1].splitlines()[0]
    assert copied.startswith("image_encoder, audio_encoder, text_encoder")
    assert copied.endswith("(frozen)") and "fusion" not in copied
    first, staged = load_bundle(trained)[0], load_bundle(out)[0]
    for name in ("image_encoder", "audio_encoder", "text_encoder"):
        for a, b in zip(
            first.get_layer(name).weights, staged.get_layer(name).weights
        ):
            np.testing.assert_array_equal(np.array(a), np.array(b))


@SHARED
@pytest.mark.parametrize(
    "command, message",
    [
        (
            "train --model multimodal_classifier --data {d} --freeze "
            "--out {tmp}/x",
            "--freeze needs --init-from",
        ),
        (
            "train --model dual_encoder --data {d} --init-from {m} "
            "--out {tmp}/x",
            "--init-from and --freeze work with classifiers",
        ),
        (
            "train --model seed000_concat --data {d} --init-from {m} "
            "--out {tmp}/x",
            "no encoder of that model matches",
        ),
    ],
)
def test_staged_training_errors(
    command, message, trained, demo, tmp_path, capsys
):
    assert cli(command, d=demo, m=trained, tmp=tmp_path) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("keras-mm: error: ") and message in err[-1]
    assert not (tmp_path / "x").exists()
