"""Real speech for speech recognition: phrases spoken by `espeak-ng`.

Phrases of 2 to 5 words from a small vocabulary (`--words digits`: the
ten digits and twenty command words; `--words animals`: colours, animals
and numbers up to twenty, another check of the defaults) are spoken by
`espeak-ng` with English accents times voice variants, random speed
(110-220 words a minute) and pitch, a random pause before and after, and
noise (white or brown, 5 to 25 dB SNR), at 16 kHz.

Test speakers never occur in training: the test accents (`en-029`,
`en-us-nyc`) and the test voice variants are both held out (see
`real_media.py`).

Usage: python benchmarks/real_speech.py --out DIR [--words digits]
           [--train 3000] [--test 500] [--seed 0]
"""

import argparse
import concurrent.futures
import pathlib

import numpy as np
from real_media import ACCENTS
from real_media import SAMPLE_RATE
from real_media import TEST_VARIANTS
from real_media import TRAIN_VARIANTS
from real_media import require_espeak
from real_media import speak
from real_media import write_manifest
from real_media import write_wav

WORDS = {
    "digits": (
        "zero one two three four five six seven eight nine yes no up "
        "down left right on off stop go forward back follow learn bed "
        "bird cat dog house tree"
    ).split(),
    "animals": (
        "red green blue yellow black white orange purple brown pink "
        "lion tiger horse mouse sheep goat duck fish frog snake ten "
        "eleven twelve thirteen fifteen twenty"
    ).split(),
}
TEST_ACCENTS = ("en-029", "en-us-nyc")
TRAIN_ACCENTS = tuple(a for a in ACCENTS if a not in TEST_ACCENTS)


def speaker(split, rng):
    """A `voice` argument of espeak-ng: an accent and a variant."""
    accents = TRAIN_ACCENTS if split == "train" else TEST_ACCENTS
    variants = TRAIN_VARIANTS if split == "train" else TEST_VARIANTS
    return f"{rng.choice(accents)}+{rng.choice(variants)}"


def noisy(speech, rng):
    """Speech with pauses around it and white or brown noise."""
    before, after = rng.uniform(0.05, 0.4, 2)
    x = np.concatenate(
        [
            np.zeros(int(before * SAMPLE_RATE), np.float32),
            speech,
            np.zeros(int(after * SAMPLE_RATE), np.float32),
        ]
    )
    noise = rng.normal(size=x.size)
    if rng.random() < 0.5:  # Brown noise: low frequencies, like a room.
        noise = np.cumsum(noise)
        noise -= np.convolve(noise, np.ones(401) / 401, "same")
    snr_db = rng.uniform(5, 25)
    power = np.mean(speech**2) / 10 ** (snr_db / 10)
    x = x + noise * np.sqrt(power / np.mean(noise**2))
    return (x / max(1.0, np.abs(x).max())).astype(np.float32)


def clip(job):
    """Write one phrase; return its manifest row."""
    root, split, index, words, seed = job
    rng = np.random.default_rng(seed)
    voice = speaker(split, rng)
    speed, pitch = int(rng.integers(110, 221)), int(rng.integers(20, 81))
    speech = speak(" ".join(words), voice, speed, pitch)
    path = pathlib.Path(root) / "audio" / f"{split}_{index:05d}.wav"
    write_wav(path, noisy(speech, rng))
    return {
        "audio": path.relative_to(root).as_posix(),
        "transcript": " ".join(words),
        "speaker": voice,
    }


def build(root, words="digits", train=3000, test=500, seed=0):
    """Write `train.csv` and `test.csv` under `root`; return their paths."""
    require_espeak()
    root = pathlib.Path(root)
    paths = {s: root / f"{s}.csv" for s in ("train", "test")}
    done = root / f"{words}-{train}-{test}-{seed}.done"
    if done.exists():
        return paths
    (root / "audio").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocabulary = WORDS[words]
    for split, count in (("train", train), ("test", test)):
        jobs = []
        for index in range(count):
            size = int(rng.integers(2, 6))
            phrase = list(rng.choice(vocabulary, size))
            jobs.append((root, split, index, phrase, rng.integers(2**31)))
        write_manifest(paths[split], speak_all(jobs))
    done.write_text("ok\n")
    return paths


def speak_all(jobs):
    """Manifest rows of `clip` jobs `(root, split, index, words, seed)`,
    spoken in 2 processes."""
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        return list(pool.map(clip, jobs, chunksize=32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--words", choices=list(WORDS), default="digits")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = build(args.out, args.words, args.train, args.test, args.seed)
    print(paths["train"], paths["test"])


if __name__ == "__main__":
    main()
