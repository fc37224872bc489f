"""Real-material video clips for `video.py`: moving handwriting that speaks.

Each clip is 16 frames at 8 frames a second (2 s), 64x64 RGB, H.264
video with an AAC soundtrack, in an mp4 written by PyAV:
- the frames: a real handwritten digit (scikit-learn's UCI digits,
  upscaled to 28x28, in a random bright colour) crosses the frame in
  one of four directions at a random speed, over clutter made of faint
  stroke fragments cut from other real digits of the same split, a
  colour gradient and noise;
- the soundtrack: the digit's word spoken by `espeak-ng` (accents times
  voice variants, random speed and pitch) at a random time, in noise
  (-2 to 8 dB SNR), so that neither the frames nor the sound alone
  gives every digit.

As in `real_media.py`, the first 75% of scikit-learn's digits (in the
order of the original forms) train and the rest test, so most test
writers are unseen, and test voice variants never occur in training.

Manifests (paths relative to the folder), for `train` and `test`:
- `digit_{split}.csv`: `video`, `audio` (the same file) and `label`,
  the digit;
- `direction_{split}.csv`: `video` and `label`, the direction;
- `caption_{split}.csv`: `video` and `caption` ("a three moving left").

Usage: python benchmarks/real_video.py --out DIR [--seed 0]
"""

import argparse
import concurrent.futures
import pathlib

import numpy as np
from PIL import Image
from real_media import ACCENTS
from real_media import NUMBERS
from real_media import SAMPLE_RATE
from real_media import TEST_VARIANTS
from real_media import TRAIN_SHARE
from real_media import TRAIN_VARIANTS
from real_media import require_espeak
from real_media import speak
from real_media import write_manifest

from keras_mm.data.video import write_video

FRAMES = 16
FPS = 8
SIZE = 64
DIGIT = 28
PIECE = (8, 14)
DIRECTIONS = ("left", "right", "up", "down")


def digit_picture(pixels, size=DIGIT):
    """An 8x8 digit (0-16) as a `size` x `size` float map in [0, 1]."""
    image = Image.fromarray((pixels * (255 / 16)).astype(np.uint8))
    return np.asarray(image.resize((size, size), Image.BICUBIC)) / 255.0


def background(pool, rng):
    """Clutter: a colour gradient, 4 to 7 faint stroke fragments of other
    digits, noise."""
    ramp = np.linspace(0, 1, SIZE)
    a, b = rng.uniform(0, 100, (2, 3))
    frame = a + np.outer(ramp, np.ones(SIZE))[..., None] * (b - a)
    for _ in range(rng.integers(4, 8)):
        size = rng.integers(*PIECE)
        stroke = digit_picture(pool[rng.integers(len(pool))], DIGIT)
        top, left = rng.integers(0, DIGIT - size, 2)
        piece = stroke[top : top + size, left : left + size]
        top, left = rng.integers(0, SIZE - size, 2)
        colour = rng.uniform(30, 110, 3)
        frame[top : top + size, left : left + size] += piece[..., None] * colour
    return frame


def frames_of(pixels, direction, pool, rng):
    """A digit crossing a cluttered frame, as uint8 `(FRAMES, 64, 64, 3)`."""
    still = background(pool, rng)
    digit = digit_picture(pixels)[..., None]
    colour = rng.uniform(120, 255, 3)
    colour[rng.integers(3)] = 255  # Bright in at least one channel.
    span = SIZE - DIGIT
    travel = rng.uniform(0.6, 1.0) * span
    start = rng.uniform(0, span - travel)
    across = rng.uniform(0, span)
    steps = start + travel * np.linspace(0, 1, FRAMES)
    if direction in ("left", "up"):
        steps = steps[::-1]
    out = np.empty((FRAMES, SIZE, SIZE, 3), np.float32)
    for t, step in enumerate(np.round(steps).astype(int)):
        top, left = (int(across), step)
        if direction in ("up", "down"):
            top, left = step, int(across)
        frame = still.copy()
        region = frame[top : top + DIGIT, left : left + DIGIT]
        region[:] = region * (1 - digit) + colour * digit
        out[t] = frame + rng.normal(0, 20, frame.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def soundtrack(digit, split, rng):
    """The digit's word at a random time in 2 s of noise, 16 kHz."""
    variants = TRAIN_VARIANTS if split == "train" else TEST_VARIANTS
    voice = f"{rng.choice(ACCENTS)}+{rng.choice(variants)}"
    speed, pitch = int(rng.integers(120, 221)), int(rng.integers(20, 81))
    speech = speak(NUMBERS[digit], voice, speed, pitch)
    length = FRAMES * SAMPLE_RATE // FPS
    speech = speech[:length]
    clip = np.zeros(length, np.float32)
    start = rng.integers(0, length - len(speech) + 1)
    clip[start : start + len(speech)] = speech
    snr_db = rng.uniform(-2, 8)
    power = np.mean(speech**2) / 10 ** (snr_db / 10)
    clip += rng.normal(0, np.sqrt(power), length).astype(np.float32)
    return clip / max(1.0, np.abs(clip).max())


def clip(job):
    """Write one clip; return its manifest rows."""
    root, split, index, pixels, digit, pool, seed = job
    rng = np.random.default_rng(seed)
    direction = DIRECTIONS[rng.integers(len(DIRECTIONS))]
    path = root / "clips" / f"{split}_{index:04d}.mp4"
    write_video(
        path,
        frames_of(pixels, direction, pool, rng),
        fps=FPS,
        audio=soundtrack(digit, split, rng),
        sample_rate=SAMPLE_RATE,
    )
    name = path.relative_to(root).as_posix()
    return {
        "digit": {"video": name, "audio": name, "label": NUMBERS[digit]},
        "direction": {"video": name, "label": direction},
        "caption": {
            "video": name,
            "caption": f"a {NUMBERS[digit]} moving {direction}",
        },
    }


def build(root, seed=0):
    """Write the clips and manifests under `root` (once).

    Returns:
        `{kind: {split: path}}` for kinds `digit`, `direction`, `caption`.
    """
    from sklearn.datasets import load_digits

    root = pathlib.Path(root)
    kinds = ("digit", "direction", "caption")
    paths = {
        k: {s: root / f"{k}_{s}.csv" for s in ("train", "test")} for k in kinds
    }
    done = root / f"clips-{seed}.done"
    if done.exists():
        return paths
    require_espeak()
    (root / "clips").mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    cut = int(round(len(digits.target) * TRAIN_SHARE))
    splits = {"train": slice(0, cut), "test": slice(cut, None)}
    for number, (split, rows) in enumerate(splits.items()):
        images, targets = digits.images[rows], digits.target[rows]
        jobs = [
            (root, split, i, images[i], int(targets[i]), images, seed + i)
            for i in range(len(targets))
        ]
        jobs = [(*job[:-1], job[-1] * 2 + number) for job in jobs]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            made = list(pool.map(clip, jobs))
        for kind in kinds:
            write_manifest(paths[kind][split], [m[kind] for m in made])
        print(f"{split}: {len(made)} clips", flush=True)
    done.touch()
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(build(args.out, args.seed))


if __name__ == "__main__":
    main()
