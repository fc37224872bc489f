import wave

import numpy as np
import pytest

from keras_mm.data import Manifest
from keras_mm.data import demo
from keras_mm.data import demo_classes
from keras_mm.data import demo_datasets
from keras_mm.data import demo_manifest
from keras_mm.data import make_demo_dataset
from keras_mm.data.demo import DATASETS
from keras_mm.data.demo import NOISE
from keras_mm.data.demo import OBJECTS
from keras_mm.data.demo import TARGETS
from keras_mm.data.demo import UNLABELLED
from keras_mm.data.demo_captions import COLOURS
from keras_mm.data.demo_captions import captioned_scene


@pytest.mark.parametrize("dataset", demo_datasets())
def test_demo_is_deterministic_and_cached(dataset, tmp_path):
    a = make_demo_dataset(
        tmp_path / "a", num_samples=12, seed=3, dataset=dataset
    )
    b = make_demo_dataset(
        tmp_path / "b", num_samples=12, seed=3, dataset=dataset
    )
    assert a.read_text() == b.read_text()
    manifest = Manifest.read(a)
    for name in ("image", "audio"):
        if name in manifest.columns:
            path = manifest.rows[5][name]
            assert (a.parent / path).read_bytes() == (
                b.parent / path
            ).read_bytes()
    targets = set(TARGETS.get(dataset, ("label",)))
    assert manifest.columns == set(DATASETS[dataset]) | targets
    cache = tmp_path / "cache"
    path = demo_manifest(12, seed=3, cache_dir=cache, dataset=dataset)
    assert path.read_text() == a.read_text()
    assert demo_manifest(12, seed=3, cache_dir=cache, dataset=dataset) == path
    if dataset not in UNLABELLED:
        labels = {row["label"] for row in Manifest.read(path).rows}
        assert labels <= set(demo_classes(dataset))


def test_unknown_demo_dataset_is_named(tmp_path):
    with pytest.raises(ValueError, match="Unknown demo dataset 'nope'"):
        demo_manifest(12, cache_dir=tmp_path, dataset="nope")


def _named(text):
    """The object a demo sentence names."""
    words = set(text.split())
    (name,) = [
        n for n, (_, synonyms) in OBJECTS.items() if words & set(synonyms)
    ]
    return name


def test_redundant_modalities_are_wrong_at_their_noise_rates():
    rng = np.random.default_rng(0)
    draws = [demo._redundant(rng) for _ in range(4000)]
    wrong = {
        "image": np.mean([shape != label for shape, _, _, label in draws]),
        "audio": np.mean(
            [band != OBJECTS[label][0] for _, band, _, label in draws]
        ),
        "text": np.mean([_named(text) != label for _, _, text, label in draws]),
    }
    for modality, rate in wrong.items():
        assert abs(rate - NOISE[modality]) < 0.03, (modality, rate)


def test_relation_label_is_independent_of_each_modality():
    rng = np.random.default_rng(0)
    draws = [demo._relation(rng) for _ in range(6000)]
    for name in OBJECTS:
        shown = [label for shape, _, _, label in draws if shape == name]
        said = [label for _, _, text, label in draws if _named(text) == name]
        for labels in (shown, said):
            assert abs(np.mean(np.array(labels) == "match") - 0.5) < 0.04
    assert all(
        (shape == _named(text)) == (label == "match")
        for shape, _, text, label in draws
    )


def test_captions_name_the_objects_drawn():
    rng = np.random.default_rng(0)
    for _ in range(50):
        image, caption = captioned_scene(rng)
        words = caption.split()
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        assert words[0] == "a" and words[1] in COLOURS
        # Pixels of the named colour are there.
        red, green, blue = COLOURS[words[1]]
        close = np.abs(image.astype(int) - (red, green, blue)).max(-1) < 40
        assert close.sum() > 50, caption


def test_sound_captions_name_the_pitch_heard(tmp_path):
    path = make_demo_dataset(tmp_path, 30, seed=1, dataset="sound_captions")
    manifest = Manifest.read(path)
    pitches = set()
    clips = manifest.column("audio")
    for caption, clip in zip(manifest.column("caption"), clips):
        *_, pitch, tone = caption.split()
        assert tone == "tone" and pitch in demo.PITCHES
        waveform = wav_samples(clip)
        spectrum = np.abs(np.fft.rfft(waveform))
        # One second at 8 kHz: bin k is k Hz.
        low, high = demo.PITCHES[pitch]
        assert low <= np.argmax(spectrum) <= high, (caption, clip)
        pitches.add(pitch)
    assert pitches == set(demo.PITCHES)


def wav_samples(path):
    with wave.open(str(path), "rb") as f:
        assert f.getframerate() == 8000 and f.getnframes() == 8000
        return np.frombuffer(f.readframes(f.getnframes()), "<i2")
