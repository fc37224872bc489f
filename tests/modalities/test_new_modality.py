"""A modality added from outside: one class, one registry line.

`series` reads a short numeric series from a manifest column (numbers
separated by spaces), sizes its length to the training rows and
encodes it with a Conv1D. Registering it is all that
`multimodal_classifier`, `keras-mm train`, `evaluate`, `predict`,
`export` and the SavedModel need.
"""

import csv
import io
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_mm import modalities
from keras_mm.data import Manifest
from keras_mm.export import load_bundle
from keras_mm.modalities.modality import Modality
from keras_mm.modalities.modality import Reader
from keras_mm.tasks import get_task
from tests.cli.test_cli import cli
from tests.data.media import add_size_column
from tests.data.media import write_csv


class SeriesReader(Reader):
    def decode(self, cell, media=None):
        numbers = tf.strings.to_number(tf.strings.split(cell))
        numbers = numbers[: self.shape[0]]
        return tf.pad(numbers, [[0, self.shape[0] - tf.size(numbers)]])


class SeriesModality(Modality):
    name = "series"
    reader_class = SeriesReader

    def size(self, manifest, config, options):
        cells = manifest.column("series", allow_empty=True)
        length = max(len(cell.split()) for cell in cells)
        modality_config = dict(config.get("modality_config") or {})
        modality_config["series"] = {"length": length}
        return {"modality_config": modality_config}, {}

    def encoder(self, config, sequence):
        length = config["modality_config"]["series"]["length"]
        series = keras.Input((length,), name="series")
        x = keras.layers.Reshape((length, 1))(series)
        x = keras.layers.Conv1D(16, 3, padding="same", activation="relu")(x)
        if not sequence:
            x = keras.layers.Flatten()(x)
            x = keras.layers.Dense(config["hidden_dim"], activation="relu")(x)
        return keras.Model(series, x, name="series_encoder")


@pytest.fixture
def registered(monkeypatch):
    """The new modality, registered for one test."""
    monkeypatch.setattr(modalities, "_REGISTERED", dict(modalities._REGISTERED))
    modalities.register_modality(SeriesModality())


def series_manifest(path, rows, seed):
    """A peak in the first or last third of a noisy series of 8 to 12
    numbers; text too.

    The label says where the peak is; the texts are the same words for
    every label, so only the series tells.
    """
    rng = np.random.default_rng(seed)
    records = []
    for _ in range(rows):
        length = int(rng.integers(8, 13))
        series = rng.normal(0, 0.3, length)
        late = bool(rng.integers(2))
        third = length // 3
        peak = length - 1 - rng.integers(third) if late else rng.integers(third)
        series[peak] += 3
        records.append(
            {
                "series": " ".join(f"{v:.3f}" for v in series),
                "text": " ".join(rng.choice(["one", "two", "three"], 3)),
                "label": "late" if late else "early",
            }
        )
    write_csv(path, records)
    return path


def test_a_new_modality_trains_evaluates_predicts_and_exports(
    registered, tmp_path, capsys
):
    train = series_manifest(tmp_path / "train.csv", 320, seed=0)
    test = series_manifest(tmp_path / "test.csv", 64, seed=1)
    out = tmp_path / "model"
    command = (
        "train --model multimodal_classifier --data {d} --epochs 15 --out {o}"
    )
    assert cli(command, d=train, o=out) == 0
    capsys.readouterr()
    config = json.loads((out / "preprocessing.json").read_text())
    assert config["inputs"] == {"series": [12], "text": [4], "presence": [2]}
    assert config["modality_config"] == {"series": {"length": 12}}

    assert cli("evaluate --model-dir {m} --data {d}", m=out, d=test) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["accuracy"] >= 0.9  # Chance: 0.5; the text says nothing.

    assert cli("predict --model-dir {m} --data {d}", m=out, d=test) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    truth = [row["label"] for row in csv.DictReader(open(test))]
    hits = np.mean([r["label"] == t for r, t in zip(rows, truth)])
    assert hits == pytest.approx(metrics["accuracy"], abs=1e-6)

    exported = tmp_path / "exported"
    assert cli("export --model-dir {m} --out {o}", m=out, o=exported) == 0
    model, pre = load_bundle(exported)
    assert pre.modality_config == {"series": {"length": 12}}
    serving = tf.saved_model.load(str(exported / "saved_model"))
    task = get_task("classification")
    examples = task.serving_examples(model, pre, Manifest.read(test))
    inputs, expected = examples["serving_default"]
    served = serving.signatures["serving_default"](
        **{k: tf.constant(v) for k, v in inputs.items()}
    )
    np.testing.assert_allclose(
        served["output_0"].numpy(), expected["output_0"], atol=1e-5
    )


def test_the_new_modality_works_with_tabular_and_absent_cells(
    registered, tmp_path, capsys
):
    path = series_manifest(tmp_path / "train.csv", 48, seed=2)

    def absent_series(index, row):
        if index % 5 == 0:
            row["series"] = ""  # Absent: the presence input marks it.

    add_size_column(path, empty_every=3, edit=absent_series)
    command = (
        "train --model multimodal_classifier --data {d} --epochs 1 "
        "--features size --fusion attention --out {o}"
    )
    assert cli(command, d=path, o=tmp_path / "m") == 0
    model, pre = load_bundle(tmp_path / "m")
    assert list(model.input) == ["text", "tabular", "series", "presence"]
