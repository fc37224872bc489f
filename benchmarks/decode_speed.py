"""Cached against uncached caption decoding, in one run.

Usage: python benchmarks/decode_speed.py [--lengths 8 16 32] [--batch-size 8]
           [--jit-compile]

For each zoo captioner (at a realistic size, `SIZES`, with random
weights) and each caption length N, times greedy decoding
of N tokens (compiled with `tf.function`, after a warm-up) with the
cache (the LSTM state; the decoder's keys and values) and without it
(the whole prefix recomputed at every step), and prints the ratio
uncached ÷ cached time. Without a cache the cost of N tokens grows as
N², with it as N, so the ratio should grow with N.
"""

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from keras_mm import zoo
from keras_mm.captioning import generate

# Model sizes where compute, not per-op overhead, dominates a step.
SIZES = {
    "seed001_mmlm_captioner": {"embedding_dim": 256, "hidden_dim": 256},
    "transformer_captioner": {
        "hidden_dim": 256,
        "intermediate_dim": 512,
        "num_layers": 4,
    },
}


def seconds(name, length, cached, batch_size, repeats, jit_compile=False):
    keras.utils.set_random_seed(0)
    model = zoo.build(
        name, vocabulary_size=1000, sequence_length=length, **SIZES[name]
    )
    images = np.random.default_rng(0).uniform(
        0, 255, (batch_size, *model.input["image"].shape[1:])
    )
    images = tf.constant(images, tf.float32)

    @tf.function(jit_compile=jit_compile)
    def run(images):
        # An end id that never occurs: every run decodes all N tokens.
        return generate(model, images, 2, -1, cached=cached)

    run(images)  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(images).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="*", default=[8, 16, 32])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--models", nargs="*", default=zoo.list_models("captioning")
    )
    parser.add_argument(
        "--jit-compile",
        action="store_true",
        help="Compile the decoding loop with XLA.",
    )
    parser.add_argument("--out", help="Also write the markdown table here.")
    args = parser.parse_args()
    lines = [
        "| model | N | cached (ms) | uncached (ms) | uncached ÷ cached |",
        "|---|---|---|---|---|",
    ]
    for name in args.models:
        for length in args.lengths:
            cached, uncached = (
                seconds(
                    name,
                    length,
                    c,
                    args.batch_size,
                    args.repeats,
                    args.jit_compile,
                )
                for c in (True, False)
            )
            lines.append(
                f"| {name} | {length} | {1000 * cached:.1f} "
                f"| {1000 * uncached:.1f} | {uncached / cached:.2f} |"
            )
            print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
