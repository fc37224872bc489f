"""`keras-mm train`, `caption`, `evaluate` for captioners, and their bundles.

The image captioners train on real handwriting: scikit-learn's bundled
digits (a dev extra), three classes whose captions share a template and
differ in one word, so a captioner must look at the image. The captioner
that hears trains on the demo scenes with tones.
"""

import csv
import io
import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from keras_mm.captioning import SAMPLERS
from keras_mm.captioning import generate
from keras_mm.captioning.diversity import collapse_warning
from keras_mm.cli.main import main
from keras_mm.data import Manifest
from keras_mm.data import make_demo_dataset
from keras_mm.export import load_bundle
from keras_mm.tasks import fit_to
from tests.cli.test_cli import cli

# Run in a fresh interpreter: the SavedModel alone, without keras_mm.
CLIENT = """
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
# Arguments NAME=FILE.npy: the signature's inputs.
pairs = [arg.split("=", 1) for arg in sys.argv[2:]]
inputs = {name: tf.constant(np.load(path)) for name, path in pairs}
out = {}
for name in ("generate", "generate_beam", "generate_top_k"):
    result = model.signatures[name](**inputs)
    out[name] = {
        "token_ids": result["token_ids"].numpy().tolist(),
        "caption": [c.decode() for c in result["caption"].numpy()],
    }
assert not any(m.startswith("keras_mm") for m in sys.modules)
print(json.dumps(out))
"""


pytestmark = pytest.mark.long  # Each captioner trains for a minute.

NUMBERS = ("zero", "one", "seven")


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """Train and test manifests of handwritten 0, 1 and 7 with captions."""
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


@pytest.fixture(scope="module")
def captions(tmp_path_factory):
    directory = tmp_path_factory.mktemp("captions")
    return make_demo_dataset(directory, 48, seed=3, dataset="captions")


# The image captioners on the digits; the MMLM one with an audio column on
# the demo scenes with tones, for one epoch.
RUNS = {
    "transformer_captioner": "digits",
    "seed001_mmlm_captioner": "digits",
    "seed001_mmlm_captioner+audio": "sound_captions",
}


@pytest.fixture(scope="module")
def trained_runs():
    """Each run of `RUNS`, trained once for the module when first used."""
    return {}


# The tests of one run share its bundle: one worker runs them.
@pytest.fixture(
    params=[
        pytest.param(name, marks=pytest.mark.xdist_group(f"caption_{name}"))
        for name in RUNS
    ]
)
def run(request, trained_runs, tmp_path_factory):
    """`(bundle directory, test manifest)` of a CLI training run."""
    return _trained(request.param, request, trained_runs, tmp_path_factory)


# What every captioner shares (the samplers, the SavedModel's format) is
# checked on this run only; its tests join the run's worker.
SHARED = "transformer_captioner"
on_shared_run = pytest.mark.xdist_group(f"caption_{SHARED}")


@pytest.fixture
def shared_run(request, trained_runs, tmp_path_factory):
    return _trained(SHARED, request, trained_runs, tmp_path_factory)


def _trained(name, request, trained_runs, tmp_path_factory):
    # Function-scoped over a module cache: pytest would rebuild a
    # parametrized module fixture each time the test order leaves and
    # comes back to its parameter.
    if name not in trained_runs:
        trained_runs[name] = _train(name, request, tmp_path_factory)
    return trained_runs[name]


def _train(name, request, tmp_path_factory):
    model = name.split("+")[0]
    out = tmp_path_factory.mktemp("runs") / name
    command = "train --model {model} --data {data} --out {out} "
    if RUNS[name] == "digits":
        digits = request.getfixturevalue("digits")
        data, test = digits / "train.csv", digits / "test.csv"
        command += "--epochs 6"
    else:
        directory = tmp_path_factory.mktemp(RUNS[name])
        data = test = make_demo_dataset(
            directory, 48, seed=3, dataset=RUNS[name]
        )
        command += "--epochs 1 --batch-size 16"
    assert cli(command, model=model, data=data, out=out) == 0
    return out, test


@pytest.fixture
def captioner(run):
    return run[0]


def test_training_writes_a_captioner_bundle(captioner):
    names = {p.name for p in captioner.iterdir()}
    assert {"model.keras", "saved_model", "vocabulary.txt"} <= names
    metrics = json.loads((captioner / "metrics.json").read_text())
    assert 0.0 <= metrics["bleu4"] <= 1.0
    assert 0.0 <= metrics["token_accuracy"] <= 1.0


def test_caption_writes_one_row_per_manifest_row(run, capsys):
    check_caption_rows(run, "greedy", capsys)


@on_shared_run
@pytest.mark.parametrize("sampler", [s for s in SAMPLERS if s != "greedy"])
def test_every_sampler_writes_one_row_per_manifest_row(
    shared_run, sampler, capsys
):
    check_caption_rows(shared_run, sampler, capsys)


def check_caption_rows(run, sampler, capsys):
    captioner, captions = run
    command = "caption --model-dir {m} --data {d} --sampler {s}"
    assert cli(command, m=captioner, d=captions, s=sampler) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = list(range(1, len(Manifest.read(captions)) + 1))
    assert [int(r["row"]) for r in rows] == expected
    assert all(set(r) == {"row", "caption"} for r in rows)


def test_different_digits_get_different_captions(run, capsys):
    """Captioners must look at the image, not learn the caption prior."""
    captioner, test = run
    if "digits" not in str(test.parent):
        pytest.skip("trained on the demo scenes, not on the digits")
    assert cli("caption --model-dir {m} --data {d}", m=captioner, d=test) == 0
    out = capsys.readouterr().out
    captions = [r["caption"] for r in csv.DictReader(io.StringIO(out))]
    with open(test) as f:
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


def test_evaluate_prints_bleu4(run, capsys):
    captioner, captions = run
    assert (
        cli("evaluate --model-dir {m} --data {d}", m=captioner, d=captions) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert set(json.loads(lines[0])) >= {"bleu4", "token_accuracy", "loss"}


def test_predict_points_captioners_to_caption(run, capsys):
    captioner, captions = run
    assert (
        cli("predict --model-dir {m} --data {d}", m=captioner, d=captions) == 1
    )
    assert "use `keras-mm caption`" in capsys.readouterr().err


def generation_inputs(preprocessor, batch=2):
    """Random float32 `image` (and `audio`) arrays for a bundle's model."""
    rng = np.random.default_rng(0)
    inputs = {"image": rng.uniform(0, 255, (batch, *preprocessor.image_shape))}
    if preprocessor.audio_length:
        shape = (batch, preprocessor.audio_length)
        inputs["audio"] = rng.uniform(-1, 1, shape)
    return {name: x.astype("float32") for name, x in inputs.items()}


def test_saved_model_generates_without_keras_mm(captioner, tmp_path):
    model, preprocessor = load_bundle(captioner)
    inputs = generation_inputs(preprocessor)
    for name, x in inputs.items():
        np.save(tmp_path / f"{name}.npy", x)
    client = subprocess.run(
        [
            sys.executable,
            "-c",
            CLIENT,
            str(captioner / "saved_model"),
            *(f"{name}={tmp_path / name}.npy" for name in inputs),
        ],
        capture_output=True,
        text=True,
    )
    assert client.returncode == 0, client.stderr[-2000:]
    out = json.loads(client.stdout.strip().splitlines()[-1])
    tokenizer = preprocessor.tokenizer
    for name, sampler in (("generate", "greedy"), ("generate_beam", "beam")):
        expected = generate(
            model,
            {k: keras.ops.convert_to_tensor(x) for k, x in inputs.items()},
            tokenizer.start_id,
            tokenizer.end_id,
            sampler,
        )
        np.testing.assert_array_equal(out[name]["token_ids"], expected)
        assert out[name]["caption"] == tokenizer.detokenize(expected)
    ids = np.array(out["generate_top_k"]["token_ids"])
    assert ids.shape == (2, preprocessor.sequence_length + 1)


@on_shared_run
def test_saved_model_cli_runs_generate(shared_run, tmp_path):
    captioner = shared_run[0]
    _, preprocessor = load_bundle(captioner)
    inputs = generation_inputs(preprocessor, 1)
    for name, x in inputs.items():
        np.save(tmp_path / f"{name}.npy", x)
    result = subprocess.run(
        [
            "saved_model_cli",
            "run",
            "--dir",
            str(captioner / "saved_model"),
            "--tag_set",
            "serve",
            "--signature_def",
            "generate",
            "--inputs",
            ";".join(f"{name}={tmp_path / name}.npy" for name in inputs),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "caption" in result.stdout and "token_ids" in result.stdout


def test_captioners_reject_fusion_options(captions, tmp_path, capsys):
    command = (
        "train --model transformer_captioner --fusion gated --data {d} "
        "--out {tmp}/x"
    )
    assert cli(command, d=captions, tmp=tmp_path) == 1
    assert "does not take --fusion" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["caption", "--model-dir", str(tmp_path), "--data", "x"]) == 1


def test_only_captioners_that_hear_get_the_audio_column(tmp_path, capsys):
    data = make_demo_dataset(tmp_path, 12, seed=5, dataset="sound_captions")
    manifest = Manifest.read(data)
    model, preprocessor = fit_to(manifest, "seed001_mmlm_captioner")
    # The demo clips last one second at 8 kHz.
    assert model.input["audio"].shape == (None, 8000)
    assert preprocessor.modalities == ["image", "audio"]
    model, preprocessor = fit_to(manifest, "transformer_captioner")
    assert sorted(model.input) == ["image", "tokens"]
    assert preprocessor.modalities == ["image"]
    assert "the audio column is ignored" in capsys.readouterr().err
