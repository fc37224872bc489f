"""Shared checks for keras_mm models: one harness, many one-line tests."""

import keras
import numpy as np
import tensorflow as tf

from keras_mm.data import ClassifierPreprocessor
from keras_mm.tasks import get_task
from keras_mm.tasks.archive import export_model
from keras_mm.training import compile_model
from keras_mm.training import compile_options


def random_inputs(model, batch_size=3, seed=0):
    """Random inputs keyed by the model's input names.

    Token ids get trailing padding of different lengths, so that masking
    matters to the outputs.
    """
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, spec in model.input.items():
        shape = (batch_size, *spec.shape[1:])
        if name in ("text", "tokens"):
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
        elif name == "image":
            inputs[name] = rng.uniform(0, 255, shape).astype("float32")
        else:
            inputs[name] = rng.uniform(-1, 1, shape).astype("float32")
    return inputs


def forward(model, inputs):
    """`model(inputs)` as NumPy, compiled as one program under JAX.

    Eager JAX compiles every op on its own, which makes a Transformer
    fusion's forward pass take seconds; `predict` compiles it once.
    """
    if keras.backend.backend() == "jax":
        return np.asarray(model.predict(inputs, verbose=0))
    return np.asarray(model(inputs))


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

    expected = np.asarray(model.predict(inputs, verbose=0))
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(
        reloaded.predict(inputs, verbose=0), expected, atol=1e-5
    )

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
