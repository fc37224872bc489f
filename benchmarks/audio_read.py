"""The audio reader against the plain-WAV reader it replaced, in one run.

Usage: python benchmarks/audio_read.py [--files 400] [--rounds 15]

Writes `--files` one-second clips of 16 kHz noise as plain 16-bit PCM
WAV, as WAVE_FORMAT_EXTENSIBLE WAV and as FLAC, then times a `tf.data`
map over each (decode, mix to mono, resample to 8 kHz, crop) in
interleaved rounds:
- `before`: TensorFlow's `decode_wav` alone, as keras_mm read WAVs until
  it read other formats;
- `wav`, `extensible`, `flac`: `keras_mm.data.audio.load_audio`, which
  reads plain WAVs with `decode_wav` in the graph and the others with
  soundfile through `tf.numpy_function`.
Prints microseconds a file (median over rounds, with a 95% bootstrap
interval) and each reader's time ÷ `before`'s.
"""

import argparse
import pathlib
import struct
import tempfile
import time

import numpy as np
import soundfile
import tensorflow as tf

from keras_mm.data.audio import load_audio

RATE = 16000
OUT_RATE = 8000


def previous(path):
    audio, rate = tf.audio.decode_wav(tf.io.read_file(path))
    mono = tf.reduce_mean(audio, axis=-1)
    length = tf.cast(tf.size(mono), tf.float32) * OUT_RATE
    length = tf.cast(length / tf.cast(rate, tf.float32), tf.int32)
    mono = tf.image.resize(mono[:, None, None], (length, 1), antialias=True)
    mono = mono[:OUT_RATE, 0, 0]
    return tf.pad(mono, [[0, OUT_RATE - tf.size(mono)]])


def current(path):
    return load_audio(path, OUT_RATE, OUT_RATE)


def extensible(path, signal):
    pcm = (signal * 32767).astype("<i2").tobytes()
    guid = bytes.fromhex("0100000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHH", 65534, 1, RATE, 2 * RATE, 2, 16)
    fmt += struct.pack("<HHI", 22, 16, 4) + guid
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def write_files(directory, count):
    rng = np.random.default_rng(0)
    paths = {"wav": [], "extensible": [], "flac": []}
    for i in range(count):
        signal = np.clip(rng.normal(0, 0.2, RATE), -1, 1).astype("float32")
        wav = directory / f"{i}.wav"
        soundfile.write(wav, signal, RATE, subtype="PCM_16")
        extensible(directory / f"{i}.ext.wav", signal)
        soundfile.write(directory / f"{i}.flac", signal, RATE)
        paths["wav"].append(str(wav))
        paths["extensible"].append(str(directory / f"{i}.ext.wav"))
        paths["flac"].append(str(directory / f"{i}.flac"))
    return paths


def seconds_a_file(paths, read):
    data = tf.data.Dataset.from_tensor_slices(paths)
    data = data.map(read, tf.data.AUTOTUNE).batch(32)
    start = time.perf_counter()
    for _ in data:
        pass
    return (time.perf_counter() - start) / len(paths)


def interval(values, rng):
    medians = [np.median(rng.choice(values, len(values))) for _ in range(2000)]
    return np.percentile(medians, [2.5, 97.5])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        paths = write_files(pathlib.Path(directory), args.files)
        readers = {
            "before": (paths["wav"], previous),
            "wav": (paths["wav"], current),
            "extensible": (paths["extensible"], current),
            "flac": (paths["flac"], current),
        }
        for files, read in readers.values():  # Warm-up: trace once.
            seconds_a_file(files[:32], read)
        times = {name: [] for name in readers}
        for _ in range(args.rounds):
            for name, (files, read) in readers.items():
                times[name].append(seconds_a_file(files, read) * 1e6)
    rng = np.random.default_rng(0)
    base = np.array(times["before"])
    print(f"{args.files} one-second 16 kHz clips, {args.rounds} rounds")
    print("| reader | µs a file, median (95%) | ÷ before, median (95%) |")
    print("|---|---|---|")
    for name, values in times.items():
        values = np.array(values)
        low, high = interval(values, rng)
        ratios = values / base
        r_low, r_high = interval(ratios, rng)
        print(
            f"| {name} | {np.median(values):.0f} ({low:.0f}-{high:.0f}) | "
            f"{np.median(ratios):.2f} ({r_low:.2f}-{r_high:.2f}) |"
        )


if __name__ == "__main__":
    main()
