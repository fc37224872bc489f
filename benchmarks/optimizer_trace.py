"""keras_mm's AdamW against Keras' AdamW, with a schedule, in one run.

Usage: python benchmarks/optimizer_trace.py [--rounds 2] [--steps 30]

Keras' weight decay reads the learning rate once per variable, and with a
schedule each read builds the schedule's ops again; keras_mm's `AdamW`
reads it once per step. For zoo models with random weights and a batch of
32 random inputs, times the first training step (the trace: optimizer
built first, as `keras_mm.training.train` does) and the mean of the next
`--steps` steps, with each optimizer in alternating rounds, and prints the
medians and ratios (Keras ÷ keras_mm).
"""

import argparse
import statistics
import time

import keras
import numpy as np

from keras_mm import zoo
from keras_mm.captioning.metrics import caption_loss
from keras_mm.training.adamw import AdamW
from keras_mm.training.train import schedule

MODELS = {
    "multimodal_classifier": {"num_classes": 8, "vocabulary_size": 60},
    "seed004_attention": {"num_classes": 8, "vocabulary_size": 60},
    "transformer_captioner": {"vocabulary_size": 40, "sequence_length": 8},
}


def batch(model, rng):
    inputs = {}
    for name, spec in model.input.items():
        shape = (32, *spec.shape[1:])
        if name in ("tokens", "text"):
            inputs[name] = rng.integers(1, 30, shape).astype("int32")
        else:
            inputs[name] = rng.uniform(0, 1, shape).astype("float32")
    if "tokens" in inputs:
        return inputs, inputs["tokens"]
    return inputs, rng.integers(0, 8, (32,))


def seconds(name, keras_adamw, steps):
    """`(first step, mean later step)` in seconds."""
    keras.utils.set_random_seed(0)
    model = zoo.build(name, **MODELS[name])
    chosen = keras.optimizers.AdamW if keras_adamw else AdamW
    loss = "sparse_categorical_crossentropy"
    if "tokens" in model.input:
        loss = caption_loss()
    model.compile(chosen(schedule(1e-3, 1000), weight_decay=1e-4), loss)
    model.optimizer.build(model.trainable_variables)
    x, y = batch(model, np.random.default_rng(0))
    start = time.perf_counter()
    model.train_on_batch(x, y)
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return first, (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    print(
        "| model | first step, Keras / keras_mm (s) | ratio "
        "| later steps, Keras / keras_mm (ms) | ratio |"
    )
    print("|---|---|---|---|---|")
    for name in MODELS:
        times = {True: [], False: []}
        for round_ in range(args.rounds):
            for keras_adamw in (round_ % 2 == 0, round_ % 2 == 1):
                times[keras_adamw].append(
                    seconds(name, keras_adamw, args.steps)
                )
        (k_first, k_step), (m_first, m_step) = (
            [statistics.median(t[i] for t in times[side]) for i in (0, 1)]
            for side in (True, False)
        )
        print(
            f"| {name} | {k_first:.1f} / {m_first:.1f} "
            f"| {k_first / m_first:.2f}x "
            f"| {k_step * 1000:.0f} / {m_step * 1000:.0f} "
            f"| {k_step / m_step:.2f}x |"
        )


if __name__ == "__main__":
    main()
