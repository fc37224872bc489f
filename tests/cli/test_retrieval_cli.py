import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from keras_mm.cli.main import main
from keras_mm.data import Manifest
from keras_mm.data import make_demo_dataset
from keras_mm.export import load_bundle
from keras_mm.retrieval import towers
from tests.cli.test_cli import cli

# Tests of this module share trained bundles: one worker runs them all.
pytestmark = pytest.mark.xdist_group("test_retrieval_cli")

# Run in a fresh interpreter: the SavedModel alone, without keras_mm.
CLIENT = """
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
images = tf.constant(np.load(sys.argv[2]))
texts = tf.constant(json.loads(sys.argv[3]))
image = model.signatures["encode_image"](image=images)["embedding"]
text = model.signatures["encode_text"](text=texts)["embedding"]
assert not any(m.startswith("keras_mm") for m in sys.modules)
print(json.dumps([image.numpy().tolist(), text.numpy().tolist()]))
"""


@pytest.fixture(scope="module")
def captions(tmp_path_factory):
    directory = tmp_path_factory.mktemp("captions")
    return make_demo_dataset(directory, 48, seed=4, dataset="captions")


@pytest.fixture(scope="module")
def dual(captions, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "dual"
    command = (
        "train --model dual_encoder --data {data} --epochs 1 --batch-size 16 "
        "--out {out}"
    )
    assert cli(command, data=captions, out=out) == 0
    return out


def test_evaluate_prints_recall_both_ways(dual, captions, capsys):
    assert cli("evaluate --model-dir {m} --data {d}", m=dual, d=captions) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert set(metrics) == {
        f"recall@{k}_{way}"
        for k in (1, 5, 10)
        for way in ("image_to_text", "text_to_image")
    }
    assert all(0.0 <= v <= 1.0 for v in metrics.values())
    stored = json.loads((dual / "metrics.json").read_text())
    assert "recall@10_text_to_image" in stored


def test_retrieve_lists_the_top_k_images(dual, captions, capsys):
    args = ["retrieve", "--model-dir", str(dual), "--index", str(captions)]
    assert main(args + ["--k", "3", "--query", "a red circle on the left"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3]
    indexed = Manifest.read(captions).rows
    paths = {str(captions.parent / r["image"]) for r in indexed}
    assert {r["image"] for r in rows} <= paths
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_retrieve_ranks_distinct_texts_for_an_image(dual, captions, capsys):
    manifest = Manifest.read(captions)
    image = manifest.column("image")[7]
    args = ["retrieve", "--model-dir", str(dual), "--index", str(captions)]
    assert main(args + ["--k", "4", "--query-image", image]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    texts = [r["caption"] for r in rows]
    assert len(set(texts)) == 4
    # Each listed text is at its first row in the index.
    captions_ = manifest.column("caption")
    for r in rows:
        assert captions_.index(r["caption"]) + 1 == int(r["row"])
    # The scores are the embeddings' cosine similarities.
    model, preprocessor = load_bundle(dual)
    image_model, text_model = towers(model)
    query = image_model.predict(
        preprocessor.images(manifest.subset([7])), verbose=0
    )
    embedded = text_model.predict(preprocessor.token_ids(texts), verbose=0)
    np.testing.assert_allclose(
        [float(r["score"]) for r in rows], embedded @ query[0], atol=1e-3
    )
    all_texts = sorted(set(captions_))
    everything = text_model.predict(
        preprocessor.token_ids(all_texts), verbose=0
    )
    assert float(rows[0]["score"]) >= (everything @ query[0]).max() - 1e-3


def test_retrieve_needs_one_query(dual, captions, capsys):
    args = ["retrieve", "--model-dir", str(dual), "--index", str(captions)]
    with pytest.raises(SystemExit):
        main(args + ["--query", "a", "--query-image", "x.png"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_retrieve_names_a_missing_query_image(dual, captions, capsys):
    args = ["retrieve", "--model-dir", str(dual), "--index", str(captions)]
    assert main(args + ["--query-image", "missing.png"]) == 1
    assert "missing.png" in capsys.readouterr().err


def test_saved_model_encodes_without_keras_mm(dual, tmp_path):
    model, preprocessor = load_bundle(dual)
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, *preprocessor.image_shape))
    images = images.astype("float32")
    np.save(tmp_path / "images.npy", images)
    texts = ["a red circle on the left", "a blue square above a red circle"]
    client = subprocess.run(
        [
            sys.executable,
            "-c",
            CLIENT,
            str(dual / "saved_model"),
            str(tmp_path / "images.npy"),
            json.dumps(texts),
        ],
        capture_output=True,
        text=True,
    )
    assert client.returncode == 0, client.stderr[-2000:]
    image, text = json.loads(client.stdout.strip().splitlines()[-1])
    image_model, text_model = towers(model)
    np.testing.assert_allclose(image, image_model(images), atol=1e-5)
    ids = preprocessor.token_ids(texts)
    np.testing.assert_allclose(text, text_model(ids), atol=1e-5)


def test_saved_model_cli_runs_encode_text(dual):
    run = subprocess.run(
        [
            "saved_model_cli",
            "run",
            "--dir",
            str(dual / "saved_model"),
            "--tag_set",
            "serve",
            "--signature_def",
            "encode_text",
            "--input_exprs",
            "text=['a red circle', 'a blue square']",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "embedding" in run.stdout
