"""A plain-Keras CTC speech recognizer in the style of keras.io's example.

keras.io's "Automatic Speech Recognition using CTC" (DeepSpeech2-like):
STFT magnitudes (256-sample frames every 160, FFT 384) normalized per
clip, `Conv2D(32, [11, 41], strides [2, 2])` and `Conv2D(32, [11, 21],
strides [1, 2])`, bidirectional GRUs, a dense layer, and softmax over the
characters plus the blank, trained with CTC where every frame of the
padded batch counts (the example's `CTCLoss`). Scaled for a CPU: 2 GRU
layers of 128 units a direction (not 5 of 512) and a dense layer of 256.
Batches are padded to their longest clip, in shuffled order. Decoding is
greedy. Nothing here uses keras_mm.

Usage (from `real_speech.py`): `train_and_test(train_csv, test_csv,
minutes)` returns CER, WER and the training time.
"""

import csv
import pathlib
import time

import jiwer
import keras
import numpy as np
import soundfile
import tensorflow as tf
from keras import layers
from keras import ops

FRAME, STEP, FFT = 256, 160, 384


def read(manifest):
    root = pathlib.Path(manifest).parent
    rows = list(csv.DictReader(open(manifest)))
    audio = [
        soundfile.read(root / r["audio"], dtype="float32")[0] for r in rows
    ]
    return audio, [r["transcript"].lower() for r in rows]


def spectrogram(audio):
    x = tf.signal.stft(audio, FRAME, STEP, FFT)
    x = tf.abs(x) ** 0.5
    mean, var = tf.nn.moments(x, axes=[0, 1], keepdims=True)
    return ((x - mean) / tf.sqrt(var + 1e-10)).numpy()


def build(num_outputs, rnn_units=128, rnn_layers=2, dense=256):
    inputs = keras.Input((None, FFT // 2 + 1))
    x = layers.Reshape((-1, FFT // 2 + 1, 1))(inputs)
    x = layers.Conv2D(32, [11, 41], strides=[2, 2], padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(32, [11, 21], strides=[1, 2], padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)
    for i in range(rnn_layers):
        x = layers.Bidirectional(layers.GRU(rnn_units, return_sequences=True))(
            x
        )
        if i < rnn_layers - 1:
            x = layers.Dropout(0.5)(x)
    x = layers.Dense(dense, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(inputs, layers.Dense(num_outputs)(x))


def batches(features, labels, batch_size, rng=None):
    order = np.arange(len(features))
    if rng is not None:
        rng.shuffle(order)
    for start in range(0, len(order), batch_size):
        group = order[start : start + batch_size]
        frames = max(len(features[i]) for i in group)
        x = np.zeros((len(group), frames, FFT // 2 + 1), np.float32)
        width = max(1, max(len(labels[i]) for i in group))
        y = np.zeros((len(group), width), np.int32)
        for j, i in enumerate(group):
            x[j, : len(features[i])] = features[i]
            y[j, : len(labels[i])] = labels[i]
        yield group, x, y


def train_and_test(train_csv, test_csv, minutes, batch_size=32, seed=0):
    """Train for up to `minutes` (best validation CER kept); test CER, WER."""
    keras.utils.set_random_seed(seed)
    audio, texts = read(train_csv)
    chars = sorted(set("".join(texts)))
    index = {c: i + 1 for i, c in enumerate(chars)}
    features = [spectrogram(a) for a in audio]
    labels = [[index[c] for c in t] for t in texts]
    rng = np.random.default_rng(seed)
    held = rng.permutation(len(features))
    cut = len(held) // 5
    val, train = held[:cut], held[cut:]
    model = build(len(chars) + 1)
    optimizer = keras.optimizers.Adam(1e-3)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            frames = tf.fill(tf.shape(logits)[:1], tf.shape(logits)[1])
            label_lengths = tf.reduce_sum(tf.cast(y > 0, tf.int32), 1)
            loss = tf.reduce_mean(
                ops.ctc_loss(y, logits, label_lengths, frames, mask_index=0)
            )
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function(reduce_retracing=True)
    def infer(x):
        logits = model(x, training=False)
        frames = tf.fill(tf.shape(logits)[:1], tf.shape(logits)[1])
        return ops.ctc_decode(logits, frames, mask_index=0)[0][0]

    def transcribe(feats):
        out = [None] * len(feats)
        for group, x, _ in batches(feats, [[]] * len(feats), 64):
            for j, ids in enumerate(infer(x).numpy()):
                out[group[j]] = "".join(chars[i - 1] for i in ids if i > 0)
        return out

    start, best, best_weights, epochs = time.time(), 2.0, None, 0
    while time.time() - start < minutes * 60:
        train_feats = [features[i] for i in train]
        train_labels = [labels[i] for i in train]
        for _, x, y in batches(train_feats, train_labels, batch_size, rng):
            step(x, y)
        epochs += 1
        hyp = transcribe([features[i] for i in val])
        cer = jiwer.cer([texts[i] for i in val], hyp)
        print(f"  baseline epoch {epochs}: val CER {cer:.3f}", flush=True)
        if cer < best:
            best, best_weights = cer, model.get_weights()
    seconds = time.time() - start
    model.set_weights(best_weights)
    test_audio, test_texts = read(test_csv)
    hyp = transcribe([spectrogram(a) for a in test_audio])
    return {
        "cer": float(jiwer.cer(test_texts, hyp)),
        "wer": float(jiwer.wer(test_texts, hyp)),
        "train_seconds": seconds,
        "epochs": epochs,
        "parameters": model.count_params(),
    }
