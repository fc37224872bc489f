import keras
import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.data import Manifest
from keras_mm.data import Preprocessor
from keras_mm.data import build_vocabulary
from keras_mm.data import demo_classes
from keras_mm.data import demo_manifest
from keras_mm.data import learn_class_names
from keras_mm.data import make_demo_dataset
from keras_mm.training import train


def test_demo_is_deterministic_and_cached(tmp_path):
    a = make_demo_dataset(tmp_path / "a", num_samples=12, seed=3)
    b = make_demo_dataset(tmp_path / "b", num_samples=12, seed=3)
    assert a.read_text() == b.read_text()
    for name in ("images/00005.png", "audio/00005.wav"):
        assert (a.parent / name).read_bytes() == (b.parent / name).read_bytes()
    path = demo_manifest(12, seed=3, cache_dir=tmp_path / "cache")
    assert path.read_text() == a.read_text()
    assert demo_manifest(12, seed=3, cache_dir=tmp_path / "cache") == path
    labels = {row["label"] for row in Manifest.read(path).rows}
    assert labels <= set(demo_classes())


@pytest.fixture(scope="module")
def demo_split(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    manifest = Manifest.read(make_demo_dataset(directory, 960, seed=1))
    return manifest.split(0.25, seed=0)


def _accuracy(modalities, train_manifest, val_manifest):
    keras.utils.set_random_seed(0)
    class_names = learn_class_names(train_manifest)
    vocabulary = build_vocabulary(train_manifest.column("text"))
    model = zoo.build(
        "multimodal_classifier",
        modalities=modalities,
        num_classes=len(class_names),
        vocabulary_size=len(vocabulary) + 2,
        image_shape=(32, 32, 3),
        hidden_dim=32,
    )
    pre = Preprocessor.from_model(model, class_names, vocabulary)
    val = pre.dataset(val_manifest)
    train(
        model,
        pre.dataset(train_manifest, shuffle=True, seed=0),
        val,
        epochs=12,
        learning_rate=3e-3,
        patience=12,
        verbose=0,
    )
    return model.evaluate(val, return_dict=True, verbose=0)["accuracy"]


def test_fusion_beats_every_single_modality(demo_split):
    train_manifest, val_manifest = demo_split
    single = {
        m: _accuracy((m,), train_manifest, val_manifest)
        for m in ("image", "audio", "text")
    }
    fused = _accuracy(("image", "audio", "text"), train_manifest, val_manifest)
    print(f"single-modality accuracy {single}, fused {fused:.3f}")
    # By construction one modality can reach at most 25% (8 classes).
    assert max(single.values()) < 0.4
    assert fused > max(single.values()) + 0.35
    assert np.isfinite(fused)
