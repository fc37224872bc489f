"""Plain-Keras baselines for `real_data.py`: about 40 lines of models.

They read the same manifests into NumPy arrays and use nothing from
keras_mm, so they show what a careful user gets from Keras alone.
"""

import csv
import pathlib
import wave

import keras
import numpy as np
from PIL import Image

EPOCHS = 30


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load_arrays(path, columns):
    """Images `(n, 32, 32, 1)` in [0, 1], audio `(n, 16000)`, from a CSV."""
    root = pathlib.Path(path).parent
    rows = read_rows(path)
    out = {}
    if "image" in columns:
        out["image"] = (
            np.stack(
                [
                    np.asarray(Image.open(root / r["image"]).convert("L"))
                    for r in rows
                ]
            )[..., None].astype("float32")
            / 255.0
        )
    if "audio" in columns:
        clips = []
        for r in rows:
            with wave.open(str(root / r["audio"])) as f:
                clips.append(np.frombuffer(f.readframes(-1), np.int16))
        out["audio"] = np.stack(clips).astype("float32") / 32768.0
    return out, rows


def image_branch(x):
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    return keras.layers.Dropout(0.3)(keras.layers.Flatten()(x))


def audio_branch(x):
    x = keras.layers.MelSpectrogram(
        fft_length=512,
        sequence_stride=256,
        sampling_rate=16000,
        num_mel_bins=40,
    )(x)
    x = keras.layers.Reshape((40, -1, 1))(x)
    x = keras.layers.LayerNormalization(axis=(1, 2))(x)
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    return keras.layers.Dropout(0.3)(keras.layers.Flatten()(x))


BRANCHES = {"image": image_branch, "audio": audio_branch}
SHAPES = {"image": (32, 32, 1), "audio": (16000,)}


def plain_model(modalities, num_classes, extra=None):
    """Each modality's branch, concatenated, Dense(128), softmax or sigmoid.

    `extra` maps more input names to `(shape, dtype, branch)` triples.
    """
    inputs, features = {}, []
    for m in modalities:
        inputs[m] = keras.Input(SHAPES[m], name=m)
        features.append(BRANCHES[m](inputs[m]))
    for name, (shape, dtype, branch) in (extra or {}).items():
        inputs[name] = keras.Input(shape, dtype=dtype, name=name)
        features.append(branch(inputs[name]))
    x = (
        features[0]
        if len(features) == 1
        else keras.layers.Concatenate()(features)
    )
    x = keras.layers.Dense(128, activation="relu")(x)
    units, activation = (
        (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")
    )
    model = keras.Model(inputs, keras.layers.Dense(units, activation)(x))
    loss = (
        "binary_crossentropy"
        if num_classes == 2
        else "sparse_categorical_crossentropy"
    )
    model.compile("adam", loss, metrics=["accuracy"])
    return model


def fit_predict(
    model, x_train, y_train, x_test, seed=0, epochs=EPOCHS, patience=8
):
    """Fit with 10% held out, best validation weights, test probabilities."""
    keras.utils.set_random_seed(seed)
    stop = keras.callbacks.EarlyStopping(
        "val_accuracy", patience=patience, restore_best_weights=True
    )
    model.fit(
        x_train,
        y_train,
        validation_split=0.1,
        epochs=epochs,
        batch_size=32,
        callbacks=[stop],
        verbose=0,
    )
    return model.predict(x_test, verbose=0)
