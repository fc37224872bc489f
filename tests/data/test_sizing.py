from keras_mm.data import Manifest
from keras_mm.data import suggest_lengths
from tests.data.media import write_csv
from tests.data.media import write_wav


def test_lengths_fit_the_data(tmp_path):
    rows = []
    for i in range(10):
        write_wav(tmp_path / f"{i}.wav", seconds=0.5 + 0.1 * i, rate=16000)
        rows.append({"audio": f"{i}.wav", "text": " ".join(["w"] * (i + 3))})
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    lengths = suggest_lengths(manifest, sample_rate=8000, quantile=1.0)
    assert lengths == {"audio_length": 11200, "sequence_length": 12}


def test_lengths_are_capped(tmp_path):
    write_wav(tmp_path / "long.wav", seconds=9.0, rate=8000)
    rows = [{"audio": "long.wav", "text": "word " * 500, "label": "a"}]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    assert suggest_lengths(manifest, 8000) == {
        "audio_length": 32000,
        "sequence_length": 128,
    }


def test_only_present_columns_are_sized(tmp_path):
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", [{"label": "a"}]))
    assert suggest_lengths(manifest, 8000) == {}
