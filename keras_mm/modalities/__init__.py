"""The kinds of input keras_mm reads: a registry of `Modality` objects.

A modality's name is its model input, its manifest column (except where
its module says otherwise) and its place in the `presence` input, whose
columns follow `list_modalities()` order. The built-in modalities are
imported on first use, so that naming them (`keras-mm --help`) imports
no TensorFlow. A new modality is one module and one `register_modality`
call.
"""

import importlib

# name: "module:attribute" of the built-in modalities, in input order.
BUILT_IN = {
    "image": "keras_mm.modalities.image:IMAGE",
    "audio": "keras_mm.modalities.audio:AUDIO",
    "text": "keras_mm.modalities.text:TEXT",
    "tabular": "keras_mm.modalities.tabular:TABULAR",
    "question": "keras_mm.modalities.question:QUESTION",
    "video": "keras_mm.modalities.video:VIDEO",
}
_REGISTERED = {}


def register_modality(modality):
    """Add a `Modality` instance to the registry, under `modality.name`.

    Returns:
        The modality, so that a module can write
        `TOY = register_modality(ToyModality())`.
    """
    _REGISTERED[modality.name] = modality
    return modality


def unregister_modality(name):
    """Remove a modality that `register_modality` added (tests use it)."""
    _REGISTERED.pop(name, None)


def list_modalities():
    """The modality names, in the order models take their inputs.

    Example:
    >>> list_modalities()[:4]
    ['image', 'audio', 'text', 'tabular']
    """
    return [*BUILT_IN, *(n for n in _REGISTERED if n not in BUILT_IN)]


def get_modality(name):
    """The registered `Modality` called `name`.

    Example:
    >>> get_modality("audio").media
    True
    """
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name not in BUILT_IN:
        raise ValueError(
            f"Unknown modality '{name}'. Modalities: "
            f"{', '.join(list_modalities())}"
        )
    module, attribute = BUILT_IN[name].split(":")
    return register_modality(
        getattr(importlib.import_module(module), attribute)
    )


def is_media(name):
    """Whether cells of column `name` are a media modality's file paths."""
    return name in list_modalities() and get_modality(name).media
