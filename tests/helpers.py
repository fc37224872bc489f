"""Shared checks for keras_mm models: one harness, many one-line tests."""

import csv
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_mm import zoo
from keras_mm.data import ClassifierPreprocessor
from keras_mm.data import Manifest
from keras_mm.data import make_demo_dataset
from keras_mm.export import export_bundle
from keras_mm.export import load_bundle
from keras_mm.tasks import get_task
from keras_mm.tasks.archive import export_model
from keras_mm.training import compile_model
from keras_mm.training import compile_options
from keras_mm.training import train

# The modules that share the `speech_bundle` fixture (see conftest.py).
SPEECH_GROUP = pytest.mark.xdist_group("speech_bundle")


def run_cli(capsys, command):
    """`(status, stdout, stderr)` of `keras-mm COMMAND`, run in-process."""
    from keras_mm.cli.main import main

    capsys.readouterr()
    status = main(command.split())
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def small_demo(folder, num_rows=64, seed=6, size=16):
    """Manifest rows of the demo with its images copied at `size` pixels.

    For tests of training runs (kills, resumes, processes) rather than of
    the model: a smaller model traces and steps faster.
    """
    demo = make_demo_dataset(folder / "demo", num_rows, seed=seed)
    with open(demo) as f:
        rows = list(csv.DictReader(f))
    small = folder / "small"
    small.mkdir()
    for row in rows:
        image = small / pathlib.Path(row["image"]).name
        Image.open(demo.parent / row["image"]).resize((size, size)).save(image)
        row["image"] = str(image)
        if row.get("audio"):
            row["audio"] = str(demo.parent / row["audio"])
    return rows


def interrupt_after_backup(monkeypatch, epochs=1):
    """Make training stop as on Ctrl-C once its backup holds `epochs`.

    A run of `keras-mm train` then exits with status 130 and keeps its
    run folder for `--resume`. Cheaper than killing a child process (a
    fresh interpreter, a fresh trace); `tests/cli/test_cli_resume.py`
    kills one, and checks that a kill at any moment leaves a backup.
    Call `monkeypatch.undo()` before resuming.
    """
    from keras_mm.training.resume import TrainingState
    from keras_mm.training.resume import completed_epochs

    backup = TrainingState.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        backup(self, epoch, logs)
        self.join()
        if completed_epochs(self.folder) >= epochs:
            raise KeyboardInterrupt

    monkeypatch.setattr(TrainingState, "on_epoch_end", on_epoch_end)


def assert_same_weights(a, b):
    """Two bundles' `model.keras` weights agree (to float noise)."""
    for x, y in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_allclose(x, y, atol=1e-5)


def _weights(bundle):
    return keras.saving.load_model(bundle / "model.keras").get_weights()


def random_inputs(model, batch_size=3, seed=0):
    """Random inputs keyed by the model's input names.

    Token ids get trailing padding of different lengths, so that masking
    matters to the outputs.
    """
    rng = np.random.default_rng(seed)
    inputs = {}
    specs = model.input
    if not isinstance(specs, dict):
        specs = {spec.name: spec for spec in model.inputs}
    for name, spec in specs.items():
        # A clip of any length: 4000 samples.
        shape = (
            batch_size,
            *[4000 if s is None else s for s in spec.shape[1:]],
        )
        if name == "audio_length":
            # Clips of different lengths, each padded to 4000 samples.
            inputs[name] = np.linspace(4000, 1000, batch_size).astype("int32")
        elif "int" in str(spec.dtype):  # Token ids: text, a question.
            ids = rng.integers(2, 20, shape).astype("int32")
            for row in range(batch_size):
                ids[row, 1 + 2 * row :] = 0
            inputs[name] = ids
        elif name == "presence":
            # Every sample keeps its last modality; others may be absent.
            presence = rng.integers(0, 2, shape).astype("float32")
            presence[:, -1] = 1.0
            presence[0] = 1.0
            inputs[name] = presence
        elif name in ("image", "video"):  # Pixels.
            inputs[name] = rng.uniform(0, 255, shape).astype("float32")
        elif name == "tabular":
            # Numbers and category ids 0 to 2, a fifth of them missing.
            values = rng.integers(0, 3, shape).astype("float32")
            values[rng.random(shape) < 0.2] = np.nan
            inputs[name] = values
        else:
            inputs[name] = rng.uniform(-1, 1, shape).astype("float32")
    return inputs


def forward(model, inputs):
    """`model(inputs)` as NumPy, compiled as one program under JAX.

    Eager JAX compiles every op on its own, which makes a Transformer
    fusion's forward pass take seconds; `predict` compiles it once.
    """
    if keras.backend.backend() == "jax":
        outputs = model.predict(inputs, verbose=0)
    else:
        # A call takes arrays or tensors, but not both in one structure.
        tensors = keras.tree.map_structure(keras.ops.convert_to_tensor, inputs)
        outputs = model(tensors)
    # A model of several outputs gives a list of arrays.
    return keras.tree.map_structure(np.asarray, outputs)


def call_masked(layer, inputs, mask):
    """`layer(inputs, mask=mask)` as NumPy: lists of arrays and masks (or None).

    Under JAX the call is compiled once, as `forward` does.
    """
    if keras.backend.backend() != "jax":
        return np.asarray(layer(inputs, mask=mask))
    xs = [keras.Input(x.shape[1:]) for x in inputs]
    ms = [
        None if m is None else keras.Input(m.shape[1:], dtype="bool")
        for m in mask
    ]
    given = [m for m in ms if m is not None]
    model = keras.Model([xs, given], layer(xs, mask=ms))
    arrays = [np.asarray(m) for m in mask if m is not None]
    return forward(model, [list(inputs), arrays])


def random_targets(model, batch_size=3, seed=0):
    units = model.output.shape[-1]
    rng = np.random.default_rng(seed)
    if units == 1:
        return rng.integers(0, 2, (batch_size, 1)).astype("float32")
    return rng.integers(0, units, (batch_size,)).astype("int32")


def run_model_test(model, tmp_path, full=True):
    """Forward pass, one training step, `.keras` and SavedModel parity.

    `full=False` trains eagerly and skips the SavedModel: tracing a
    Transformer fusion's training step takes seconds per block, so
    variants whose graph and export paths other tests cover use it.
    """
    inputs = random_inputs(model)
    probabilities = np.asarray(model(inputs))
    assert probabilities.shape == (3, model.output.shape[-1])
    assert np.all(np.isfinite(probabilities))
    assert np.all((probabilities >= 0) & (probabilities <= 1))

    model.compile(optimizer="adam", loss=_loss(model), run_eagerly=not full)
    # Built outside the training step, which is then traced once.
    model.optimizer.build(model.trainable_variables)
    weights = [np.array(w) for w in model.trainable_weights]
    loss = model.train_on_batch(inputs, random_targets(model))
    assert np.isfinite(loss)
    changed = [
        not np.allclose(before, np.array(after))
        for before, after in zip(weights, model.trainable_weights)
    ]
    assert any(changed), "one training step changed no weight"

    # `forward`, not `predict`: on TensorFlow a traced predict function
    # per model costs more than these small models' forward passes.
    expected = forward(model, inputs)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(forward(reloaded, inputs), expected, atol=1e-5)

    if not full:
        return
    export_model(model, tmp_path / "saved_model")
    serving = tf.saved_model.load(str(tmp_path / "saved_model"))
    outputs = serving.signatures["serving_default"](
        **{name: tf.constant(x) for name, x in inputs.items()}
    )
    np.testing.assert_allclose(
        next(iter(outputs.values())).numpy(), expected, atol=1e-5
    )


def _loss(model):
    if model.output.shape[-1] == 1:
        return "binary_crossentropy"
    return "sparse_categorical_crossentropy"


def classifier_options(model, multi_label=False):
    """The classification task's training options for a zoo classifier."""
    units = model.output.shape[-1]
    names = [f"class{i}" for i in range(max(units, 2))]
    pre = ClassifierPreprocessor(
        {name: x.shape[1:] for name, x in model.input.items()},
        names,
        vocabulary=["word"] if "text" in model.input else None,
        multi_label=multi_label,
    )
    return get_task("classification").training_options(pre)


def compile_classifier(model, **kwargs):
    """`compile_model` with the classification task's loss and metrics."""
    compile_model(model, **compile_options(classifier_options(model)), **kwargs)


# A prediction command's options for `run_task_test`; a task with a new
# command adds its line.
PREDICT_OPTIONS = {
    "predict": {},
    "caption": {"sampler": "greedy"},
    "retrieve": {"query": "a red circle", "k": 3},
    "transcribe": {"beam_width": 1},
    "answer": {},
}


def run_task_test(task, tmp_path, num_rows=24, **options):
    """Size, train, evaluate, predict, export and reload a task's model.

    Like keras-hub's `run_task_test`: the task's first zoo model is sized
    to `num_rows` rows of its demo data (`fit_to`, with `options`),
    trains one epoch with the task's training options (the loss is finite
    and the weights move), evaluates to finite metrics and predicts a row
    per manifest row (or the requested top rows). Its bundle reloads to
    the same preprocessing and predictions, and every signature the task
    describes (`serving_examples`) gives, from the SavedModel, what the
    Keras model gives.
    """
    model_name = zoo.list_models(task.name)[0]
    path = make_demo_dataset(
        tmp_path / "data", num_rows, seed=0, dataset=task.demo_data
    )
    train_rows, val_rows = Manifest.read(path).split(0.25, seed=0)
    keras.utils.set_random_seed(0)
    model, pre = task.fit_to(train_rows, model_name, **options)
    before = [np.array(w) for w in model.trainable_weights]
    history = train(
        model,
        pre.dataset(train_rows, 8, shuffle=True, seed=0),
        pre.dataset(val_rows, 8),
        epochs=1,
        verbose=0,
        **task.training_options(pre),
    )
    assert np.isfinite(history.history["loss"][0])
    after = [np.array(w) for w in model.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after))

    metrics = task.evaluate(model, pre, val_rows)
    assert metrics and all(np.isfinite(v) for v in metrics.values())
    if task.command not in PREDICT_OPTIONS:
        raise AssertionError(f"Add `{task.command}` to PREDICT_OPTIONS.")
    predict_options = {"batch_size": 8, **PREDICT_OPTIONS[task.command]}
    header, rows = task.predict(model, pre, val_rows, predict_options)
    assert rows and all(len(row) == len(header) for row in rows)

    bundle = export_bundle(model, pre, tmp_path / "bundle")
    loaded, loaded_pre = load_bundle(bundle)
    assert loaded_pre.get_config() == pre.get_config()
    again = task.predict(loaded, loaded_pre, val_rows, predict_options)
    assert again == (header, rows)
    serving = tf.saved_model.load(str(bundle / "saved_model"))
    examples = task.serving_examples(model, pre, val_rows)
    assert examples, "the task describes no signature"
    for name, (inputs, expected) in examples.items():
        signature = serving.signatures[name]
        outputs = signature(**{k: tf.constant(v) for k, v in inputs.items()})
        for key, value in expected.items():
            served = outputs[key].numpy()
            if served.dtype.kind in "SO":
                assert [s.decode() for s in served] == list(value), name
            else:
                np.testing.assert_allclose(served, value, atol=1e-4)
