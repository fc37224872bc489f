import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.captions import build_caption_vocabulary
from keras_mm.tasks import task_of
from tests.data.media import write_csv
from tests.data.media import write_png
from tests.data.media import write_wav

CAPTIONS = ["a red circle", "a blue square with a low tone", "a red square"]


def hearing_captioner(sequence_length=8):
    vocabulary = build_caption_vocabulary(CAPTIONS, 100)
    model = zoo.build(
        "seed001_mmlm_captioner",
        vocabulary_size=len(vocabulary),
        sequence_length=sequence_length,
        image_shape=(16, 16, 3),
        audio_length=2000,
        sample_rate=4000,
    )
    return CaptionPreprocessor.from_model(model, vocabulary, sample_rate=4000)


def manifest(tmp_path, audio_rate=8000):
    rows = []
    for i, caption in enumerate(CAPTIONS):
        rows.append(
            {
                "image": write_png(tmp_path / f"{i}.png").name,
                "audio": write_wav(tmp_path / f"{i}.wav", 0.4, audio_rate).name,
                "caption": caption,
            }
        )
    write_csv(tmp_path / "m.csv", rows)
    return Manifest.read(tmp_path / "m.csv")


def test_batches_hold_exactly_the_captioners_inputs(tmp_path):
    pre = hearing_captioner()
    features, targets = next(iter(pre.dataset(manifest(tmp_path), 3)))
    assert sorted(features) == ["audio", "image", "tokens"]
    assert features["image"].shape == (3, 16, 16, 3)
    # 0.4 s at 8 kHz, resampled to 1600 samples at 4 kHz, padded to 2000.
    audio = features["audio"].numpy()
    assert audio.shape == (3, 2000)
    assert np.abs(audio[:, 1500:1600]).max() > 0.4
    assert np.all(audio[:, 1600:] == 0)
    tokens = features["tokens"].numpy()
    assert np.all(tokens[:, 0] == pre.tokenizer.start_id)
    # Targets are the tokens shifted by one.
    np.testing.assert_array_equal(tokens[:, 1:], targets.numpy()[:, :-1])
    generation = next(iter(pre.dataset(manifest(tmp_path), 3, captions=False)))
    assert sorted(generation) == ["audio", "image"]


def test_config_round_trips_the_audio_settings(tmp_path):
    pre = hearing_captioner()
    pre.save(tmp_path)
    loaded = CaptionPreprocessor.load(tmp_path)
    assert loaded.get_config() == pre.get_config()
    assert (loaded.audio_length, loaded.sample_rate) == (2000, 4000)
    assert loaded.modalities == ["image", "audio"]


def test_a_missing_clip_is_named_with_its_row(tmp_path):
    data = manifest(tmp_path)
    (tmp_path / "1.wav").unlink()
    with pytest.raises(ManifestError, match=r"m.csv, row 2: audio file"):
        hearing_captioner().dataset(data)


def test_a_missing_audio_column_is_named(tmp_path):
    write_csv(
        tmp_path / "m.csv",
        [{"image": write_png(tmp_path / "0.png").name, "caption": "a"}],
    )
    with pytest.raises(ManifestError, match='no "audio" column'):
        hearing_captioner().dataset(Manifest.read(tmp_path / "m.csv"))


def test_the_captioning_task_feeds_the_rate_the_model_was_built_for(tmp_path):
    model, pre = task_of("seed001_mmlm_captioner").fit_to(
        manifest(tmp_path), "seed001_mmlm_captioner", sample_rate=16000
    )
    assert pre.sample_rate == 16000
    # 0.4 s at 16 kHz: the suggested length holds all of it.
    assert pre.audio_length == model.input["audio"].shape[1] == 6400
