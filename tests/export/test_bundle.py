import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_mm import zoo
from keras_mm.data import ClassifierPreprocessor
from keras_mm.export import export_bundle
from keras_mm.export import load_bundle
from keras_mm.export import staging_directory
from tests.helpers import forward
from tests.helpers import random_inputs

VOCABULARY = ["a", "b"] + [f"w{i}" for i in range(56)]


def small_model():
    return zoo.build(
        "multimodal_classifier",
        modalities=("audio", "text"),
        audio_length=400,
        sequence_length=6,
        vocabulary_size=len(VOCABULARY) + 2,  # + padding and OOV.
        hidden_dim=8,
    )


def test_bundle_round_trip(tmp_path):
    model = small_model()
    pre = ClassifierPreprocessor.from_model(model, ["no", "yes"], VOCABULARY)
    out = export_bundle(model, pre, tmp_path / "bundle")
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        ".keras_mm_bundle",
        "model.keras",
        "preprocessing.json",
        "saved_model",
        "vocabulary.txt",
    ]
    inputs = random_inputs(model)
    expected = forward(model, inputs)
    loaded, loaded_pre = load_bundle(out)
    np.testing.assert_allclose(forward(loaded, inputs), expected)
    assert loaded_pre.get_config() == pre.get_config()
    serving = tf.saved_model.load(str(out / "saved_model"))
    signature = serving.signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {
        "audio",
        "text",
        "presence",
    }
    outputs = signature(**{k: tf.constant(v) for k, v in inputs.items()})
    np.testing.assert_allclose(outputs["output_0"], expected, atol=1e-5)


def test_failed_export_keeps_the_previous_bundle(tmp_path):
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "model.keras").write_text("the good one")
    (target / ".keras_mm_bundle").write_text("{}")

    class Broken(ClassifierPreprocessor):
        def save(self, directory):
            raise OSError("disk full")

    model = small_model()
    broken = Broken.from_model(model, ["no", "yes"], VOCABULARY)
    with pytest.raises(OSError, match="disk full") as info:
        export_bundle(model, broken, target)
    assert (target / "model.keras").read_text() == "the good one"
    assert "Partial output kept in" in info.value.__notes__[0]
    partial = list(tmp_path.glob(".bundle.partial-*"))
    assert len(partial) == 1 and (partial[0] / "model.keras").is_file()


def test_staging_replaces_a_bundle_of_its_own_files_only(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    (target / ".keras_mm_bundle").write_text('{"files": ["old.txt"]}')
    with staging_directory(target) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == [
        ".keras_mm_bundle",
        "new.txt",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # A file put into the bundle while the next run works stops its swap.
    with pytest.raises(ValueError, match=r"did not write \(notes.md\)") as e:
        with staging_directory(target) as staging:
            (staging / "newer.txt").write_text("newer")
            (target / "notes.md").write_text("mine")
    assert "The new bundle is kept in" in e.value.__notes__[-1]
    assert (target / "notes.md").read_text() == "mine"
    assert (target / "new.txt").read_text() == "new"
    assert (staging / "newer.txt").read_text() == "newer"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = small_model()
    pre = ClassifierPreprocessor.from_model(model, ["no", "yes"], VOCABULARY)
    return export_bundle(model, pre, tmp_path_factory.mktemp("x") / "bundle")


@pytest.fixture
def bundle(exported, tmp_path):
    """A fresh copy of one exported bundle, which the test may damage."""
    return shutil.copytree(exported, tmp_path / "bundle")


def test_load_bundle_needs_a_folder(tmp_path):
    with pytest.raises(ValueError, match="nope not found"):
        load_bundle(tmp_path / "nope")


def test_load_bundle_names_a_missing_model(bundle):
    (bundle / "model.keras").unlink()
    with pytest.raises(ValueError, match=f"Bundle {bundle} has no model"):
        load_bundle(bundle)


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_load_bundle_names_a_damaged_model(damage, bundle):
    path = bundle / "model.keras"
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        middle = len(data) // 2
        path.write_bytes(data[:middle] + b"\0" * 4096 + data[middle + 4096 :])
    with pytest.raises(ValueError, match=f"Bundle {bundle}: model.keras is"):
        load_bundle(bundle)


def test_load_bundle_names_missing_preprocessing(bundle):
    (bundle / "preprocessing.json").unlink()
    with pytest.raises(ValueError, match=f"Bundle {bundle}: its preproc"):
        load_bundle(bundle)


def test_load_bundle_refuses_a_newer_format(bundle):
    (bundle / ".keras_mm_bundle").write_text(
        '{"format": 99, "keras_mm": "9.0"}'
    )
    with pytest.raises(ValueError, match="keras_mm 9.0.*Upgrade"):
        load_bundle(bundle)


def test_a_bundle_from_before_tasks_loads_as_a_classifier(bundle):
    # keras_mm 0.1 (bundle format 1) wrote no task for classifiers.
    path = bundle / "preprocessing.json"
    config = json.loads(path.read_text())
    del config["task"]
    path.write_text(json.dumps(config))
    (bundle / ".keras_mm_bundle").write_text('{"format": 1}')
    model, pre = load_bundle(bundle)
    assert isinstance(pre, ClassifierPreprocessor)
    assert pre.class_names == ["no", "yes"] and pre.vocabulary == VOCABULARY


def test_an_old_captioner_bundle_says_to_train_again(bundle):
    # keras_mm 0.1 saved captioners as plain functional models.
    image = keras.Input((16, 16, 3), name="image")
    tokens = keras.Input((4,), dtype="int32", name="tokens")
    logits = keras.layers.Dense(5)(
        keras.layers.Embedding(5, 4)(tokens)
        + keras.layers.Dense(4)(keras.layers.Flatten()(image))[:, None]
    )
    old = keras.Model(
        {"image": image, "tokens": tokens}, logits, name="transformer_captioner"
    )
    old.save(bundle / "model.keras")
    (bundle / "preprocessing.json").write_text(
        json.dumps(
            {
                "task": "captioning",
                "image_shape": [16, 16, 3],
                "sequence_length": 4,
                "caption_column": "caption",
                "audio_length": None,
                "sample_rate": 8000,
            }
        )
    )
    (bundle / "vocabulary.txt").write_text("[PAD]\n[UNK]\n[START]\n[END]\na\n")
    with pytest.raises(
        ValueError,
        match="saved by keras_mm 0.1.*keras-mm train --model "
        "transformer_captioner",
    ):
        load_bundle(bundle)
