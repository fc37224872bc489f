"""Training speed of each zoo classifier and recognizer against its twin.

Usage: python benchmarks/overhead.py [--models ...] [--rounds 12]
           [--steps 8]

Each zoo classifier trains the way `keras-mm train` trains it
(`keras_mm.training.train`: keras_mm's AdamW and schedule, early
stopping, a checkpoint, the CSV history and the resumable state written
every epoch), on the same in-memory batches as its twin from
`overhead_twins.py` (the same network in stock layers, compiled with
Keras' AdamW and the same schedule). Both `fit` calls run from start
to end, each in a thread, but only one epoch runs at a time: the two
alternate, so both see the same machine load, and take turns going
first. Each side's epoch is timed the same way, from its start to the
start of its next one, so it includes what `fit` and its callbacks do
between epochs. The first two rounds (traces) are not counted. It
prints the median over rounds of the zoo model's samples/s divided by
the twin's with its 95% confidence interval (a bootstrap over rounds),
the quartiles of the per-round ratios, and the ratio of the two fastest
epochs (this VM switches between two speeds, see the README).
"""

import argparse
import pathlib
import sys
import tempfile
import threading
import time

import keras
import numpy as np
import tensorflow as tf

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.overhead_twins import TWINS  # noqa: E402
from keras_mm import zoo  # noqa: E402
from keras_mm.captioning.metrics import TokenAccuracy  # noqa: E402
from keras_mm.captioning.metrics import caption_loss  # noqa: E402
from keras_mm.training import train  # noqa: E402
from keras_mm.training.train import WEIGHT_DECAY  # noqa: E402
from keras_mm.training.train import schedule  # noqa: E402

BATCH = 32
CLASSES = 10
# Models whose task is not classification: how to build them, their
# labels (from a generator and a row count), the zoo side's `train` loss
# and the twin's stock loss.
SETUPS = {
    "ctc_speech_recognizer": {
        "build": {"vocabulary_size": 30, "augmentation": False},
        "labels": lambda rng, n: rng.integers(1, 30, (n, 12)).astype("int32"),
        "train": {"loss": None, "metrics": None},
        "twin": {"loss": keras.losses.CTC()},
    }
}
SETUPS["vqa_classifier"] = {
    "build": {"num_classes": CLASSES, "vocabulary_size": 1000},
    "labels": lambda rng, n: rng.integers(0, CLASSES, n).astype("int32"),
    # The question-answering task's loss (answers unseen in training,
    # -1, are skipped) and metrics.
    "train": {
        "loss": keras.losses.SparseCategoricalCrossentropy(ignore_class=-1),
        "metrics": ["accuracy"],
    },
    "twin": {
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    },
}
ANSWER_TOKENS = 4
SETUPS["vqa_generator"] = {
    "build": {
        "answer_vocabulary_size": 1000,
        "answer_length": ANSWER_TOKENS,
        "vocabulary_size": 1000,
    },
    # Answers of 1 to 3 tokens, then `[END]`, then padding.
    "labels": lambda rng, n: np.where(
        np.arange(ANSWER_TOKENS) <= rng.integers(1, 4, (n, 1)),
        rng.integers(1, 1000, (n, ANSWER_TOKENS)),
        0,
    ).astype("int32"),
    # The captioning task's loss and metric.
    "train": {"loss": caption_loss(), "metrics": [TokenAccuracy()]},
    "twin": {
        "loss": keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=0
        ),
        "metrics": ["accuracy"],
    },
}
CLASSIFIER = {
    "build": {"num_classes": CLASSES, "vocabulary_size": 1000},
    "labels": lambda rng, n: rng.integers(0, CLASSES, n).astype("int32"),
    # The classification task's loss and metrics.
    "train": {
        "loss": keras.losses.SparseCategoricalCrossentropy(),
        "metrics": ["accuracy"],
    },
    "twin": {
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    },
}
# `multimodal_classifier` on 16 frames of 64x64 and a 2 s soundtrack.
SETUPS["video_classifier"] = {
    **CLASSIFIER,
    "model": "multimodal_classifier",
    "build": {
        "num_classes": CLASSES,
        "modalities": ("audio", "video"),
        "audio_length": 32000,
        "sample_rate": 16000,
        "modality_config": {"video": {"shape": [16, 64, 64, 3]}},
    },
}
# Clips of the models whose audio has no fixed length: 1 s at 16 kHz.
SAMPLES = 16000


def batches(model, steps, labels, seed=0):
    """`steps` random batches for `model`, held in memory, repeated."""
    rng = np.random.default_rng(seed)
    n = steps * BATCH
    inputs = {}
    for name, x in model.input.items():
        shape = (n, *[SAMPLES if s is None else s for s in x.shape[1:]])
        if name == "audio_length":
            inputs[name] = np.full(shape, SAMPLES, "int32")
        elif "int" in str(x.dtype):  # Token ids: text, a question.
            inputs[name] = rng.integers(1, 1000, shape).astype("int32")
            inputs[name][:, 20:] = 0  # Padding.
        elif name == "presence":
            inputs[name] = np.ones(shape, "float32")
        elif name in ("image", "video"):
            inputs[name] = rng.uniform(0, 255, shape).astype("float32")
        else:
            inputs[name] = rng.normal(0, 0.1, shape).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((inputs, labels(rng, n)))
    return data.batch(BATCH).cache().repeat()


class Turns(keras.callbacks.Callback):
    """Lets a `fit` running in a thread train one epoch per turn.

    A turn runs from the start of an epoch to the start of the next one
    (or the end of training), so it includes everything `fit` and its
    callbacks do between epochs (history, early stopping, backups).
    """

    def __init__(self):
        super().__init__()
        self.go = threading.Semaphore(0)
        self.done = threading.Semaphore(0)
        self.times, self.start, self.error = [], None, None

    def _end_turn(self):
        if self.start is not None:
            self.times.append(time.perf_counter() - self.start)
            self.done.release()

    def on_epoch_begin(self, epoch, logs=None):
        self._end_turn()
        self.go.acquire()
        self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self._end_turn()

    def run(self, fit):
        """Thread target: `fit()`, whose epochs wait for their turns."""
        try:
            fit()
        except BaseException as e:  # Reported by `take`, not lost.
            self.error = e
            self.done.release()

    def take(self):
        """Run one epoch of this side; return when it has ended."""
        self.go.release()
        self.done.acquire()
        if self.error is not None:
            raise self.error


def median_interval(ratios, level=0.95, resamples=10_000):
    """Bootstrap confidence interval of the median of `ratios`."""
    rng = np.random.default_rng(0)
    picks = rng.choice(ratios, (resamples, len(ratios)))
    tail = (1 - level) / 2 * 100
    return np.percentile(np.median(picks, axis=1), [tail, 100 - tail])


def compare(name, rounds, steps, directory):
    keras.utils.set_random_seed(0)
    setup = SETUPS.get(name, CLASSIFIER)
    model = zoo.build(setup.get("model", name), **setup["build"])
    twin = TWINS[name](model)
    epochs = rounds + 2
    twin.compile(
        optimizer=keras.optimizers.AdamW(
            schedule(1e-3, epochs * steps), WEIGHT_DECAY
        ),
        **setup["twin"],
    )
    zoo_turns, twin_turns = Turns(), Turns()
    fits = [
        lambda: train(
            model,
            batches(model, steps, setup["labels"]),
            epochs=epochs,
            steps_per_epoch=steps,
            out_dir=directory / name,
            resumable=True,
            **setup["train"],
            # Loss monitored, so that no run stops early.
            monitor="loss",
            patience=1000,
            callbacks=[zoo_turns],
            verbose=0,
        ),
        lambda: twin.fit(
            batches(twin, steps, setup["labels"]),
            epochs=epochs,
            steps_per_epoch=steps,
            callbacks=[twin_turns],
            verbose=0,
        ),
    ]
    threads = [
        threading.Thread(target=turns.run, args=(fit,), daemon=True)
        for turns, fit in zip((zoo_turns, twin_turns), fits)
    ]
    for thread in threads:
        thread.start()
    for epoch in range(epochs):
        sides = (zoo_turns, twin_turns)
        for side in sides if epoch % 2 else sides[::-1]:
            side.take()
    for thread in threads:
        thread.join()
    # Samples/s of the zoo model over the twin's: twin time / zoo time.
    zoo_times = np.array(zoo_turns.times[2:])
    stock_times = np.array(twin_turns.times[2:])
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
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--steps", type=int, default=16)
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
        "zoo ÷ twin samples/s, median | 95% interval of the median | "
        "quartiles of the rounds | fastest epochs |\n"
        "|---|---|---|---|---|---|---|"
    )
    for name, r in results.items():
        q1, median, q3 = np.percentile(r["ratios"], [25, 50, 75])
        low, high = median_interval(r["ratios"])
        print(
            f"| {name} | {r['params'][0]:,} / {r['params'][1]:,} | "
            f"{r['ms'][0]:.0f} / {r['ms'][1]:.0f} | {median:.3f} | "
            f"{low:.3f}-{high:.3f} | {q1:.3f}-{q3:.3f} | "
            f"{r['fastest']:.3f} |"
        )


if __name__ == "__main__":
    main()
