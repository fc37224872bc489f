"""Two processes against one: the same training, data-parallel on JAX.

Usage: python benchmarks/multi_process.py [--model seed000_concat]
           [--epochs 8] [--root benchmarks/.real_data]

Runs `keras-mm train --local-processes N` on the real-data `same` task
(handwritten digits and their spoken names, validated on unseen writers
and voices; see `real_media.py`, which needs `espeak-ng` the first time)
three times, at the same global batch of 32:

- one process, `--seed 0`;
- one process, `--seed 1`: the run-to-run noise;
- two processes, `--seed 0`: each trains on half of every batch.

It prints each run's loss curves, the largest gap between the two-process
run and the one-process run of the same seed, next to the largest gap
between the two seeds, and the time per epoch after the first (traces).
"""

import argparse
import csv
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import real_media  # noqa: E402

KEYS = ("loss", "val_loss", "val_accuracy")


def run(args, processes, seed, out):
    command = [
        sys.executable,
        "-m",
        "keras_mm",
        "train",
        "--model",
        args.model,
        "--data",
        str(args.paths["train"]),
        "--val",
        str(args.paths["test"]),
        "--epochs",
        str(args.epochs),
        "--patience",
        str(args.epochs),
        "--batch-size",
        "32",
        "--seed",
        str(seed),
        "--local-processes",
        str(processes),
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    curves = {key: [float(row[key]) for row in rows] for key in KEYS}
    print(f"{processes} process(es), seed {seed}: {seconds:.0f} s", flush=True)
    for key, values in curves.items():
        print(f"  {key}: " + " ".join(f"{v:.4f}" for v in values))
    return curves, seconds


def gap(a, b, key):
    return max(abs(x - y) for x, y in zip(a[key], b[key]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="seed000_concat")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--root", default=str(HERE / ".real_data"))
    args = parser.parse_args()
    args.paths = real_media.build(args.root)["same"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        one, _ = run(args, 1, 0, tmp / "one")
        other, _ = run(args, 1, 1, tmp / "other")
        two, _ = run(args, 2, 0, tmp / "two")
    print(
        "\n| curve | 2 processes vs 1 (seed 0) | seed 1 vs seed 0, 1 process |"
        "\n|---|---|---|"
    )
    for key in KEYS:
        print(
            f"| {key} | {gap(two, one, key):.4f} | {gap(other, one, key):.4f} |"
        )


if __name__ == "__main__":
    main()
