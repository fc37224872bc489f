"""Video on real material: keras-mm at its CLI defaults against plain Keras.

Usage: python benchmarks/video.py [--data-dir DIR] [--reuse]
           [--tasks direction digit caption] [--plain-epochs 12]
           [--skip-plain] [--out benchmarks/results]

`real_video.py` writes the clips (real handwritten digits crossing a
cluttered frame in one of four directions, the digit's word spoken in
the soundtrack; test writers and voices unseen). Then, as a user would,
`keras-mm train` (timed, no `--epochs`) and `keras-mm evaluate` or
`caption` on the test clips:
- `direction`: `multimodal_classifier` on the frames (needs frame order);
- `digit`: `multimodal_classifier` on the frames and soundtrack of the
  same files, and on each alone;
- `caption`: `transformer_captioner` on the frames; a caption is right
  when it names the right digit and the right direction.
The plain-Keras baselines of `video_baselines.py` (a per-frame CNN
averaged over time, and the same CNN followed by a GRU) train on the
same clips in the same run. Writes `video.md` and `.json` to `--out`.
"""

import argparse
import csv
import io
import json
import pathlib

import numpy as np
import real_data
import real_video
import video_baselines
from real_data import cli
from real_data import evaluate_cli
from real_data import train_cli
from real_media import write_manifest


def single(paths, root, column):
    """The digit manifests with only `column` (and the label)."""
    out = {}
    for split in ("train", "test"):
        with open(paths["digit"][split], newline="") as f:
            rows = list(csv.DictReader(f))
        out[split] = root / f"digit_{column}_{split}.csv"
        write_manifest(
            out[split], [{column: r[column], "label": r["label"]} for r in rows]
        )
    return out


def manifests(paths, root, tasks):
    """The classifiers' manifests of `tasks`, by row name."""
    out = {}
    if "direction" in tasks:
        out["direction (frames)"] = paths["direction"]
    if "digit" in tasks:
        out["digit (frames and soundtrack)"] = paths["digit"]
        out["digit (frames only)"] = single(paths, root, "video")
        out["digit (soundtrack only)"] = single(paths, root, "audio")
    return out


def classifiers(manifests, runs):
    """Test accuracy of `multimodal_classifier` on each manifest."""
    rows = []
    for name, manifest in manifests.items():
        run = name.split(" (")[0] + "_" + name.split("(")[1][:-1]
        run = run.replace(" ", "_")
        bundle, seconds = train_cli(
            runs, run, "multimodal_classifier", manifest["train"]
        )
        metrics = json.loads((bundle / "metrics.json").read_text())
        rows.append(
            {
                "task": name,
                "model": "keras-mm multimodal_classifier",
                "validation accuracy": metrics.get("accuracy"),
                "test accuracy": evaluate_cli(bundle, manifest["test"])[
                    "accuracy"
                ],
                "seconds": seconds,
            }
        )
        print(rows[-1], flush=True)
    return rows


def captioner(paths, runs):
    """Share of test captions naming the right digit and direction."""
    test = paths["caption"]["test"]
    bundle, seconds = train_cli(
        runs, "caption", "transformer_captioner", paths["caption"]["train"]
    )
    output = cli("caption", "--model-dir", bundle, "--data", test)
    generated = [r["caption"] for r in csv.DictReader(io.StringIO(output))]
    with open(test, newline="") as f:
        truth = [r["caption"] for r in csv.DictReader(f)]
    right = [named(g, t) for g, t in zip(generated, truth)]
    return {
        "task": "caption (frames)",
        "model": "keras-mm transformer_captioner",
        "test accuracy": float(np.mean(right)),
        "distinct captions": len(set(generated)),
        "seconds": seconds,
    }


def named(generated, truth):
    """Whether a caption names the digit and direction of `truth` only."""
    words = set(generated.split())
    number, direction = truth.split()[1], truth.split()[-1]
    numbers = words & set(real_video.NUMBERS)
    directions = words & set(real_video.DIRECTIONS)
    return numbers == {number} and directions == {direction}


def plain(manifests, epochs):
    rows = []
    for task, manifest in manifests.items():
        if "soundtrack" in task:
            continue
        for temporal in ("mean", "gru"):
            accuracy = video_baselines.accuracy(
                manifest["train"], manifest["test"], temporal, epochs
            )
            rows.append(
                {
                    "task": task,
                    "model": f"plain Keras CNN, {temporal} over time",
                    "test accuracy": accuracy,
                }
            )
            print(rows[-1], flush=True)
    return rows


def merged(path, rows):
    """`rows` in place of the saved rows of the same task and model.

    So a run of some `--tasks` keeps the figures of the others.
    """
    saved = json.loads(path.read_text()) if path.exists() else []
    new = {(r["task"], r["model"]): r for r in rows}
    kept = [r for r in saved if (r["task"], r["model"]) not in new]
    return kept + rows


def markdown(rows):
    lines = [
        "| task | model | test accuracy (unseen writers and voices) | "
        "validation accuracy | training time |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        valid = row.get("validation accuracy")
        seconds = row.get("seconds")
        lines.append(
            f"| {row['task']} | {row['model']} | {row['test accuracy']:.3f} "
            f"| {'' if valid is None else f'{valid:.3f}'} | "
            f"{'' if seconds is None else f'{seconds / 60:.1f} min'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default="benchmarks/.real_data")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--plain-epochs", type=int, default=12)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["direction", "digit", "caption"],
        choices=["direction", "digit", "caption"],
    )
    args = parser.parse_args()
    real_data.REUSE = args.reuse
    root = pathlib.Path(args.data_dir) / "video"
    paths = real_video.build(root)
    runs = root / "runs"
    chosen = manifests(paths, root, args.tasks)
    rows = classifiers(chosen, runs)
    if "caption" in args.tasks:
        rows.append(captioner(paths, runs))
    if not args.skip_plain:
        rows += plain(chosen, args.plain_epochs)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = merged(out / "video.json", rows)
    (out / "video.json").write_text(json.dumps(rows, indent=2) + "\n")
    table = markdown(rows)
    (out / "video.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
