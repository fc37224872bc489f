import keras
import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.data import ClassifierPreprocessor
from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data import build_vocabulary
from keras_mm.tasks import task_of
from tests.data.media import small_dataset
from tests.data.media import write_csv
from tests.data.media import write_jpeg
from tests.data.media import write_png
from tests.data.media import write_wav

INPUTS = {"image": (16, 16, 3), "audio": (4000,), "text": (6,)}


def preprocessor(inputs=INPUTS, vocabulary=("shared", "words")):
    return ClassifierPreprocessor(inputs, ["cat", "dog"], list(vocabulary))


def manifest(tmp_path, rows):
    return Manifest.read(write_csv(tmp_path / "m.csv", rows))


def first_batch(pre, m, **kwargs):
    return next(iter(pre.dataset(m, batch_size=len(m), **kwargs)))


def test_dataset_yields_exactly_the_model_inputs(tmp_path):
    m = manifest(tmp_path, small_dataset(tmp_path))
    model = zoo.build("multimodal_classifier", modalities=("image", "text"))
    vocabulary = build_vocabulary(m.column("text"))
    pre = ClassifierPreprocessor.from_model(model, ["cat", "dog"], vocabulary)
    inputs, targets = first_batch(pre, m)
    assert set(inputs) == set(model.input) == {"image", "text", "presence"}
    np.testing.assert_array_equal(inputs["presence"], np.ones((4, 2)))
    assert inputs["image"].shape == (4, 64, 64, 3)
    assert inputs["text"].dtype == "int32"
    np.testing.assert_array_equal(targets[:, 0], [0, 1, 0, 1])
    model.compile(loss="binary_crossentropy")
    model.fit(pre.dataset(m, batch_size=2), verbose=0, shuffle=False)


def test_text_is_tokenized_with_padding(tmp_path):
    m = manifest(tmp_path, small_dataset(tmp_path))
    inputs, _ = first_batch(preprocessor(), m)
    # "word0 shared words": OOV (1), then "shared" (2) and "words" (3).
    np.testing.assert_array_equal(inputs["text"][0], [1, 2, 3, 0, 0, 0])


def test_images_convert_channels_and_resize(tmp_path):
    rows = small_dataset(tmp_path, 2)
    write_png(tmp_path / "img0.png", 10, 12, channels=1, value=100)
    write_jpeg(tmp_path / "img1.png", 40, 8)
    m = manifest(tmp_path, rows)
    inputs, _ = first_batch(preprocessor(), m)
    assert inputs["image"].shape == (2, 16, 16, 3)
    np.testing.assert_allclose(inputs["image"][0], 100.0, atol=1.0)
    gray = preprocessor({"image": (8, 8, 1)})
    inputs, _ = first_batch(gray, m)
    assert inputs["image"].shape == (2, 8, 8, 1)


def test_audio_is_resampled_mixed_and_padded(tmp_path):
    rows = small_dataset(tmp_path, 2)
    write_wav(tmp_path / "snd0.wav", 0.25, 16000, 1000.0, channels=2)
    write_wav(tmp_path / "snd1.wav", 2.0, 8000, 500.0)
    m = manifest(tmp_path, rows)
    inputs, _ = first_batch(preprocessor(), m)
    audio = np.asarray(inputs["audio"])
    assert audio.shape == (2, 4000)
    # 0.25 s at 16 kHz becomes 2000 samples at 8 kHz, then zero padding.
    assert np.abs(audio[0, 2100:]).max() == 0
    assert np.abs(audio[0, 100:1900]).max() > 0.4
    spectrum = np.abs(np.fft.rfft(audio[0, :2000]))
    assert abs(np.argmax(spectrum) * 8000 / 2000 - 1000.0) <= 8
    # 2 s is cropped to the first 0.5 s.
    assert np.abs(audio[1]).max() > 0.4


def test_unlabelled_dataset_and_save_load_round_trip(tmp_path):
    m = manifest(tmp_path, small_dataset(tmp_path))
    pre = preprocessor()
    pre.save(tmp_path)
    again = ClassifierPreprocessor.load(tmp_path)
    assert again.get_config() == pre.get_config()
    assert again.vocabulary == pre.vocabulary
    a = first_batch(pre, m, labels=False)
    b = first_batch(again, m, labels=False)
    assert set(a) == set(INPUTS)
    for name in INPUTS:
        np.testing.assert_array_equal(a[name], b[name])


def test_sample_rate_comes_from_the_build_config_not_the_layers(tmp_path):
    # A waveform encoder has no MelSpectrogram to show its rate: it was
    # fed 8 kHz audio whatever it was built for.
    rows = small_dataset(tmp_path)
    m = manifest(tmp_path, rows)
    write_wav(tmp_path / "snd0.wav", 0.1, 16000, 1000.0)
    model, pre = task_of("multimodal_classifier").fit_to(
        m,
        "multimodal_classifier",
        modalities=("audio",),
        audio_encoder="waveform",
        sample_rate=16000,
        audio_length=1600,
    )
    assert pre.sample_rate == 16000
    assert pre.inputs["audio"] == (1600,)
    x, _ = next(iter(pre.dataset(m, batch_size=4)))
    # 0.1 s at 16 kHz fills the 1600 samples; at 8 kHz it filled half.
    audio = x["audio"].numpy()[0]
    assert np.abs(audio[1500:]).max() > 0.3
    (tmp_path / "bundle").mkdir()
    pre.save(tmp_path / "bundle")
    assert ClassifierPreprocessor.load(tmp_path / "bundle").sample_rate == 16000


def bad_input_cases():
    def missing_image(d, rows):
        (d / "img2.png").unlink()
        return "row 3: image file not found: .*img2.png"

    def broken_image(d, rows):
        (d / "img1.png").write_bytes(b"\x89PNG not really")
        return "row 2: could not decode image .*img1.png"

    def missing_wav(d, rows):
        rows[3]["audio"] = "nowhere.wav"
        return "row 4: audio file not found: .*nowhere.wav"

    def broken_wav(d, rows):
        (d / "snd0.wav").write_bytes(b"RIFF....WAVEjunk")
        return "row 1: could not decode audio file .*snd0.wav"

    def text_as_wav(d, rows):
        # (8-, 24-, 32-bit and float WAVs are read: see test_audio.py.)
        (d / "snd2.wav").write_text("not a sound\n")
        return "row 3: could not decode audio file .*snd2.wav"

    def truncated_wav(d, rows):
        path = d / "snd1.wav"
        path.write_bytes(path.read_bytes()[:100])
        return "row 2: audio file .*snd1.wav is empty or truncated"

    def padded_chunk_wav(d, rows):
        # Valid RIFF: an odd-sized chunk, padded, before `data`. TensorFlow's
        # decoder (the pipeline's) cannot read it, so the check refuses it.
        path = d / "snd1.wav"
        data = path.read_bytes()
        extra = b"LIST" + (3).to_bytes(4, "little") + b"abc\0"
        data = data[:36] + extra + data[36:]
        size = (len(data) - 8).to_bytes(4, "little")
        path.write_bytes(data[:4] + size + data[8:])
        return "row 2: could not decode audio file .*snd1.wav .*16-bit PCM"

    def missing_column(d, rows):
        for row in rows:
            del row["audio"]
        return 'no "audio" column'

    def unknown_label(d, rows):
        rows[2]["label"] = "bird"
        return "row 3: unknown label 'bird'"

    return [
        missing_image,
        broken_image,
        missing_wav,
        broken_wav,
        text_as_wav,
        truncated_wav,
        padded_chunk_wav,
        missing_column,
        unknown_label,
    ]


@pytest.mark.parametrize("case", bad_input_cases(), ids=lambda f: f.__name__)
def test_bad_input_names_file_and_row(case, tmp_path):
    rows = small_dataset(tmp_path)
    pattern = case(tmp_path, rows)
    m = manifest(tmp_path, rows)
    with pytest.raises(ManifestError, match=pattern) as info:
        preprocessor().dataset(m)
    assert "m.csv" in str(info.value)


def test_text_model_needs_a_vocabulary():
    with pytest.raises(ValueError, match="vocabulary"):
        ClassifierPreprocessor({"text": (4,)}, ["a", "b"])


def test_unknown_input_name_is_rejected():
    model_input = keras.Input((3,), name="smell")
    model = keras.Model({"smell": model_input}, model_input)
    with pytest.raises(ValueError, match="smell"):
        ClassifierPreprocessor.from_model(model, ["a", "b"])


OPTIONAL = {**INPUTS, "presence": (3,)}


def test_empty_cells_mark_modalities_absent(tmp_path):
    rows = small_dataset(tmp_path)
    rows[1]["audio"] = ""
    rows[2]["image"] = ""
    rows[2]["text"] = ""
    m = manifest(tmp_path, rows)
    inputs, _ = first_batch(preprocessor(OPTIONAL), m)
    np.testing.assert_array_equal(
        inputs["presence"], [[1, 1, 1], [1, 0, 1], [0, 1, 0], [1, 1, 1]]
    )
    assert np.abs(inputs["audio"][1]).max() == 0
    assert np.abs(inputs["image"][2]).max() == 0
    assert np.abs(inputs["text"][2]).max() == 0
    assert np.abs(inputs["audio"][0]).max() > 0


def test_empty_cells_need_a_presence_input(tmp_path):
    rows = small_dataset(tmp_path)
    rows[1]["audio"] = ""
    with pytest.raises(ManifestError, match='row 2: the "audio" cell is empty'):
        preprocessor().dataset(manifest(tmp_path, rows))


def test_a_row_needs_one_modality(tmp_path):
    rows = small_dataset(tmp_path)
    rows[3].update(image="", audio="", text="")
    with pytest.raises(ManifestError, match="row 4: every modality cell"):
        preprocessor(OPTIONAL).dataset(manifest(tmp_path, rows))


def test_drop_marks_a_modality_absent_everywhere(tmp_path):
    m = manifest(tmp_path, small_dataset(tmp_path))
    inputs, _ = first_batch(preprocessor(OPTIONAL), m, drop=("image",))
    np.testing.assert_array_equal(inputs["presence"][:, 0], 0)
    np.testing.assert_array_equal(inputs["presence"][:, 1:], 1)
    assert np.abs(inputs["image"]).max() == 0
    with pytest.raises(ValueError, match="no 'presence' input"):
        preprocessor().dataset(m, drop=("image",))
    with pytest.raises(ValueError, match="Cannot drop"):
        preprocessor(OPTIONAL).dataset(m, drop=("video",))


def _epochs(pre, m, **kwargs):
    data = pre.dataset(
        m, batch_size=2, shuffle=True, seed=3, epochs=(0, 2), **kwargs
    )
    return [(x["image"].numpy(), y.numpy()) for x, y in data]


def test_rows_beyond_the_cache_budget_are_decoded_every_epoch(tmp_path):
    # The rows are read again once the budget is exceeded: an image
    # rewritten after the first pass shows in the second.
    m = manifest(tmp_path, small_dataset(tmp_path))
    pre = preprocessor()
    within = pre.dataset(m, batch_size=4)
    beyond = pre.dataset(m, batch_size=4, cache_mb=0.001)
    for ds in (within, beyond):
        next(iter(ds))
    write_png(tmp_path / "img0.png", 16, 16, value=7)
    assert float(next(iter(within))[0]["image"][0].numpy().mean()) != 7.0
    np.testing.assert_allclose(next(iter(beyond))[0]["image"][0], 7.0)


def test_streamed_rows_come_in_the_order_of_cached_ones(tmp_path):
    # Resuming relies on each epoch's order depending on the seed alone.
    m = manifest(tmp_path, small_dataset(tmp_path, 6))
    pre = preprocessor()
    cached = _epochs(pre, m, cache=True)
    streamed = _epochs(pre, m, cache=False)
    assert len(cached) == len(streamed) == 6
    for (a, y), (b, z) in zip(cached, streamed):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(y, z)
    # Rows are told apart by their image's value (40 * row).
    order = [round(v / 40) for a, _ in cached for v in a.mean((1, 2, 3))]
    assert sorted(order[:6]) == sorted(order[6:]) == list(range(6))
    assert order[:6] != order[6:]


@pytest.mark.parametrize("cache", [True, False])
def test_process_shares_make_up_the_batches_of_one_process(tmp_path, cache):
    m = manifest(tmp_path, small_dataset(tmp_path, num_rows=5))
    pre = preprocessor()
    options = dict(batch_size=4, shuffle=True, seed=3, epochs=(1, 3))
    whole = [x["audio"] for x, _ in pre.dataset(m, cache=cache, **options)]
    shares = [
        [
            x["audio"]
            for x, _ in pre.dataset(m, cache=cache, shard=(i, 2), **options)
        ]
        for i in range(2)
    ]
    # One process: batches of 4 and 1 rows an epoch. Two: 2 rows each, the
    # epoch's last row left out so that they have as many.
    assert [len(b) for b in whole] == [4, 1, 4, 1]
    for i, share in enumerate(shares):
        assert len(share) == 2
        for epoch, batch in enumerate(share):
            np.testing.assert_array_equal(batch, whole[2 * epoch][i::2])
    assert not np.array_equal(whole[0], whole[2])  # Each epoch reshuffled.


def test_a_zero_cache_caches_nothing_and_shuffles_fully(tmp_path):
    # --cache-mb 0 once shrank the shuffle buffer to one row, so training
    # saw the rows in file order.
    m = manifest(tmp_path, small_dataset(tmp_path, 6))
    pre = preprocessor()
    cached = _epochs(pre, m, cache=True)
    uncached = _epochs(pre, m, cache_mb=0)
    for (a, _), (b, _) in zip(cached, uncached, strict=True):
        np.testing.assert_array_equal(a, b)
    in_file_order = _epochs(pre, m, cache=False, shuffle_mb=0)
    assert not all(
        np.array_equal(a, b) for (a, _), (b, _) in zip(cached, in_file_order)
    )
