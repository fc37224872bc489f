"""Questions about real handwritten digits, for `question_answering.py`.

Each picture holds two of scikit-learn's handwritten digits side by side
(the first 75% of the digits for training, the rest, mostly other
writers, for testing), 32x32 each on a 32x64 canvas, with noise and
clutter strokes. Each row asks one question, in one of several wordings:

- identity: "what is the left digit" -> "3";
- comparison: "is the left digit larger than the right one" -> yes/no;
- arithmetic: "what is the sum of the two digits" -> "0" .. "18";
- counting: "how many odd digits are there" -> "0" .. "2";
- yes/no: "is there a seven" -> yes/no.

`speak` adds each question spoken by espeak-ng (`real_speech.py`: test
accents and voices unseen in training): `train_spoken.csv` and
`test_spoken.csv` hold the rows with the question as audio
(`question_audio`, `question` empty), and `speech_train.csv` and
`speech_test.csv` the questions as transcribed speech (`audio`,
`transcript`), for a recognizer.
"""

import pathlib

import numpy as np
from PIL import Image
from real_baselines import read_rows
from real_media import NUMBERS
from real_media import TRAIN_SHARE
from real_media import write_manifest
from real_speech import speak_all

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
TEMPLATES = {
    "identity": (
        "what is the {side} digit",
        "which number is written on the {side}",
        "read the {side} digit",
    ),
    "comparison": (
        "is the {side} digit larger than the {other} one",
        "is the {side} number smaller than the {other} one",
        "is the {side} digit bigger than the {other}",
    ),
    "arithmetic": (
        "what is the sum of the two digits",
        "what do the two numbers add up to",
        "add the digits",
    ),
    "counting": (
        "how many odd digits are there",
        "how many digits are larger than {k}",
        "how many even numbers are in the picture",
    ),
    "yes/no": (
        "is there a {word}",
        "does the picture show a {word}",
        "is one of the digits a {word}",
    ),
}


def picture(pair, rng):
    """Two 8x8 digits (0-16) to a noisy, cluttered 32x64 uint8 picture."""
    canvas = np.zeros((32, 64), np.float32)
    for i, pixels in enumerate(pair):
        image = Image.fromarray((pixels * (255 / 16)).astype(np.uint8))
        size = int(rng.integers(24, 33))
        digit = np.asarray(image.resize((size, size), Image.BICUBIC))
        top = int(rng.integers(0, 33 - size))
        left = 32 * i + int(rng.integers(0, 33 - size))
        region = canvas[top : top + size, left : left + size]
        np.maximum(region, digit, out=region)
    for _ in range(int(rng.integers(1, 4))):  # Clutter: short strokes.
        row, column = rng.integers(0, 32), rng.integers(0, 60)
        length = int(rng.integers(3, 9))
        if rng.random() < 0.5:
            canvas[row, column : column + length] = rng.uniform(120, 255)
        else:
            canvas[row : row + length, min(column, 63)] = rng.uniform(120, 255)
    canvas += rng.normal(0, 40, canvas.shape)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def ask(kind, digits, rng):
    """A question of `kind` about `(left, right)` digits and its answer."""
    template = TEMPLATES[kind][rng.integers(len(TEMPLATES[kind]))]
    side = SIDES[rng.integers(2)]
    this, that = digits[SIDES.index(side)], digits[1 - SIDES.index(side)]
    k = int(rng.integers(2, 8))
    word = NUMBERS[int(rng.integers(10))]
    if rng.random() < 0.5 and kind == "yes/no":
        word = NUMBERS[digits[rng.integers(2)]]
    question = template.format(side=side, other=OTHER[side], k=k, word=word)
    if kind == "identity":
        answer = str(this)
    elif kind == "comparison":
        larger = "smaller" not in template
        answer = "yes" if (this > that if larger else this < that) else "no"
    elif kind == "arithmetic":
        answer = str(sum(digits))
    elif kind == "counting":
        if "odd" in template:
            count = sum(d % 2 for d in digits)
        elif "even" in template:
            count = sum(1 - d % 2 for d in digits)
        else:
            count = sum(d > k for d in digits)
        answer = str(count)
    else:
        answer = "yes" if NUMBERS.index(word) in digits else "no"
    return question, answer


def build(root, train=6000, test=1500, seed=0):
    """Write `train.csv` and `test.csv` under `root`; return their paths."""
    from sklearn.datasets import load_digits

    root = pathlib.Path(root)
    paths = {s: root / f"{s}.csv" for s in ("train", "test")}
    done = root / f"qa-{train}-{test}-{seed}.done"
    if done.exists():
        return paths
    (root / "images").mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    cut = int(round(len(digits.target) * TRAIN_SHARE))
    pools = {
        "train": np.arange(cut),
        "test": np.arange(cut, len(digits.target)),
    }
    rng = np.random.default_rng(seed)
    for split, count in (("train", train), ("test", test)):
        rows = []
        for index in range(count):
            pair = rng.choice(pools[split], 2)
            values = tuple(int(digits.target[i]) for i in pair)
            path = root / "images" / f"{split}_{index:05d}.png"
            Image.fromarray(picture(digits.images[pair], rng)).save(path)
            kind = list(TEMPLATES)[rng.integers(len(TEMPLATES))]
            question, answer = ask(kind, values, rng)
            rows.append(
                {
                    "image": path.relative_to(root).as_posix(),
                    "question": question,
                    "answer": answer,
                    "question_type": kind,
                    "digits": f"{values[0]} {values[1]}",
                }
            )
        write_manifest(paths[split], rows)
    done.write_text("ok\n")
    return paths


def speak(root, paths, seed=1):
    """Speak every question of `paths` (from `build`); return the paths
    of the spoken manifests: `train_spoken`, `test_spoken` and
    `speech_train` and `speech_test`."""
    root = pathlib.Path(root)
    spoken = {
        "train_spoken": root / "train_spoken.csv",
        "test_spoken": root / "test_spoken.csv",
        "speech_train": root / "speech_train.csv",
        "speech_test": root / "speech_test.csv",
    }
    done = root / f"spoken-{seed}.done"
    if done.exists():
        return spoken
    (root / "audio").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    for split in ("train", "test"):
        rows = read_rows(paths[split])
        jobs = [
            (root, split, i, row["question"].split(), rng.integers(2**31))
            for i, row in enumerate(rows)
        ]
        clips = speak_all(jobs)
        for row, clip in zip(rows, clips):
            row.update(question="", question_audio=clip["audio"])
            row["speaker"] = clip["speaker"]
        write_manifest(spoken[f"{split}_spoken"], rows)
        write_manifest(spoken[f"speech_{split}"], clips)
    done.write_text("ok\n")
    return spoken
