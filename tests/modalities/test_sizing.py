from keras_mm.data import Manifest
from keras_mm.modalities import get_modality
from tests.data.media import write_csv
from tests.data.media import write_png
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


def test_images_are_read_at_their_own_size_within_a_budget(tmp_path):
    rows = []
    for i, (height, width) in enumerate([(30, 66), (32, 64), (34, 62)]):
        write_png(tmp_path / f"{i}.png", height, width, channels=1)
        rows.append({"image": f"{i}.png"})
    manifest = Manifest.read(write_csv(tmp_path / "gray.csv", rows))
    # The median size, in multiples of 8; gray files, one channel.
    assert size("image", manifest, {}) == {"image_shape": (32, 64, 1)}
    write_png(tmp_path / "big.png", 300, 600, channels=3)
    write_png(tmp_path / "small.png", 4, 4, channels=1)
    rows += [{"image": "big.png"}, {"image": "small.png"}, {"image": ""}]
    manifest = Manifest.read(write_csv(tmp_path / "mixed.csv", rows))
    assert size("image", manifest, {}) == {"image_shape": (32, 64, 3)}
    big = Manifest.read(write_csv(tmp_path / "big.csv", [{"image": "big.png"}]))
    # Scaled to at most 64x64 pixels, the aspect kept: 45x90 -> 48x88.
    assert size("image", big, {}) == {"image_shape": (48, 88, 3)}
    tiny = Manifest.read(
        write_csv(tmp_path / "t.csv", [{"image": "small.png"}])
    )
    assert size("image", tiny, {}) == {"image_shape": (16, 16, 1)}
    (tmp_path / "bad.png").write_bytes(b"not an image")
    bad = Manifest.read(write_csv(tmp_path / "b.csv", [{"image": "bad.png"}]))
    assert size("image", bad, {}) == {}
