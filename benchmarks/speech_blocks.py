"""Which blocks for the speech recognizer: GRU, convolution or Transformer.

Usage: python benchmarks/speech_blocks.py DATA_DIR ARCH MINUTES
  ARCH: gruNxU (N bidirectional GRU layers of U units), convNxU (N
  residual separable Conv1D blocks of width U), tfNxU (N keras-hub
  Transformer blocks of width U).

Plain Keras, no augmentation: the same log-mel front end and strided
Conv2D layers as `ctc_speech_recognizer`, then the blocks, trained with
CTC (true lengths) for MINUTES on DATA_DIR/train.csv (written by
`real_speech.py`), batches sorted by length; prints the test speakers'
CER and WER (greedy) after every epoch and at the end. The README's
figures: `gru2x128` 0.154 / 0.333, `conv6x192` 0.206 / 0.469, `tf3x128`
0.526 / 0.975 (CER / WER, 7 minutes each, 4000 training clips).
"""

import csv
import pathlib
import sys
import time

import jiwer
import keras
import numpy as np
import soundfile as sf
import tensorflow as tf
from keras import layers
from keras import ops

ROOT = pathlib.Path(sys.argv[1])
ARCH = sys.argv[2]
BUDGET = float(sys.argv[3])


def load(split):
    rows = list(csv.DictReader(open(ROOT / f"{split}.csv")))
    return [sf.read(ROOT / r["audio"], dtype="float32")[0] for r in rows], [
        r["transcript"] for r in rows
    ]


xtr, ttr = load("train")
xte, tte = load("test")
chars = sorted(set("".join(ttr)))
idx = {c: i + 1 for i, c in enumerate(chars)}
V = len(chars) + 1
HOP = 160


def batches(xs, ts, bs=32, shuffle=True, rng=np.random.default_rng(0)):
    order = np.argsort([len(x) for x in xs])
    groups = [order[i : i + bs] for i in range(0, len(order), bs)]
    if shuffle:
        rng.shuffle(groups)
    for g in groups:
        n = max(len(xs[i]) for i in g)
        a = np.zeros((len(g), n), np.float32)
        for j, i in enumerate(g):
            a[j, : len(xs[i])] = xs[i]
        L = max(len(ts[i]) for i in g)
        y = np.zeros((len(g), L), np.int32)
        for j, i in enumerate(g):
            y[j, : len(ts[i])] = [idx.get(c, 0) for c in ts[i]]
        yield (
            g,
            a,
            np.array([len(xs[i]) for i in g], np.int32),
            y,
            np.array([len(ts[i]) for i in g], np.int32),
        )


def build(arch):
    audio = keras.Input((None,))
    x = layers.MelSpectrogram(
        fft_length=512,
        sequence_length=400,
        sequence_stride=HOP,
        sampling_rate=16000,
        num_mel_bins=80,
    )(audio)
    x = layers.Permute((2, 1))(x)  # (B, F, 80)
    x = layers.LayerNormalization()(x)
    x = layers.Reshape((-1, 80, 1))(x)
    x = layers.Conv2D(
        32, (5, 11), strides=(2, 2), padding="same", activation="relu"
    )(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv2D(
        32, (5, 11), strides=(1, 2), padding="same", activation="relu"
    )(x)
    x = layers.BatchNormalization()(x)
    x = layers.Reshape((-1, 20 * 32))(x)
    if arch.startswith("gru"):
        n, u = map(int, arch[3:].split("x"))
        for _ in range(n):
            x = layers.Bidirectional(layers.GRU(u, return_sequences=True))(x)
            x = layers.Dropout(0.2)(x)
    elif arch.startswith("conv"):
        n, u = map(int, arch[4:].split("x"))
        x = layers.Dense(u)(x)
        for _ in range(n):
            y = layers.SeparableConv1D(u, 11, padding="same")(x)
            y = layers.BatchNormalization()(y)
            y = layers.Activation("relu")(y)
            y = layers.Dropout(0.1)(y)
            x = layers.Add()([x, y])
    elif arch.startswith("tf"):
        import keras_hub

        n, u = map(int, arch[2:].split("x"))
        x = layers.Dense(u)(x)
        x = layers.Conv1D(u, 11, padding="same", activation="relu")(x)
        for _ in range(n):
            x = keras_hub.layers.TransformerEncoder(u * 2, 4, dropout=0.1)(x)
    out = layers.Dense(V)(x)
    return keras.Model(audio, out)


model = build(ARCH)
print(ARCH, model.count_params())
opt = keras.optimizers.AdamW(1e-3)


def frames(n):
    return 1 + (1 + n // HOP - 1) // 2


@tf.function(reduce_retracing=True)
def step(a, al, y, yl):
    with tf.GradientTape() as tape:
        logits = model(a, training=True)
        fl = tf.minimum((al // HOP) // 2 + 1, tf.shape(logits)[1])
        loss = tf.reduce_mean(ops.ctc_loss(y, logits, yl, fl, mask_index=0))
    g = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(g, model.trainable_variables))
    return loss


@tf.function(reduce_retracing=True)
def infer(a, al):
    logits = model(a, training=False)
    fl = tf.minimum((al // HOP) // 2 + 1, tf.shape(logits)[1])
    return ops.ctc_decode(logits, fl, strategy="greedy", mask_index=0)[0][0]


def evaluate(xs, ts):
    hyp = [None] * len(xs)
    for g, a, al, y, yl in batches(xs, ts, 64, False):
        d = infer(a, al).numpy()
        for j, i in enumerate(g):
            hyp[i] = "".join(chars[k - 1] for k in d[j] if k > 0)
    return jiwer.cer(ts, hyp), jiwer.wer(ts, hyp), hyp


t0 = time.time()
ep = 0
while time.time() - t0 < BUDGET * 60:
    ls = [float(step(a, al, y, yl)) for _, a, al, y, yl in batches(xtr, ttr)]
    ep += 1
    c, w, h = evaluate(xte[:200], tte[:200])
    print(
        f"ep {ep} t {time.time() - t0:.0f}s loss {np.mean(ls):.3f} "
        f"test200 cer {c:.3f} wer {w:.3f}",
        flush=True,
    )
c, w, h = evaluate(xte, tte)
print(
    "FINAL",
    ARCH,
    "cer",
    round(c, 4),
    "wer",
    round(w, 4),
    "time",
    round(time.time() - t0),
    h[:3],
    tte[:3],
)
