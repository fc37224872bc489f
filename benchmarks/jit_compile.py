"""Training speed of every zoo model with XLA off and on, in one run.

Usage: python benchmarks/jit_compile.py [--steps 20] [--batch-size 32]

Prints samples per second for `jit_compile=False` and `True` and their
ratio (>1 means XLA is faster). `keras-mm train --jit-compile auto`, the
default, picks no XLA on a TensorFlow CPU.
"""

import argparse
import time

import keras
import numpy as np

from keras_mm import zoo
from keras_mm.training import compile_model


def batch(model, batch_size, rng):
    inputs = {}
    for name, spec in model.input.items():
        shape = (batch_size, *spec.shape[1:])
        if name == "text":
            ids = rng.integers(2, 100, shape)
            ids[:, shape[1] // 2 :] = 0
            inputs[name] = ids.astype("int32")
        else:
            inputs[name] = rng.uniform(0, 1, shape).astype("float32")
    targets = rng.integers(0, 4, (batch_size,)).astype("int32")
    return inputs, targets


def samples_per_second(name, jit_compile, steps, batch_size):
    keras.utils.set_random_seed(0)
    model = zoo.build(name, num_classes=4, vocabulary_size=100)
    compile_model(
        model,
        keras.losses.SparseCategoricalCrossentropy(),  # The task's loss.
        ["accuracy"],
        jit_compile=jit_compile,
    )
    inputs, targets = batch(model, batch_size, np.random.default_rng(0))
    for _ in range(3):  # compile and warm up
        model.train_on_batch(inputs, targets)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(inputs, targets)
    return steps * batch_size / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--models", nargs="*", default=zoo.list_models("classification")
    )
    args = parser.parse_args()
    print(f"{'model':24s} {'no XLA':>10s} {'XLA':>10s} {'XLA/no':>7s}")
    for name in args.models:
        off = samples_per_second(name, "off", args.steps, args.batch_size)
        on = samples_per_second(name, "on", args.steps, args.batch_size)
        print(f"{name:24s} {off:10.1f} {on:10.1f} {on / off:7.2f}")


if __name__ == "__main__":
    main()
