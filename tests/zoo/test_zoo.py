import keras
import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.fusion import list_fusions
from keras_mm.fusion.fusion_layer import FusionLayer
from tests.helpers import forward
from tests.helpers import random_inputs
from tests.helpers import run_model_test


@pytest.mark.parametrize("name", zoo.list_models("classification"))
def test_zoo_model(name, tmp_path):
    # The sigmoid head of two classes; softmax heads train in the fusion
    # sweep below, and in every CLI test on the demo's 8 classes.
    model = zoo.build(name, num_classes=2, vocabulary_size=60)
    run_model_test(model, tmp_path)


# Small inputs keep the sequence fusions (150 audio tokens by default) fast.
SMALL = dict(image_shape=(32, 32, 3), audio_length=4000, sequence_length=8)
# The fusion sweep takes an image, text (a sequence, as audio is), video
# (4 frames of 16x16) and a table (a number and a category).
TABLE = [
    {"name": "x", "kind": "numeric", "mean": 1.0, "variance": 1.0},
    {"name": "c", "kind": "categorical", "categories": ["a", "b"]},
]
EVERY = dict(
    modalities=("image", "text", "tabular", "video"),
    image_shape=(16, 16, 3),
    sequence_length=6,
    hidden_dim=16,
    modality_config={
        "video": {"shape": [4, 16, 16, 3]},
        "tabular": {"features": TABLE},
    },
)
# Graph training and SavedModel parity for one decision-level and one
# sequence fusion (concat is in `test_zoo_model`); the rest share them.
EXPORTED = ("late", "cross_attention")


@pytest.mark.parametrize("fusion", list_fusions())
def test_modalities_with_every_fusion(fusion, tmp_path):
    keras.utils.set_random_seed(0)
    model = zoo.build(
        "multimodal_classifier", fusion=fusion, num_classes=3, **EVERY
    )
    assert list(model.input) == [*EVERY["modalities"], "presence"]
    run_model_test(model, tmp_path, full=fusion in EXPORTED)
    # An absent modality (presence 0) reaches neither the fused features
    # nor the output: sample 0 lacks its image, sample 1 its table and its
    # video. A present one changes the fused features; the output of a
    # multiplicative fusion of 4 modalities starts so near uniform that it
    # may move by one float32 step only (6e-8, with another test order).
    (layer,) = [x for x in model.layers if isinstance(x, FusionLayer)]
    probe = keras.Model(model.input, [model.output, layer.output])
    inputs = random_inputs(model, batch_size=2)
    inputs["presence"] = np.array([[0, 1, 1, 1], [1, 1, 0, 0]], "float32")
    before = forward(probe, inputs)
    changes = {
        "image": (0, 255 - inputs["image"]),
        "video": (1, 255 - inputs["video"]),
        "tabular": (1, inputs["tabular"] + 1),  # Category ids stay valid.
    }
    for name, (absent, value) in changes.items():
        changed = dict(inputs, **{name: value})
        after = forward(probe, changed)
        for b, a in zip(before, after):
            assert np.abs(b[absent] - a[absent]).max() < 1e-7, name
        # At least 1e-5 for every fusion at seeds 0 to 3 (late fusion's
        # features are its averaged probabilities).
        moved = np.abs(before[1][1 - absent] - after[1][1 - absent]).max()
        assert moved > 1e-6, name


@pytest.mark.parametrize("modalities", [("image",), ("audio", "text")])
def test_multimodal_classifier_modality_subsets(modalities, tmp_path):
    model = zoo.build(
        "multimodal_classifier",
        modalities=modalities,
        text_encoder="transformer",
        audio_encoder="waveform",
    )
    expected = set(modalities) | (
        {"presence"} if len(modalities) > 1 else set()
    )
    assert set(model.input) == expected
    run_model_test(model, tmp_path)


@pytest.mark.parametrize(
    "modalities", [("image", "question"), ("audio", "text", "question")]
)
def test_vqa_classifier(modalities, tmp_path):
    model = zoo.build(
        "vqa_classifier", modalities=modalities, num_classes=2, **SMALL
    )
    assert model.output.shape[-1] == 2  # A softmax, also over two answers.
    run_model_test(model, tmp_path, full="image" in modalities)


@pytest.mark.parametrize("name", zoo.list_models())
def test_every_entry_runs_and_reloads_safely(name, tmp_path):
    model = zoo.build(name, vocabulary_size=60)
    inputs = random_inputs(model, batch_size=2)
    outputs = np.asarray(model(inputs))
    assert outputs.shape[0] == 2 and np.all(np.isfinite(outputs))
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    np.testing.assert_allclose(reloaded(inputs), outputs, atol=1e-5)


def test_every_entry_documents_its_source():
    for name in zoo.list_models():
        builder = zoo.registry.MODELS[name][0]
        doc = builder.__doc__
        assert zoo.describe(name) in doc
        if name.startswith("seed"):
            assert "Article" in doc and "What had to change" in doc


def test_build_rejects_unknown_names_and_arguments():
    with pytest.raises(ValueError, match="Unknown model 'nope'"):
        zoo.build("nope")
    with pytest.raises(ValueError, match="no argument"):
        zoo.build("seed004_attention", colour="red")


def test_config_applies_overrides():
    config = zoo.config("seed000_concat", num_classes=3)
    assert config["num_classes"] == 3
    assert config["image_shape"] == (28, 28, 1)
