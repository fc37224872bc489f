import csv

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_mm import zoo
from keras_mm.training import compile_model
from keras_mm.training import compile_options
from keras_mm.training import train
from tests.helpers import classifier_options
from tests.helpers import compile_classifier
from tests.helpers import random_inputs


def tiny_model(num_classes, multi_label=False, augmentation=True):
    return zoo.build(
        "multimodal_classifier",
        modalities=("audio",),
        audio_length=400,
        num_classes=num_classes,
        multi_label=multi_label,
        hidden_dim=8,
        augmentation=augmentation,
    )


@pytest.mark.parametrize(
    "num_classes, multi_label, loss, units",
    [
        (2, False, keras.losses.BinaryCrossentropy, 1),
        (4, False, keras.losses.SparseCategoricalCrossentropy, 4),
        (4, True, keras.losses.BinaryCrossentropy, 4),
    ],
)
def test_the_classification_loss_matches_the_head(
    num_classes, multi_label, loss, units
):
    model = tiny_model(num_classes, multi_label)
    assert model.output.shape[-1] == units
    options = classifier_options(model, multi_label)
    assert options["monitor"] == "accuracy" and options["mode"] == "max"
    compile_model(model, **compile_options(options))
    assert isinstance(model.loss, loss)


def test_train_needs_a_loss():
    model = tiny_model(3)
    with pytest.raises(ValueError, match="training_options"):
        train(model, dataset(model, 3), epochs=1)


@pytest.mark.parametrize("value, expected", [("on", True), ("off", False)])
def test_jit_compile_is_passed_to_keras(value, expected):
    # Keras' augmentation layers do not compile with XLA; Keras turns it off.
    model = tiny_model(3, augmentation=False)
    compile_classifier(model, jit_compile=value)
    assert model.jit_compile is expected


def test_jit_compile_rejects_unknown_values():
    with pytest.raises(ValueError, match="jit_compile"):
        compile_classifier(tiny_model(3), jit_compile="maybe")


def dataset(model, num_classes, size=32):
    inputs = random_inputs(model, size)
    # A learnable target: the sign of the clip's mean.
    targets = (inputs["audio"].mean(-1) > 0).astype("int32") % num_classes
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(8)


def test_train_writes_history_and_best_checkpoint(tmp_path):
    model = tiny_model(3)
    data = dataset(model, 3)
    history = train(
        model,
        data,
        data,
        epochs=3,
        out_dir=tmp_path,
        verbose=0,
        **classifier_options(model),
    )
    assert len(history.epoch) == 3
    with open(tmp_path / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and "val_accuracy" in rows[0]
    # The best epoch has the highest validation accuracy, and of those
    # the lowest validation loss.
    best = min(
        (-float(row["val_accuracy"]), float(row["val_loss"])) for row in rows
    )[1]
    checkpoint = tiny_model(3)
    checkpoint.load_weights(tmp_path / "checkpoint.weights.h5")
    compile_classifier(checkpoint)
    loss = checkpoint.evaluate(data, verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(loss, best, rtol=1e-4)
    # The model itself ends with the best weights too.
    final = model.evaluate(data, verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(final, best, rtol=1e-4)


def test_training_stops_once_accuracy_is_perfect():
    model = tiny_model(2, augmentation=False)
    inputs = random_inputs(model, 16)
    # One class only: accuracy reaches 1 as soon as the bias says so.
    data = tf.data.Dataset.from_tensor_slices(
        (inputs, np.zeros(16, "int32"))
    ).batch(8)
    history = train(
        model,
        data,
        data,
        epochs=40,
        learning_rate=1e-2,
        patience=40,
        verbose=0,
        **classifier_options(model),
    )
    # It stops at the first epoch perfect on both the validation and the
    # training rows (a small validation set may be perfect by luck).
    both = [
        min(pair)
        for pair in zip(
            history.history["val_accuracy"], history.history["accuracy"]
        )
    ]
    assert both[-1] == 1.0 and both.count(1.0) == 1
    assert len(both) < 40
