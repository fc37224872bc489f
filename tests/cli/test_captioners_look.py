"""Captioners must look at the image, not learn the caption prior alone.

Real-ish data: scikit-learn's bundled handwritten digits (a dev extra),
three classes whose captions share a template and differ in one word.
"""

import contextlib
import csv
import io

import numpy as np
import pytest
from PIL import Image

from keras_mm.captioning.diversity import collapse_warning
from tests.cli.test_cli import cli

NUMBERS = ("zero", "one", "seven")


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    from sklearn.datasets import load_digits

    directory = tmp_path_factory.mktemp("digits")
    data = load_digits()
    rows = {"train": [], "test": []}
    for i, (pixels, target) in enumerate(zip(data.images, data.target)):
        if target not in (0, 1, 7):
            continue
        path = directory / f"{i}.png"
        image = Image.fromarray((pixels * 15).astype(np.uint8))
        image.resize((32, 32), Image.BICUBIC).save(path)
        split = "train" if len(rows["train"]) < 360 else "test"
        word = NUMBERS[(0, 1, 7).index(target)]
        rows[split].append((path.name, f"a handwritten {word}"))
    for split, split_rows in rows.items():
        with open(directory / f"{split}.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["image", "caption"])
            writer.writerows(split_rows[: 360 if split == "train" else 60])
    return directory


@pytest.mark.parametrize(
    "model", ["transformer_captioner", "seed001_mmlm_captioner"]
)
def test_different_digits_get_different_captions(model, digits, tmp_path):
    out = tmp_path / model
    cli(
        f"train --model {model} --data {{d}}/train.csv --epochs 10 --out {out}",
        d=digits,
    )
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        cli(f"caption --model-dir {out} --data {{d}}/test.csv", d=digits)
    captions = [
        r["caption"] for r in csv.DictReader(io.StringIO(stdout.getvalue()))
    ]
    with open(digits / "test.csv") as f:
        truth = [r["caption"] for r in csv.DictReader(f)]
    assert len(set(captions)) >= 3, set(captions)
    right = np.mean([c == t for c, t in zip(captions, truth)])
    # The prior alone names the right digit on a third of the images.
    assert right > 0.6, list(zip(captions, truth))[:10]


def test_collapse_warning_names_the_share_of_one_caption():
    references = [f"a handwritten {n}" for n in NUMBERS] * 4
    collapsed = ["a handwritten one"] * 11 + ["a handwritten zero"]
    warning = collapse_warning(references, collapsed)
    assert "92% of the 12 generated captions are the same" in warning
    assert "2 distinct" in warning
    assert collapse_warning(references, references) is None
