"""Speech recognition on real speech: keras-mm against plain Keras.

Usage: python benchmarks/speech_recognition.py [--words digits animals]
           [--train 4000] [--test 500] [--data-dir DIR] [--reuse]
           [--baseline-minutes M] [--out benchmarks/results]

`--reuse` keeps the bundles of an earlier run, with their training time
(the `.seconds` file next to each bundle).

For each vocabulary, `real_speech.py` writes phrases of 2 to 5 words
spoken by espeak-ng (test accents and voices never heard in training).
Then, as a user would:
- `keras-mm train --model ctc_speech_recognizer` at its defaults (timed;
  training decides on the validation rows whether transcription keeps to
  the training words), then `keras-mm evaluate` on the test speakers:
  the CLI's decoding and greedy decoding;
- `keras-mm transcribe`: CTC beam search without the word list, and the
  word-list search with 4 and 64 beams (16 is its default);
- the word-list search with a word bigram model of the training
  transcripts (`speech_lm.py`), at weights 0.5 and 1;
- long recordings: test clips joined into one-minute files, transcribed
  (in windows) and scored against the joined transcripts, next to the
  per-clip WER of the same clips;
- the plain-Keras model of `speech_baseline.py` (keras.io's design, sized
  for a CPU), trained as long as keras-mm trained (best validation CER
  kept), on the same files (`--baseline-minutes 0` skips it).
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
from speech_lm import bigram_transcripts

from keras_mm.export.bundle import load_bundle
from keras_mm.workflow.manifests import read_manifest

LONG_SECONDS = 60.0
LM_WEIGHTS = (0.5, 1.0)


def transcribe(bundle, manifest, *options):
    out = cli("transcribe", "--model-dir", bundle, "--data", manifest, *options)
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
    test = paths["test"]
    metrics = json.loads(cli("evaluate", "--model-dir", bundle, "--data", test))
    config = json.loads((bundle / "preprocessing.json").read_text())
    result = {
        "keras-mm": {
            "train_seconds": seconds,
            "cer": metrics["cer"],
            "wer": metrics["wer"],
            "decoding": "word list" if config["lexicon"] else "greedy",
        },
        "keras-mm greedy": {
            "cer": metrics["greedy_cer"],
            "wer": metrics["greedy_wer"],
        },
    }
    refs = references(test)
    variants = {
        "keras-mm beam 8, no word list": ["--no-lexicon", "--beam-width", 8],
        "keras-mm word list, beam 4": ["--lexicon", "--beam-width", 4],
        "keras-mm word list, beam 64": ["--lexicon", "--beam-width", 64],
    }
    for name, options in variants.items():
        result[name] = rates(refs, transcribe(bundle, test, *options))
    model, preprocessor = load_bundle(bundle)
    training = references(paths["train"])
    for weight in LM_WEIGHTS:
        texts = bigram_transcripts(
            model, preprocessor, read_manifest(str(test)), training, weight
        )
        result[f"word list + bigram model, weight {weight}"] = rates(
            refs, texts
        )
    long_csv, clips_csv = long_recordings(test, root / words / "long")
    result["long recordings"] = rates(
        references(long_csv), transcribe(bundle, long_csv)
    )
    result["their clips"] = rates(
        references(clips_csv), transcribe(bundle, clips_csv)
    )
    print(json.dumps(result), flush=True)
    if baseline_minutes != 0:
        result["plain Keras"] = speech_baseline.train_and_test(
            paths["train"], test, baseline_minutes or seconds / 60
        )
        print(json.dumps(result), flush=True)
    return result


def markdown(results):
    lines = [
        "| words | model | CER | WER | training time |",
        "|---|---|---|---|---|",
    ]
    for words, result in results.items():
        for name, r in result.items():
            if name in ("long recordings", "their clips"):
                continue
            time_ = r.get("train_seconds")
            time_ = f"{time_ / 60:.1f} min" if time_ else "same model"
            if "decoding" in r:
                name = f"{name} (CLI defaults: {r['decoding']})"
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
    parser.add_argument(
        "--baseline-minutes",
        type=float,
        help="Train the plain-Keras model this long (default: as long as "
        "keras-mm trained; 0: not at all).",
    )
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
