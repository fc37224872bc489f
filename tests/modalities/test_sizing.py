from keras_mm.data import Manifest
from keras_mm.modalities import get_modality
from tests.data.media import write_csv
from tests.data.media import write_wav


def size(name, manifest, config):
    return get_modality(name).size(manifest, config, {})[0]


def test_lengths_fit_the_data(tmp_path):
    rows = []
    for i in range(10):
        write_wav(tmp_path / f"{i}.wav", seconds=0.5 + 0.1 * i, rate=16000)
        rows.append({"audio": f"{i}.wav", "text": " ".join(["w"] * (i + 3))})
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    # The 95% quantile of 0.5 s to 1.4 s, at 8 kHz; of 3 to 12 words.
    assert size("audio", manifest, {"sample_rate": 8000}) == {
        "audio_length": 10840
    }
    assert size("text", manifest, {}) == {"sequence_length": 12}
    sized = size("text", manifest, {"vocabulary_size": 100})
    assert sized["vocabulary_size"] == 1 + 2  # "w", padding and OOV.


def test_lengths_are_capped(tmp_path):
    write_wav(tmp_path / "long.wav", seconds=9.0, rate=8000)
    rows = [{"audio": "long.wav", "text": "word " * 500, "label": "a"}]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    assert size("audio", manifest, {"sample_rate": 8000}) == {
        "audio_length": 32000
    }
    assert size("text", manifest, {}) == {"sequence_length": 128}


def test_absent_audio_is_not_sized(tmp_path):
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", [{"label": "a"}]))
    assert size("audio", manifest, {"sample_rate": 8000}) == {}
