"""The demo speech dataset: phrases "spoken" as formant tones, letter by
letter, so that speech recognition has a demo without a synthesizer."""

import csv
import pathlib
import string

import numpy as np

from keras_mm.data.demo_media import SAMPLE_RATE
from keras_mm.data.demo_media import write_wav

WORDS = (
    "go stop left right up down yes no red blue green one two three on off"
).split()
# Each letter sounds as two formants: a low one and a high one, in Hz.
_LOW = np.linspace(300.0, 900.0, 6)
_HIGH = np.linspace(1100.0, 2900.0, 5)
FORMANTS = {
    letter: (_LOW[i % 6], _HIGH[i // 6 % 5])
    for i, letter in enumerate(string.ascii_lowercase)
}


def spoken_phrase(words, rng):
    """A waveform at `SAMPLE_RATE` of `words`, one speaker drawn by `rng`.

    Each letter is a burst of its two formants (60 to 90 ms, shaped by a
    Hann window) on a harmonic voice; a speaker scales every formant and
    the tempo, words are separated by pauses, and noise is added.
    """
    scale = rng.uniform(0.9, 1.1)  # The speaker's vocal tract.
    tempo = rng.uniform(0.8, 1.25)
    pieces = [np.zeros(int(rng.uniform(0.05, 0.3) * SAMPLE_RATE))]
    for word in words:
        for letter in word:
            length = int(rng.uniform(0.06, 0.09) / tempo * SAMPLE_RATE)
            t = np.arange(length) / SAMPLE_RATE
            low, high = FORMANTS[letter]
            burst = np.sin(2 * np.pi * low * scale * t) + 0.6 * np.sin(
                2 * np.pi * high * scale * t
            )
            pieces.append(burst * np.hanning(length) * rng.uniform(0.3, 0.6))
        pieces.append(np.zeros(int(rng.uniform(0.1, 0.2) * SAMPLE_RATE)))
    signal = np.concatenate(pieces)
    return signal + rng.normal(0, rng.uniform(0.005, 0.04), signal.shape)


def write_speech_demo(directory, num_samples, seed):
    """Write `manifest.csv` (`audio`, `transcript`) and `audio/*.wav`.

    Phrases are 2 to 4 words of `WORDS`.

    Returns:
        The path of `manifest.csv`.
    """
    directory = pathlib.Path(directory)
    (directory / "audio").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(num_samples):
        words = [
            WORDS[j] for j in rng.integers(len(WORDS), size=rng.integers(2, 5))
        ]
        path = f"audio/{i:05d}.wav"
        write_wav(directory / path, spoken_phrase(words, rng))
        rows.append({"audio": path, "transcript": " ".join(words)})
    manifest = directory / "manifest.csv"
    with open(manifest, "w", newline="") as f:
        writer = csv.DictWriter(f, ["audio", "transcript"])
        writer.writeheader()
        writer.writerows(rows)
    return manifest
