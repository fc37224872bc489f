"""Plain-Keras video baselines for `video.py`: keras.io's CNN-RNN design.

They read the clips with PyAV into NumPy arrays (16 frames sampled
uniformly, as keras_mm does) and use nothing from keras_mm:
- `mean`: a per-frame CNN (two conv and pool blocks, `Flatten`,
  `Dense`), averaged over time: it cannot see frame order;
- `gru`: the same CNN followed by a GRU over the frames.
"""

import csv
import pathlib

import av
import keras
import numpy as np
from real_baselines import fit_predict

FRAMES = 16


def read_clip(path, frames=FRAMES):
    """`frames` RGB frames of a file, uniform over it, uint8."""
    with av.open(str(path)) as container:
        images = [
            f.to_ndarray(format="rgb24") for f in container.decode(video=0)
        ]
    picks = ((np.arange(frames) + 0.5) * len(images) / frames).astype(int)
    return np.stack([images[i] for i in picks])


def load_clips(path):
    """`(clips, labels)` of a manifest with `video` and `label` columns."""
    root = pathlib.Path(path).parent
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    clips = np.stack([read_clip(root / r["video"]) for r in rows])
    return clips, [r["label"] for r in rows]


def plain_video_model(shape, num_classes, temporal):
    frame = keras.Input(shape[1:])
    x = keras.layers.Rescaling(1 / 255)(frame)
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Dense(128, activation="relu")(keras.layers.Flatten()(x))
    video = keras.Input(shape)
    x = keras.layers.TimeDistributed(keras.Model(frame, x))(video)
    if temporal == "gru":
        x = keras.layers.GRU(64)(x)
    else:
        x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(0.3)(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(video, outputs)
    model.compile(
        "adam", "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def accuracy(train_path, test_path, temporal, epochs):
    """Test accuracy of a plain model trained on the train manifest."""
    x_train, train_labels = load_clips(train_path)
    x_test, test_labels = load_clips(test_path)
    names = sorted(set(train_labels))
    y_train = np.array([names.index(n) for n in train_labels])
    y_test = np.array([names.index(n) for n in test_labels])
    model = plain_video_model(x_train.shape[1:], len(names), temporal)
    probs = fit_predict(
        model, x_train, y_train, x_test, epochs=epochs, patience=4
    )
    return float(np.mean(probs.argmax(-1) == y_test))
