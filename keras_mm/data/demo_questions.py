"""The demo question dataset: questions about two coloured shapes."""

import numpy as np

from keras_mm.data.demo_captions import COLOURS
from keras_mm.data.demo_captions import RELATIONS
from keras_mm.data.demo_captions import SHAPES
from keras_mm.data.demo_captions import paint_object
from keras_mm.data.demo_captions import pick
from keras_mm.data.demo_media import background

SIDES = ("left", "right")


def questioned_scene(rng):
    """Draw two different shapes side by side and ask about them.

    Returns:
        `(image, question, answer, question_type)`. The types: `colour`
        ("what colour is the left shape"), `shape` ("what shape is on
        the right"), `exists` ("is there a red circle"; yes half the
        time) and `same` ("are the shapes the same colour"). Every answer
        needs both the image and the question.
    """
    image = background(rng)
    objects = [(pick(SHAPES, rng), pick(COLOURS, rng))]
    while len(objects) < 2:
        other = (pick(SHAPES, rng), pick(COLOURS, rng))
        if other != objects[0]:
            objects.append(other)
    for obj, (rows, columns) in zip(objects, RELATIONS["left of"]):
        paint_object(image, obj, rows, columns, rng)
    kind = pick(("colour", "shape", "exists", "same"), rng)
    side = rng.integers(2)
    (shape, colour) = objects[side]
    if kind == "colour":
        question, answer = f"what colour is the {SIDES[side]} shape", colour
    elif kind == "shape":
        question, answer = f"what shape is on the {SIDES[side]}", shape
    elif kind == "exists":
        if rng.random() < 0.5:
            shape, colour = pick(SHAPES, rng), pick(COLOURS, rng)
        question = f"is there a {colour} {shape}"
        answer = "yes" if (shape, colour) in objects else "no"
    else:
        question = "are the shapes the same colour"
        answer = "yes" if objects[0][1] == objects[1][1] else "no"
    image = np.clip(image, 0, 255).astype("uint8")
    return image, question, answer, kind
