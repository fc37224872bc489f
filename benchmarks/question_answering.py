"""Questions about real handwritten digits: keras-mm against plain Keras.

Usage: python benchmarks/question_answering.py [--train 6000] [--test 1500]
           [--models vqa_classifier vqa_generator] [--data-dir DIR]
           [--reuse] [--out benchmarks/results]

`real_qa.py` writes pictures of two real handwritten digits (test writers
unseen) and questions of five kinds about them. Then, as a user would:
- `keras-mm train --model M` at its defaults (timed) for each of
  `--models` (the answer classifier and the answer generator), then
  `keras-mm evaluate` on the test rows: exact-match accuracy overall
  and per kind (`--reuse` keeps the bundles of an earlier run);
- plain Keras, MMF's `cnn_lstm` design: a CNN (two conv and pool blocks,
  `Flatten`) and an LSTM over the question's words, concatenated, a
  dense layer and a softmax over the training answers, trained for as
  many steps as keras-mm (the best validation epoch kept);
- spoken questions (`--spoken`): every question also spoken by
  espeak-ng (test accents and voices unseen in training); a
  `ctc_speech_recognizer` trained at its defaults on the spoken
  training questions, then each model's answers to the spoken test
  questions (`keras-mm evaluate --speech-model`), next to the
  recognizer's WER on them;
- the question-only prior: each test question gets the training
  answer most common for its exact wording, the best any model that
  ignores the picture can do.
Writes `question_answering.md` and `.json` to `--out`.
"""

import argparse
import collections
import json
import pathlib
import time

import keras
import numpy as np
import real_baselines
import real_qa
from real_data import cli

from keras_mm.qa import normalize_answer

KINDS = tuple(real_qa.TEMPLATES)


def per_kind(rows, predicted):
    """Accuracy overall and per question kind."""
    right = collections.defaultdict(list)
    for row, answer in zip(rows, predicted):
        hit = normalize_answer(answer) == normalize_answer(row["answer"])
        right[row["question_type"]].append(hit)
        right["overall"].append(hit)
    return {kind: float(np.mean(hits)) for kind, hits in right.items()}


def prior(train_rows, test_rows):
    """The most common training answer of each exact question."""
    answers = collections.defaultdict(collections.Counter)
    for row in train_rows:
        answers[row["question"]][normalize_answer(row["answer"])] += 1
    overall = collections.Counter(
        normalize_answer(r["answer"]) for r in train_rows
    ).most_common(1)[0][0]
    return [
        answers[r["question"]].most_common(1)[0][0]
        if r["question"] in answers
        else overall
        for r in test_rows
    ]


def plain_keras(train_csv, test_csv, seed=0):
    """MMF's `cnn_lstm`: CNN and LSTM, concatenated, softmax over answers."""
    arrays = {}
    for split, path in (("train", train_csv), ("test", test_csv)):
        arrays[split] = real_baselines.load_arrays(path, ["image"])
    (x_train, train_rows), (x_test, test_rows) = arrays["train"], arrays["test"]
    vectorize = keras.layers.TextVectorization(output_sequence_length=12)
    vectorize.adapt([r["question"] for r in train_rows])
    for x, rows in ((x_train, train_rows), (x_test, test_rows)):
        x["question"] = vectorize([r["question"] for r in rows]).numpy()
    names = sorted({normalize_answer(r["answer"]) for r in train_rows})
    y = np.array(
        [names.index(normalize_answer(r["answer"])) for r in train_rows]
    )

    def lstm(ids):
        size = vectorize.vocabulary_size()
        x = keras.layers.Embedding(size, 64, mask_zero=True)(ids)
        return keras.layers.LSTM(128)(x)

    image = x_train.pop("image"), x_test.pop("image")
    x_train["picture"], x_test["picture"] = image
    model = real_baselines.plain_model(
        [],
        max(3, len(names)),
        extra={
            "picture": ((32, 64, 1), "float32", real_baselines.image_branch),
            "question": ((12,), "int32", lstm),
        },
    )
    start = time.time()
    # As many epochs as keras-mm's default (about 6000 steps of 32), the
    # best validation epoch kept.
    epochs = -(-6000 * 32 // int(0.9 * len(y)))
    probabilities = real_baselines.fit_predict(
        model, x_train, y, x_test, seed, epochs=epochs, patience=epochs
    )
    predicted = [names[i] for i in probabilities.argmax(-1)]
    return per_kind(test_rows, predicted) | {"seconds": time.time() - start}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=1500)
    parser.add_argument("--data-dir", default="benchmarks/.real_data")
    parser.add_argument(
        "--models", nargs="+", default=["vqa_classifier", "vqa_generator"]
    )
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--spoken", action=argparse.BooleanOptionalAction, default=True
    )
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    root = pathlib.Path(args.data_dir) / "qa"
    paths = real_qa.build(root, args.train, args.test)
    train_rows = real_baselines.read_rows(paths["train"])
    test_rows = real_baselines.read_rows(paths["test"])
    results = {
        model: train_and_evaluate(model, paths, root / "bundles", args.reuse)
        for model in args.models
    }
    if args.spoken:
        results.update(spoken(paths, root, args.models, args.reuse))
    results.update(
        {
            "question-only prior": per_kind(
                test_rows, prior(train_rows, test_rows)
            ),
        }
    )
    print(json.dumps(results), flush=True)
    results["plain Keras cnn_lstm"] = plain_keras(paths["train"], paths["test"])
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "question_answering.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    table = markdown(results)
    (out / "question_answering.md").write_text(table)
    print(table)


def train_and_evaluate(model, paths, bundles, reuse):
    """Train `model` at the CLI defaults (or reuse its bundle) and score it
    on the test rows."""
    bundle = train(model, paths["train"], bundles / model, reuse)
    metrics = json.loads(
        cli("evaluate", "--model-dir", bundle, "--data", paths["test"])
    )
    return {
        "overall": metrics["accuracy"],
        **{k: metrics[f"accuracy/{k}"] for k in KINDS},
        "seconds": seconds(bundle),
    }


def train(model, data, bundle, reuse):
    """`keras-mm train --model MODEL` at its defaults (timed), unless
    `reuse` finds the bundle trained; return the bundle's folder."""
    timing = bundle.parent / f"{bundle.name}.seconds"
    if not (reuse and timing.is_file()):
        start = time.time()
        cli("train", "--model", model, "--data", data, "--out", bundle)
        timing.write_text(f"{time.time() - start:.1f}\n")
    return bundle


def seconds(bundle):
    return float((bundle.parent / f"{bundle.name}.seconds").read_text())


def spoken(paths, root, models, reuse):
    """Each model's scores on the spoken test questions, through a
    recognizer trained on the spoken training questions."""
    files = real_qa.speak(root, paths)
    asr = train(
        "ctc_speech_recognizer",
        files["speech_train"],
        root / "bundles" / "speech_questions",
        reuse,
    )
    heard = json.loads(
        cli("evaluate", "--model-dir", asr, "--data", files["speech_test"])
    )
    results = {
        "recognizer on the spoken test questions": {
            "wer": heard["wer"],
            "cer": heard["cer"],
            "seconds": seconds(asr),
        }
    }
    for model in models:
        metrics = json.loads(
            cli(
                "evaluate",
                "--model-dir",
                root / "bundles" / model,
                "--data",
                files["test_spoken"],
                "--speech-model",
                asr,
            )
        )
        results[f"{model}, spoken questions"] = {
            "overall": metrics["accuracy"],
            **{k: metrics[f"accuracy/{k}"] for k in KINDS},
        }
    print(json.dumps(results), flush=True)
    return results


def markdown(results):
    columns = ("overall", *KINDS)
    lines = [
        "| model | " + " | ".join(columns) + " | training |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    for name, r in results.items():
        if "wer" in r:  # The recognizer.
            continue
        cells = " | ".join(f"{r[c]:.3f}" for c in columns)
        time_ = f"{r['seconds'] / 60:.1f} min" if "seconds" in r else ""
        lines.append(f"| {name} | {cells} | {time_} |")
    for name, r in results.items():
        if "wer" in r:
            lines.append(
                f"\n{name}: WER {r['wer']:.3f}, CER {r['cer']:.3f} "
                f"({r['seconds'] / 60:.1f} min of training)"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
