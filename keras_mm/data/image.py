import pathlib

import tensorflow as tf


def check_image(path):
    """Raise `ValueError` if `path` is missing or is not a decodable image."""
    if not pathlib.Path(path).is_file():
        raise ValueError(f"image file not found: {path}")
    if image_header(path) is None:
        raise ValueError(f"could not decode image {path}")


def image_header(path):
    """`(height, width, channels)` of an image file, or None if unreadable.

    Channels as stored: 1 (gray), 2 (gray and alpha), 3 or 4.
    """
    try:
        image = tf.io.decode_image(
            tf.io.read_file(str(path)), expand_animations=False
        )
    except (tf.errors.OpError, ValueError):
        # Unreadable files are reported, with their row, by the checks.
        return None
    return tuple(int(n) for n in image.shape)


def load_image(path, image_shape):
    """Read, decode and resize one image inside a tf.data graph.

    Gray, RGB and RGBA PNG/JPEG/GIF/BMP files are all converted to the
    requested channels.

    Args:
        path: scalar string tensor.
        image_shape: tuple. `(height, width, channels)`, channels 1 or 3.

    Returns:
        A float32 tensor of `image_shape` with values in `[0, 255]`.
    """
    height, width, channels = image_shape
    image = tf.io.decode_image(
        tf.io.read_file(path), channels=3, expand_animations=False
    )
    if channels == 1:
        image = tf.image.rgb_to_grayscale(image)
    image = tf.image.resize(image, (height, width), antialias=True)
    image = tf.clip_by_value(image, 0.0, 255.0)
    return tf.ensure_shape(image, image_shape)
