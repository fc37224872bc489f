"""Small media files written on the fly for data tests."""

import csv
import json
import wave

import numpy as np
import tensorflow as tf


def write_png(path, height=20, width=30, channels=3, value=200):
    image = np.full((height, width, channels), value, "uint8")
    path.write_bytes(tf.io.encode_png(image).numpy())
    return path


def write_jpeg(path, height=20, width=30):
    image = np.full((height, width, 3), 90, "uint8")
    path.write_bytes(tf.io.encode_jpeg(image).numpy())
    return path


def write_wav(path, seconds=0.5, rate=8000, frequency=440.0, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.5 * np.sin(2 * np.pi * frequency * t)
    pcm = (np.repeat(signal[:, None], channels, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.tobytes())
    return path


def write_csv(path, rows):
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def add_size_column(path, empty_every=4, edit=None):
    """Add a numeric `size` column to a CSV manifest, empty every Nth row.

    `edit(index, row)` may change the rows too.
    """
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row["size"] = "" if i % empty_every == 0 else str(i % 5)
        if edit:
            edit(i, row)
    return write_csv(path, rows)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def small_dataset(directory, num_rows=4):
    """Rows with a PNG, a WAV, a text and one of two labels each."""
    rows = []
    for i in range(num_rows):
        write_png(directory / f"img{i}.png", value=40 * i)
        write_wav(directory / f"snd{i}.wav", frequency=300.0 + 200 * i)
        rows.append(
            {
                "image": f"img{i}.png",
                "audio": f"snd{i}.wav",
                "text": f"word{i} shared words",
                "label": ["cat", "dog"][i % 2],
                "notes": "ignored",
            }
        )
    return rows


def moving_clip(num_frames=8, height=32, width=32, reverse=False, seed=0):
    """A bright square crossing a noisy frame, left to right (or back)."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 40, (num_frames, height, width, 3), "uint8")
    for t in range(num_frames):
        x = 2 + (width - 10) * t // max(1, num_frames - 1)
        frames[t, height // 2 - 4 : height // 2 + 4, x : x + 8] = 220
    return frames[::-1] if reverse else frames


def write_clip(path, frames=None, audio_seconds=0.5, rate=8000):
    """An H.264 video (AAC soundtrack unless `audio_seconds` is 0)."""
    from keras_mm.data.video import write_video

    frames = moving_clip() if frames is None else frames
    t = np.arange(int(audio_seconds * rate)) / rate
    audio = 0.5 * np.sin(2 * np.pi * 440.0 * t) if audio_seconds else None
    write_video(path, frames, audio=audio, sample_rate=rate)
    return path
