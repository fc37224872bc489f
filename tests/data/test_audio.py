import struct

import numpy as np
import pytest
import soundfile
import tensorflow as tf

from keras_mm.data.audio import check_audio
from keras_mm.data.audio import is_plain_wav
from keras_mm.data.audio import load_audio
from keras_mm.data.manifest import ManifestError
from tests.data.media import small_dataset
from tests.data.media import write_wav
from tests.data.test_preprocessor import manifest
from tests.data.test_preprocessor import preprocessor

RATE = 8000


def tone(seconds=0.25, rate=RATE, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.5 * np.sin(2 * np.pi * 440 * t).astype("float32")
    return np.repeat(signal[:, None], channels, 1)


def with_rate(path, rate):
    """Rewrite a plain WAV's header to claim `rate` Hz."""
    data = bytearray(path.read_bytes())
    data[24:28] = struct.pack("<I", rate)
    path.write_bytes(bytes(data))
    return path


def extensible_wav(path, signal, rate=RATE):
    """16-bit PCM in a WAVE_FORMAT_EXTENSIBLE (65534) header."""
    pcm = (signal[:, 0] * 32767).astype("<i2").tobytes()
    pcm_guid = bytes.fromhex("0100000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHH", 65534, 1, rate, 2 * rate, 2, 16)
    fmt += struct.pack("<HHI", 22, 16, 4) + pcm_guid
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@pytest.mark.parametrize("rate", [0, 1, 999, 400_000])
def test_a_header_with_an_absurd_rate_is_refused_before_decoding(
    rate, tmp_path
):
    # 0 Hz decoded to silence; 1 Hz was upsampled to 128 M samples.
    rows = small_dataset(tmp_path)
    with_rate(tmp_path / "snd2.wav", rate)
    m = manifest(tmp_path, rows)
    with pytest.raises(ManifestError) as info:
        preprocessor().dataset(m)
    message = str(info.value)
    assert "m.csv, row 3" in message and "snd2.wav" in message
    assert f"sampling rate of {rate} Hz, outside 1000 to 384000" in message


def test_rates_at_the_edges_of_the_range_are_read(tmp_path):
    assert check_audio(write_wav(tmp_path / "a.wav", 0.1, 1000)) == 1000
    assert check_audio(write_wav(tmp_path / "b.wav", 0.01, 384000)) == 384000


def test_wave_format_extensible_pcm_is_read_like_plain_pcm(tmp_path):
    signal = tone()
    plain = write_wav(tmp_path / "plain.wav", 0.25, RATE, 440.0)
    extensible = extensible_wav(tmp_path / "ext.wav", signal)
    assert not is_plain_wav(extensible.read_bytes()[:36])
    assert check_audio(extensible) == RATE
    a = load_audio(tf.constant(str(plain)), 2000, RATE).numpy()
    b = load_audio(tf.constant(str(extensible)), 2000, RATE).numpy()
    np.testing.assert_allclose(a, b, atol=2e-4)


FORMATS = {
    "wav-u8": ("wav", "PCM_U8", 1 / 64),
    "wav-16": ("wav", "PCM_16", 1e-4),
    "wav-24": ("wav", "PCM_24", 1e-4),
    "wav-32": ("wav", "PCM_32", 1e-4),
    "wav-float": ("wav", "FLOAT", 1e-4),
    "flac": ("flac", "PCM_16", 1e-4),
    "ogg": ("ogg", "VORBIS", 0.05),
}


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_decodes_to_the_same_waveform(name, tmp_path):
    suffix, subtype, tolerance = FORMATS[name]
    path = tmp_path / f"sound.{suffix}"
    signal = tone(channels=2)  # Stereo: mixed to mono.
    soundfile.write(path, signal, 16000 // 2, subtype=subtype)
    assert check_audio(path) == RATE
    # Resampled to 16 kHz in the pipeline, through tf.data's graph.
    ds = tf.data.Dataset.from_tensors(str(path)).map(
        lambda p: load_audio(p, 4000, 2 * RATE)
    )
    waveform = next(iter(ds)).numpy()
    plain = write_wav(tmp_path / "plain.wav", 0.25, RATE, 440.0)
    expected = load_audio(tf.constant(str(plain)), 4000, 2 * RATE).numpy()
    # The first and last milliseconds differ by codec delay and padding.
    np.testing.assert_allclose(
        waveform[400:3600], expected[400:3600], atol=tolerance
    )


def test_audio_in_other_formats_trains_through_the_preprocessor(tmp_path):
    rows = small_dataset(tmp_path)
    soundfile.write(tmp_path / "snd1.flac", tone(), RATE)
    extensible_wav(tmp_path / "snd3.wav", tone())
    rows[1]["audio"] = "snd1.flac"
    m = manifest(tmp_path, rows)
    x, _ = next(iter(preprocessor().dataset(m, batch_size=4)))
    assert np.abs(x["audio"].numpy()).max(axis=-1).min() > 0.4


@pytest.mark.parametrize(
    "suffix, subtype",
    [("wav", "PCM_24"), ("flac", None), ("ogg", None), ("mp3", None)],
)
def test_a_truncated_file_of_any_format_is_refused(suffix, subtype, tmp_path):
    path = tmp_path / f"cut.{suffix}"
    soundfile.write(path, tone(1.0)[:, 0], 16000, subtype=subtype)
    check_audio(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ValueError, match=r"cut\.\w+ (is empty or truncated|\()"
    ):
        check_audio(path)
