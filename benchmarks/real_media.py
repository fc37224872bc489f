"""Real-material manifests for `real_data.py`: handwriting and speech.

Images are scikit-learn's bundled UCI handwritten digits (8x8, 16 grey
levels), upscaled to 32x32, with heavy noise and a random occluding
square. sklearn's copy carries no writer ids; its rows come in the order
of the original forms, so the first 75% train and the last 25% test, and
most test writers are unseen.

Audio is the digit's word spoken by `espeak-ng` (Debian package
`espeak-ng`): English accents times voice variants, random speed and
pitch, placed at a random offset in 1 s at 16 kHz, with white noise at
-2 dB SNR. Test voice variants never occur in training.

Every file is written under `root`; manifests are CSVs with paths relative
to it. Nothing is downloaded.
"""

import csv
import io
import pathlib
import shutil
import subprocess
import wave

import numpy as np
from PIL import Image

NUMBERS = "zero one two three four five six seven eight nine".split()
ACCENTS = (
    "en-gb",
    "en-us",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-rp",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
TRAIN_VARIANTS = (
    "m1 m2 m3 m4 m5 f1 f2 f3 adam Andy Annie aunty benjamin caleb david "
    "ed edward grandma john linda max Michael norbert paul quincy rob "
    "steph travis"
).split()
TEST_VARIANTS = "m6 m7 f4 f5 belinda boris victor robert shelby zac".split()
SAMPLE_RATE = 16000
SNR_DB = -2.0
TRAIN_SHARE = 0.75
CAPTION_TEMPLATES = (
    "a noisy picture of the number {}",
    "the digit {} written by hand",
    "a handwritten {}",
    "someone wrote the number {}",
)
# The `same` task's text says nothing about the digit; models that need a
# text input (Article C's) get one.
PROMPTS = (
    "which number is this",
    "name the digit",
    "what number do you see and hear",
    "tell me the number",
)
QUESTIONS = {
    "larger": "is the spoken number larger than the written one",
    "smaller": "is the spoken number smaller than the written one",
}


def require_espeak():
    if shutil.which("espeak-ng") is None:
        raise SystemExit(
            "real_data.py needs espeak-ng for real speech. Install it with "
            "`sudo apt-get install espeak-ng` (Debian/Ubuntu) and run again."
        )


def degrade_digit(pixels, rng):
    """8x8 digit (0-16) to a 32x32 uint8 picture with noise and occluder."""
    image = Image.fromarray((pixels * (255 / 16)).astype(np.uint8))
    x = np.asarray(image.resize((32, 32), Image.BICUBIC), np.float32)
    x = x + rng.normal(0, 70, x.shape)
    size = rng.integers(9, 14)
    top, left = rng.integers(0, 32 - size, 2)
    x[top : top + size, left : left + size] = rng.uniform(0, 255)
    return np.clip(x, 0, 255).astype(np.uint8)


def speak(word, voice, speed, pitch):
    """espeak-ng's waveform of `word`, float32 at 16 kHz."""
    wav = subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            str(speed),
            "-p",
            str(pitch),
            "--stdout",
            word,
        ],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as f:
        rate = f.getframerate()
        x = np.frombuffer(f.readframes(f.getnframes()), np.int16)
    x = x.astype(np.float32) / 32768.0
    times = np.arange(int(len(x) * SAMPLE_RATE / rate)) / SAMPLE_RATE
    return np.interp(times, np.arange(len(x)) / rate, x).astype(np.float32)


def noisy_clip(speech, rng):
    """Speech at a random offset in 1 s, plus white noise at `SNR_DB`."""
    speech = speech[:SAMPLE_RATE]
    clip = np.zeros(SAMPLE_RATE, np.float32)
    start = rng.integers(0, SAMPLE_RATE - len(speech) + 1)
    clip[start : start + len(speech)] = speech
    power = np.mean(speech**2)
    noise = rng.normal(0, np.sqrt(power / 10 ** (SNR_DB / 10)), SAMPLE_RATE)
    clip = clip + noise
    return clip / max(1.0, np.abs(clip).max())


def write_wav(path, x):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes((x * 32767).astype(np.int16).tobytes())


class RealMedia:
    """Writes degraded digit pictures and spoken digits under `root`."""

    def __init__(self, root, seed=0):
        from sklearn.datasets import load_digits

        self.root = pathlib.Path(root)
        self.rng = np.random.default_rng(seed)
        digits = load_digits()
        cut = int(round(len(digits.target) * TRAIN_SHARE))
        self.images = {
            "train": (digits.images[:cut], digits.target[:cut]),
            "test": (digits.images[cut:], digits.target[cut:]),
        }
        self.count = 0

    def image(self, split, index):
        pixels = self.images[split][0][index]
        path = self.root / "images" / f"{split}_{index:04d}.png"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(degrade_digit(pixels, self.rng)).save(path)
        return path.relative_to(self.root).as_posix()

    def audio(self, split, digit):
        variants = TRAIN_VARIANTS if split == "train" else TEST_VARIANTS
        voice = f"{self.rng.choice(ACCENTS)}+{self.rng.choice(variants)}"
        speed = int(self.rng.integers(120, 221))
        pitch = int(self.rng.integers(20, 81))
        speech = speak(NUMBERS[digit], voice, speed, pitch)
        self.count += 1
        path = self.root / "audio" / f"{split}_{self.count:05d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, noisy_clip(speech, self.rng))
        return path.relative_to(self.root).as_posix()


def write_manifest(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def build(root, seed=0):
    """Write every task's train and test manifests under `root`.

    Returns:
        A dict `task -> {"train": path, "test": path}`. Tasks: `same`
        (image, audio and an uninformative prompt -> the digit),
        `captions` (image -> caption), `relation` (image, audio, text
        question -> yes/no).
    """
    require_espeak()
    root = pathlib.Path(root)
    done = root / "manifests.done"
    tasks = ("same", "captions", "relation")
    paths = {
        t: {s: root / f"{t}_{s}.csv" for s in ("train", "test")} for t in tasks
    }
    if done.exists():
        return paths
    media = RealMedia(root, seed)
    rng = np.random.default_rng(seed + 1)
    for split in ("train", "test"):
        targets = media.images[split][1]
        same, captions, relation = [], [], []
        for i, digit in enumerate(targets):
            image = media.image(split, i)
            word = NUMBERS[digit]
            same.append(
                {
                    "image": image,
                    "audio": media.audio(split, digit),
                    "text": PROMPTS[rng.integers(len(PROMPTS))],
                    "label": word,
                }
            )
            template = CAPTION_TEMPLATES[rng.integers(len(CAPTION_TEMPLATES))]
            captions.append(
                {
                    "image": image,
                    "caption": template.format(word),
                    "label": word,
                }
            )
            spoken = int(rng.integers(10))
            question = str(rng.choice(list(QUESTIONS)))
            answer = spoken > digit if question == "larger" else spoken < digit
            relation.append(
                {
                    "image": image,
                    "audio": media.audio(split, spoken),
                    "text": QUESTIONS[question],
                    "label": "yes" if answer else "no",
                    "shown": word,
                    "spoken": NUMBERS[spoken],
                }
            )
        write_manifest(paths["same"][split], same)
        write_manifest(paths["captions"][split], captions)
        write_manifest(paths["relation"][split], relation)
    done.write_text("ok\n")
    return paths
