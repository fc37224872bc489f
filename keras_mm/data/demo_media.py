"""Procedural media for the demo datasets: shapes, tones and sentences."""

import wave

import numpy as np

SAMPLE_RATE = 8000
IMAGE_SIZE = 64


def draw_shape(shape, rng):
    """A noisy `(64, 64, 3)` uint8 image of one bright `shape`.

    `shape` is `"circle"`, `"square"` or `"triangle"`, of random size,
    position and colour.
    """
    image = background(rng)
    radius = rng.uniform(9, 18)
    cy, cx = rng.uniform(radius + 2, IMAGE_SIZE - radius - 2, 2)
    paint(image, shape, (cy, cx), radius, rng.uniform(110, 255, 3))
    return np.clip(image, 0, 255).astype("uint8")


def background(rng):
    """A dark noisy float image `(64, 64, 3)` to paint shapes on."""
    size = IMAGE_SIZE
    image = rng.uniform(0, 60, (size, size, 3))
    return image + rng.normal(0, 12, (size, size, 3))


def paint(image, shape, centre, radius, colour):
    """Fill `shape` centred at `centre` (row, column) in place."""
    cy, cx = centre
    yy, xx = np.mgrid[: image.shape[0], : image.shape[1]]
    if shape == "circle":
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    elif shape == "square":
        half = radius * 0.85
        inside = (abs(yy - cy) <= half) & (abs(xx - cx) <= half)
    elif shape == "triangle":
        # Apex up: the half-width grows linearly from the top edge down.
        top, bottom = cy - radius, cy + radius
        inside = (
            (yy >= top) & (yy <= bottom) & (abs(xx - cx) <= (yy - top) * 0.6)
        )
    else:
        raise ValueError(f"Unknown shape '{shape}'.")
    image[inside] = colour


def tone(band, rng):
    """One second of a noisy tone burst with a frequency drawn from `band`."""
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    frequency = rng.uniform(*band)
    start, length = rng.uniform(0, 0.4), rng.uniform(0.4, 0.6)
    envelope = ((t >= start) & (t < start + length)).astype("float64")
    wave_ = rng.uniform(0.3, 0.8) * np.sin(2 * np.pi * frequency * t)
    return wave_ * envelope + rng.normal(0, 0.03, t.shape)


def write_wav(path, signal):
    """Write `signal` in [-1, 1] as a 16-bit mono WAV at `SAMPLE_RATE`."""
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(pcm.tobytes())


def sentence(slots, rng):
    """Join one random choice from each tuple in `slots`, skipping `""`."""
    words = (slot[rng.integers(len(slot))] for slot in slots)
    return " ".join(w for w in words if w)
