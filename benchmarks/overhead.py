"""Training speed of each zoo classifier against its stock-Keras twin.

Usage: python benchmarks/overhead.py [--models ...] [--rounds 12]
           [--steps 8]

Each zoo classifier trains the way `keras-mm train` trains it
(`keras_mm.training.train`: keras_mm's AdamW and schedule, early
stopping, a checkpoint, the CSV history and the resumable state written
every epoch), on the same in-memory batches as its twin from
`overhead_twins.py` (the same network in stock layers, compiled with
Keras' AdamW and the same schedule). The two alternate one short epoch at
a time, so both see the same machine load, and take turns going first;
the first two rounds (traces) are not counted. It prints the median over
rounds of the zoo model's samples/s divided by the twin's, the spread
(quartiles and range) of the per-round ratios, and the ratio of the two
fastest epochs (this VM switches between two speeds, see the README).
"""

import argparse
import pathlib
import sys
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.overhead_twins import TWINS  # noqa: E402
from keras_mm import zoo  # noqa: E402
from keras_mm.training import train  # noqa: E402
from keras_mm.training.train import WEIGHT_DECAY  # noqa: E402
from keras_mm.training.train import schedule  # noqa: E402

BATCH = 32
CLASSES = 10


def batches(model, steps, seed=0):
    """`steps` random batches for `model`, held in memory, repeated."""
    rng = np.random.default_rng(seed)
    n = steps * BATCH
    inputs = {}
    for name, x in model.input.items():
        shape = (n, *x.shape[1:])
        if name == "text":
            inputs[name] = rng.integers(1, 1000, shape).astype("int32")
            inputs[name][:, 20:] = 0  # Padding.
        elif name == "presence":
            inputs[name] = np.ones(shape, "float32")
        elif name == "image":
            inputs[name] = rng.uniform(0, 255, shape).astype("float32")
        else:
            inputs[name] = rng.normal(0, 0.1, shape).astype("float32")
    labels = rng.integers(0, CLASSES, n).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((inputs, labels))
    return data.batch(BATCH).cache().repeat()


class EpochTimer(keras.callbacks.Callback):
    """The time of each epoch inside `fit`, without `fit`'s own set-up."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


class Interleave(keras.callbacks.Callback):
    """One twin epoch per zoo epoch, before it or after it in turn; times both.

    A zoo epoch's time runs from its start to the next one's, less the
    twin's `fit` call in between, so it includes what keras_mm does
    between epochs (history, resumable state). A twin epoch's is its
    epoch's inside that `fit` call, as if the twin's `fit` ran throughout,
    as a stock-Keras user's would.
    """

    def __init__(self, twin, data, steps):
        super().__init__()
        self.twin, self.data, self.steps = twin, data, steps
        self.zoo, self.timer = [], EpochTimer()
        self.start = self.twin_call = None

    @property
    def stock(self):
        return self.timer.times

    def _twin_epoch(self):
        start = time.perf_counter()
        self.twin.fit(
            self.data,
            epochs=1,
            steps_per_epoch=self.steps,
            verbose=0,
            callbacks=[self.timer],
        )
        self.twin_call = time.perf_counter() - start

    def _close_round(self):
        if self.start is not None:
            elapsed = time.perf_counter() - self.start
            self.zoo.append(elapsed - self.twin_call)

    def on_epoch_begin(self, epoch, logs=None):
        self._close_round()
        self.start = time.perf_counter()
        if epoch % 2:
            self._twin_epoch()

    def on_epoch_end(self, epoch, logs=None):
        if not epoch % 2:
            self._twin_epoch()

    def on_train_end(self, logs=None):
        self._close_round()


def compare(name, rounds, steps, directory):
    keras.utils.set_random_seed(0)
    model = zoo.build(name, num_classes=CLASSES, vocabulary_size=1000)
    twin = TWINS[name](model)
    total = (rounds + 2) * steps
    twin.compile(
        optimizer=keras.optimizers.AdamW(schedule(1e-3, total), WEIGHT_DECAY),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    data = batches(model, steps)
    interleave = Interleave(twin, data, steps)
    train(
        model,
        data,
        epochs=rounds + 2,
        steps_per_epoch=steps,
        out_dir=directory / name,
        resumable=True,
        monitor="loss",
        patience=1000,
        callbacks=[interleave],
        verbose=0,
    )
    # Samples/s of the zoo model over the twin's: twin time / zoo time.
    zoo_times = np.array(interleave.zoo[2:])
    stock_times = np.array(interleave.stock[2:])
    ms = 1000 / steps
    return {
        "params": (model.count_params(), twin.count_params()),
        "ms": (np.median(zoo_times) * ms, np.median(stock_times) * ms),
        "ratios": stock_times / zoo_times,
        "fastest": stock_times.min() / zoo_times.min(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(TWINS))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for name in args.models:
            results[name] = compare(
                name, args.rounds, args.steps, pathlib.Path(directory)
            )
            r = results[name]["ratios"]
            print(f"{name}: {np.round(r, 2).tolist()}", flush=True)
    print(
        f"\nbatch {BATCH}, {args.steps} steps per round, {args.rounds} "
        "rounds after two warm-up rounds\n"
    )
    print(
        "| model | parameters (zoo / twin) | ms/step (zoo / twin) | "
        "zoo ÷ twin samples/s, median | quartiles | range | fastest "
        "epochs |\n|---|---|---|---|---|---|---|"
    )
    for name, r in results.items():
        q1, median, q3 = np.percentile(r["ratios"], [25, 50, 75])
        print(
            f"| {name} | {r['params'][0]:,} / {r['params'][1]:,} | "
            f"{r['ms'][0]:.0f} / {r['ms'][1]:.0f} | {median:.3f} | "
            f"{q1:.3f}-{q3:.3f} | {r['ratios'].min():.3f}-"
            f"{r['ratios'].max():.3f} | {r['fastest']:.3f} |"
        )


if __name__ == "__main__":
    main()
