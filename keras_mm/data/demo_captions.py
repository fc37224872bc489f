"""The demo caption datasets: scenes of coloured shapes with captions."""

import numpy as np

from keras_mm.data.demo_media import background
from keras_mm.data.demo_media import paint

SHAPES = ("circle", "square", "triangle")
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 190, 70),
    "blue": (60, 90, 235),
    "yellow": (230, 215, 50),
    "white": (235, 235, 235),
}
# Where a lone object sits: caption phrase and (row, column) ranges.
PLACES = {
    "left": ("on the left", (20, 44), (13, 20)),
    "right": ("on the right", (20, 44), (44, 51)),
    "top": ("at the top", (13, 20), (20, 44)),
    "bottom": ("at the bottom", (44, 51), (20, 44)),
    "middle": ("in the middle", (28, 36), (28, 36)),
}
# Two objects: the first is left of or above the second.
RELATIONS = {
    "left of": (((20, 44), (13, 22)), ((20, 44), (42, 51))),
    "above": (((13, 22), (20, 44)), ((42, 51), (20, 44))),
}


def captioned_scene(rng):
    """Draw one scene; return `(image, caption)`.

    60% of scenes hold one object (`"a red circle on the left"`), the rest
    two (`"a blue square above a yellow triangle"`).
    """
    image = background(rng)
    objects = [(pick(SHAPES, rng), pick(COLOURS, rng))]
    if rng.random() < 0.6:
        place = pick(PLACES, rng)
        phrase, rows, columns = PLACES[place]
        paint_object(image, objects[0], rows, columns, rng)
        caption = f"a {objects[0][1]} {objects[0][0]} {phrase}"
    else:
        while len(objects) < 2:
            other = (pick(SHAPES, rng), pick(COLOURS, rng))
            if other != objects[0]:
                objects.append(other)
        relation = pick(RELATIONS, rng)
        for obj, (rows, columns) in zip(objects, RELATIONS[relation]):
            paint_object(image, obj, rows, columns, rng)
        (s1, c1), (s2, c2) = objects
        caption = f"a {c1} {s1} {relation} a {c2} {s2}"
    return np.clip(image, 0, 255).astype("uint8"), caption


def paint_object(image, obj, rows, columns, rng):
    shape, colour = obj
    centre = (rng.uniform(*rows), rng.uniform(*columns))
    jitter = rng.uniform(-20, 20, 3)
    paint(
        image,
        shape,
        centre,
        rng.uniform(8, 11),
        np.add(COLOURS[colour], jitter),
    )


def pick(options, rng):
    options = list(options)
    return options[rng.integers(len(options))]
