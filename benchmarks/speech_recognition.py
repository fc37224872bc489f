"""Speech recognition on real speech: keras-mm against plain Keras.

Usage: python benchmarks/speech_recognition.py [--words digits animals]
           [--train 4000] [--test 500] [--data-dir DIR] [--reuse]
           [--baseline-minutes M] [--out benchmarks/results]

`--reuse` keeps the bundles of an earlier run, with their training time
(the `.seconds` file next to each bundle).

For each vocabulary, `real_speech.py` writes phrases of 2 to 5 words
spoken by espeak-ng (test accents and voices never heard in training).
Then, as a user would:
- `keras-mm train --model ctc_speech_recognizer` at its defaults (timed),
  then `keras-mm evaluate` (greedy) and `keras-mm transcribe
  --beam-width 8` on the test speakers;
- long recordings: test clips joined into one-minute files, transcribed
  (in windows) and scored against the joined transcripts, next to the
  per-clip WER of the same clips;
- the plain-Keras model of `speech_baseline.py` (keras.io's design, sized
  for a CPU), trained as long as keras-mm trained (best validation CER
  kept), on the same files.
Writes `speech_recognition.md` and `.json` to `--out`.
"""

import argparse
import csv
import io
import json
import pathlib
import time

import jiwer
import numpy as np
import real_speech
import soundfile
import speech_baseline
from real_data import cli

LONG_SECONDS = 60.0


def transcribe(bundle, manifest, beam_width=1):
    out = cli(
        "transcribe",
        "--model-dir",
        bundle,
        "--data",
        manifest,
        "--beam-width",
        beam_width,
    )
    return [row["transcript"] for row in csv.DictReader(io.StringIO(out))]


def references(manifest):
    return [row["transcript"] for row in csv.DictReader(open(manifest))]


def long_recordings(test_csv, folder, count=3):
    """Join test clips into `count` recordings of about a minute each.

    Returns the manifest of the recordings and of the clips used.
    """
    root = pathlib.Path(test_csv).parent
    rows = list(csv.DictReader(open(test_csv)))
    folder.mkdir(parents=True, exist_ok=True)
    long_rows, used, index = [], [], 0
    for k in range(count):
        pieces, words = [], []
        while sum(map(len, pieces)) < LONG_SECONDS * 16000:
            row = rows[index]
            index += 1
            pieces.append(
                soundfile.read(root / row["audio"], dtype="float32")[0]
            )
            words.append(row["transcript"])
            used.append({**row, "audio": str((root / row["audio"]).resolve())})
        path = (folder / f"long_{k}.wav").resolve()
        soundfile.write(path, np.concatenate(pieces), 16000)
        long_rows.append({"audio": str(path), "transcript": " ".join(words)})
    write(folder / "long.csv", long_rows)
    write(folder / "clips.csv", used)
    return folder / "long.csv", folder / "clips.csv"


def write(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rates(refs, hyps):
    return {"cer": jiwer.cer(refs, hyps), "wer": jiwer.wer(refs, hyps)}


def run(root, words, train, test, out, baseline_minutes=None, reuse=False):
    paths = real_speech.build(root / words, words, train, test)
    bundle = out / f"speech_{words}"
    # The training time, next to the bundle (which holds only its own).
    timing = out / f"speech_{words}.seconds"
    if not (reuse and timing.is_file()):
        start = time.time()
        cli(
            "train",
            "--model",
            "ctc_speech_recognizer",
            "--data",
            paths["train"],
            "--out",
            bundle,
        )
        timing.write_text(f"{time.time() - start:.1f}\n")
    seconds = float(timing.read_text())
    result = {"keras-mm": {"train_seconds": seconds}}
    metrics = json.loads(
        cli("evaluate", "--model-dir", bundle, "--data", paths["test"])
    )
    result["keras-mm"].update(cer=metrics["cer"], wer=metrics["wer"])
    refs = references(paths["test"])
    beam = rates(refs, transcribe(bundle, paths["test"], 8))
    result["keras-mm beam 8"] = beam
    long_csv, clips_csv = long_recordings(paths["test"], root / words / "long")
    result["long recordings"] = rates(
        references(long_csv), transcribe(bundle, long_csv)
    )
    result["their clips"] = rates(
        references(clips_csv), transcribe(bundle, clips_csv)
    )
    print(json.dumps(result), flush=True)
    minutes = baseline_minutes or seconds / 60
    result["plain Keras"] = speech_baseline.train_and_test(
        paths["train"], paths["test"], minutes
    )
    print(json.dumps(result), flush=True)
    return result


def markdown(results):
    lines = [
        "| words | model | CER | WER | training time |",
        "|---|---|---|---|---|",
    ]
    for words, result in results.items():
        for name in ("keras-mm", "keras-mm beam 8", "plain Keras"):
            r = result[name]
            time_ = r.get("train_seconds")
            time_ = f"{time_ / 60:.1f} min" if time_ else "same model"
            lines.append(
                f"| {words} | {name} | {r['cer']:.3f} | {r['wer']:.3f} | "
                f"{time_} |"
            )
        lines.append(
            f"| {words} | keras-mm, one-minute recordings | "
            f"{result['long recordings']['cer']:.3f} | "
            f"{result['long recordings']['wer']:.3f} | (their clips one by "
            f"one: WER {result['their clips']['wer']:.3f}) |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--words",
        nargs="+",
        default=["digits", "animals"],
        choices=list(real_speech.WORDS),
    )
    parser.add_argument("--train", type=int, default=4000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--data-dir", default="benchmarks/.real_data")
    parser.add_argument("--baseline-minutes", type=float)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the bundles (and training times) of an earlier run.",
    )
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        words: run(
            pathlib.Path(args.data_dir) / "speech",
            words,
            args.train,
            args.test,
            pathlib.Path(args.data_dir) / "speech" / "bundles",
            args.baseline_minutes,
            args.reuse,
        )
        for words in args.words
    }
    (out / "speech_recognition.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    table = markdown(results)
    (out / "speech_recognition.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
