"""A task added from outside: one module's worth of code, no CLI edits.

`ScoreRegression` predicts a number from a text (`text`, `score`
columns). Registering it and one zoo entry is all `keras-mm train`,
`evaluate`, `predict`, `export` and `load_bundle` need.
"""

import csv
import io
import json

import keras
import numpy as np
import pytest

from keras_mm import catalog
from keras_mm import tasks
from keras_mm import zoo
from keras_mm.data import Preprocessor
from keras_mm.data import build_vocabulary
from keras_mm.data.sizing import count_words
from keras_mm.data.sizing import fit_length
from keras_mm.data.text import text_vectorizer
from keras_mm.encoders import transformer_text_encoder
from keras_mm.export import load_bundle
from keras_mm.tasks.archive import export_model
from keras_mm.tasks.task import Task
from keras_mm.tasks.task import model_options
from tests.cli.test_cli import cli
from tests.data.media import write_csv


class ScorePreprocessor(Preprocessor):
    task = "score_regression"

    def __init__(self, sequence_length, vocabulary, sample_rate=8000):
        super().__init__(vocabulary, sample_rate)
        self.sequence_length = sequence_length
        self.vectorizer = text_vectorizer(self.vocabulary, sequence_length)

    def get_config(self):
        return {"sequence_length": self.sequence_length, **super().get_config()}

    def rows(self, manifest, labels=True):
        texts = manifest.column("text")
        if not labels:
            return texts, lambda text: text, self._vectorize
        scores = np.array([float(s) for s in manifest.column("score")])
        slices = (texts, scores.astype("float32"))
        return slices, lambda text, score: (text, score), self._vectorize

    def _vectorize(self, texts, *scores):
        ids = {"text": keras.ops.cast(self.vectorizer(texts), "int32")}
        return (ids, *scores) if scores else ids


class ScoreRegression(Task):
    name = "score_regression"
    noun = "regressor"
    preprocessor = ScorePreprocessor

    def fit_to(self, manifest, model, **options):
        texts = manifest.column("text")
        vocabulary = build_vocabulary(texts)
        built = zoo.build(
            model,
            vocabulary_size=len(vocabulary) + 2,
            sequence_length=fit_length(map(count_words, texts), 4, 16),
            **model_options(model, options),
        )
        length = built.input["text"].shape[1]
        return built, ScorePreprocessor(length, vocabulary)

    def training_options(self, preprocessor):
        return {"loss": "mse", "metrics": ["mae"]}

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        self.check_drop(drop)
        data = preprocessor.dataset(manifest, batch_size)
        return model.evaluate(data, return_dict=True, verbose=0)

    def predict(self, model, preprocessor, manifest, options):
        data = preprocessor.dataset(manifest, labels=False)
        scores = model.predict(data, verbose=0)[:, 0]
        rows = zip(manifest.row_numbers, (f"{s:.4f}" for s in scores))
        return ["row", "score"], [list(row) for row in rows]

    def export(self, model, preprocessor, directory):
        export_model(model, directory)

    def report(self, metrics, preprocessor, manifest, out):
        return f"Validation MAE: {metrics['mae']:.4f}\nSaved to {out}"


def text_regressor(vocabulary_size=100, sequence_length=8, hidden_dim=32):
    """A text encoder and one linear unit: a number per text."""
    text = keras.Input((sequence_length,), dtype="int32", name="text")
    encoder = transformer_text_encoder(
        vocabulary_size, sequence_length, hidden_dim, intermediate_dim=64
    )
    score = keras.layers.Dense(1, name="score")(encoder(text))
    return keras.Model({"text": text}, score, name="text_regressor")


@pytest.fixture
def registered(monkeypatch):
    """The new task and its zoo entry, registered for one test."""
    monkeypatch.setitem(tasks.registry.TASKS, "score_regression", None)
    tasks.register_task(ScoreRegression())
    monkeypatch.setitem(
        zoo.registry.MODELS, "text_regressor", (text_regressor, {})
    )
    description = (
        "score_regression",
        "A text encoder and one linear unit: a number per text.",
    )
    monkeypatch.setitem(catalog.MODELS, "text_regressor", description)


def scores_manifest(path, rows, seed):
    """Texts of "up", "down" and "flat"; score = (#up - #down) / 4."""
    rng = np.random.default_rng(seed)
    words = rng.choice(["up", "down", "flat"], (rows, 4))
    scores = ((words == "up").sum(1) - (words == "down").sum(1)) / 4
    write_csv(
        path,
        [
            {"text": " ".join(w), "score": f"{s:.2f}"}
            for w, s in zip(words, scores)
        ],
    )
    return path, scores


def test_a_new_task_trains_evaluates_predicts_and_exports(
    registered, tmp_path, capsys
):
    train, _ = scores_manifest(tmp_path / "train.csv", 256, seed=0)
    test, truth = scores_manifest(tmp_path / "test.csv", 64, seed=1)
    out = tmp_path / "model"
    command = "train --model text_regressor --data {d} --epochs 25 --out {o}"
    assert cli(command, d=train, o=out) == 0
    assert "Validation MAE" in capsys.readouterr().out
    config = json.loads((out / "preprocessing.json").read_text())
    assert config["task"] == "score_regression"

    assert cli("evaluate --model-dir {m} --data {d}", m=out, d=test) == 0
    metrics = json.loads(capsys.readouterr().out)
    # Always predicting the mean would leave the scores' spread.
    assert metrics["mae"] < 0.5 * np.abs(truth - truth.mean()).mean()

    assert cli("predict --model-dir {m} --data {d}", m=out, d=test) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 64
    predicted = np.array([float(r["score"]) for r in rows])
    assert np.abs(predicted - truth).mean() == pytest.approx(
        metrics["mae"], abs=1e-3
    )

    assert cli("caption --model-dir {m} --data {d}", m=out, d=test) == 1
    assert "is a regressor: use `keras-mm predict`" in capsys.readouterr().err
    assert cli("export --model-dir {m} --out {o}", m=out, o=tmp_path / "e") == 0
    model, preprocessor = load_bundle(tmp_path / "e")
    assert isinstance(preprocessor, ScorePreprocessor)
    assert preprocessor.vocabulary == load_bundle(out)[1].vocabulary
