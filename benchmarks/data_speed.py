"""Training step time by data source, against batches held as tensors.

Usage: python benchmarks/data_speed.py [--model seed004_attention]
           [--rounds 7] [--root benchmarks/.real_data]

One model (sized as `keras-mm train` sizes it) trains on the real-data
`same` manifest (handwritten and spoken digits, see `real_media.py`;
needs `espeak-ng` the first time), one epoch per source and round:

- `tensors`: every batch decoded beforehand and held in memory;
- `cached`: the CLI pipeline, its decoded rows cached in memory;
- `shards`: `keras-mm prepare` shards, read and parsed every epoch
  (no cache, as for data larger than `--cache-mb`);
- `files`: the raw files, decoded every epoch in parallel with training
  (no cache).

All sources yield the same shuffled batches. Rounds interleave the
sources, rotating which goes first; round 0 (traces, first pass of the
cache) is not counted. It prints each source's median step time over the
rounds and its ratio to `tensors` with the spread (min-max of the
per-round ratios), and the ratio of the fastest epochs.
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

from benchmarks import real_media  # noqa: E402
from keras_mm.data import Manifest  # noqa: E402
from keras_mm.data.prepared import read_prepared  # noqa: E402
from keras_mm.data.prepared import write_prepared  # noqa: E402
from keras_mm.tasks import task_of  # noqa: E402
from keras_mm.training.train import compile_model  # noqa: E402
from keras_mm.training.train import compile_options  # noqa: E402

BATCH = 32


def sources(preprocessor, manifest, prepared):
    """Source name to a function of the round: that epoch's dataset."""

    def stream(rows):
        return lambda r: preprocessor.dataset(
            rows, BATCH, shuffle=True, seed=0, epochs=(r, r + 1), cache=False
        )

    def tensors(r):
        # The epoch's batches, decoded outside the timing and held whole.
        batches = list(stream(manifest)(r))
        rows = tf.nest.map_structure(lambda *b: tf.concat(b, 0), *batches)
        return tf.data.Dataset.from_tensor_slices(rows).batch(BATCH)

    # One dataset object, reshuffled at each epoch: its cache is filled
    # in round 0 and read afterwards, as in a training run.
    cached = preprocessor.dataset(manifest, BATCH, shuffle=True, seed=0)
    return {
        "tensors": tensors,
        "cached": lambda r: cached,
        "shards": stream(prepared),
        "files": stream(manifest),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="seed004_attention")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--root", default=str(HERE / ".real_data"))
    args = parser.parse_args()
    manifest = Manifest.read(real_media.build(args.root)["same"]["train"])
    keras.utils.set_random_seed(0)
    task = task_of(args.model)
    model, preprocessor = task.fit_to(manifest, args.model)
    compile_model(model, **compile_options(task.training_options(preprocessor)))
    steps = -(-len(manifest) // BATCH)
    with tempfile.TemporaryDirectory() as directory:
        write_prepared(preprocessor, manifest, pathlib.Path(directory))
        feeds = sources(preprocessor, manifest, read_prepared(directory))
        seconds = {name: [] for name in feeds}
        for r in range(args.rounds + 1):
            names = list(feeds)
            names = names[r % len(names) :] + names[: r % len(names)]
            for name in names:
                data = feeds[name](r)
                start = time.perf_counter()
                model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
                seconds[name].append((time.perf_counter() - start) / steps)
            print(
                f"round {r}: "
                + ", ".join(
                    f"{n} {1000 * s[-1]:.0f} ms" for n, s in seconds.items()
                ),
                flush=True,
            )
    report(seconds, args.model, steps, args.rounds)


def report(seconds, model, steps, rounds):
    """Print each source's step time, median and fastest, over `tensors`.

    The fastest epoch is the steadier figure on a shared machine, where
    other load only ever adds time.
    """
    base = np.array(seconds["tensors"][1:])
    print(
        f"\n`{model}`, batch {BATCH}, {steps} steps per epoch, "
        f"{rounds} rounds\n"
    )
    print(
        "| source | ms/step, median | ÷ tensors, median of rounds | "
        "spread | ms/step, fastest | ÷ tensors, fastest |\n"
        "|---|---|---|---|---|---|"
    )
    for name, values in seconds.items():
        values = np.array(values[1:])
        ratios = values / base
        print(
            f"| {name} | {1000 * np.median(values):.0f} | "
            f"{np.median(ratios):.2f} | {ratios.min():.2f}-"
            f"{ratios.max():.2f} | {1000 * values.min():.0f} | "
            f"{values.min() / base.min():.2f} |"
        )


if __name__ == "__main__":
    main()
