"""Peak memory of `keras-mm train` at 1x and 10x the rows, in one run.

Usage: python benchmarks/data_memory.py [--model multimodal_classifier]
           [--repeat 10] [--root benchmarks/.real_data] [--manifest CSV]

Trains one epoch with the CLI's defaults on the real-data `same` manifest
(handwritten digits and spoken digits, see `real_media.py`; needs
`espeak-ng` the first time) and on a manifest that repeats its rows
`--repeat` times (the same files), each in its own process, and prints
each run's peak resident memory and the ratio 10x / 1x. A third run
forces the in-memory cache at 10x (`--cache-mb 100000`), which is what
every run did before the cache had a budget (`--skip-forced` leaves it
out: at 10x the video clips it would hold about 11 GB). `--manifest`
measures another manifest instead (the video clips of `real_video.py`,
say).
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


def peak_rss_mb(command):
    """Run `command` in a child process; its peak RSS in MB and seconds."""
    # A fresh interpreter per run: RUSAGE_CHILDREN then covers one child.
    probe = (
        "import resource, subprocess, sys; "
        "code = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(code)"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}")
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - start


def repeated(manifest, times):
    path = manifest.with_name(f"{manifest.stem}_x{times}.csv")
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        for _ in range(times):
            writer.writerows(rows)
    return path, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multimodal_classifier")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--root", default=str(HERE / ".real_data"))
    parser.add_argument("--manifest", help="Default: the `same` manifest.")
    parser.add_argument("--skip-forced", action="store_true")
    args = parser.parse_args()
    if args.manifest:
        manifest = pathlib.Path(args.manifest)
    else:
        manifest = real_media.build(args.root)["same"]["train"]
    big, rows = repeated(manifest, args.repeat)
    runs = (
        (f"1x ({rows} rows)", manifest, []),
        (f"{args.repeat}x ({rows * args.repeat} rows)", big, []),
        (f"{args.repeat}x, forced cache", big, ["--cache-mb", "100000"]),
    )[: 2 if args.skip_forced else 3]
    results = {}
    with tempfile.TemporaryDirectory() as out:
        for name, data, extra in runs:
            command = [
                "keras-mm", "train", "--model", args.model,
                "--data", str(data), "--epochs", "1",
                "--out", f"{out}/model", *extra,
            ]  # fmt: skip
            results[name], seconds = peak_rss_mb(command)
            print(f"{name}: peak RSS {results[name]:.0f} MB ({seconds:.0f} s)")
    first, second, *forced = results.values()
    print("\n| run | peak RSS (MB) | ÷ 1x |\n|---|---|---|")
    for name, mb in results.items():
        print(f"| {name} | {mb:.0f} | {mb / first:.2f} |")
    print(f"\n{args.repeat}x ÷ 1x: {second / first:.2f} (target ≤ 1.2)")
    if forced:
        print(f"forced cache ÷ 1x: {forced[0] / first:.2f}")


if __name__ == "__main__":
    main()
