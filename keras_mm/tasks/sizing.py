"""A zoo model's modalities sized to a training manifest."""

from keras_mm import zoo
from keras_mm.data import ManifestError
from keras_mm.modalities import get_modality
from keras_mm.modalities import list_modalities
from keras_mm.tasks.task import model_options


def size_modalities(manifest, model, options, **fixed):
    """Builder arguments and settings the manifest's modalities size.

    Each modality the manifest has sizes its part (`Modality.size`: the
    vocabulary, the audio and text lengths, the table's columns); a
    model that takes `modalities` gets those the manifest has, unless
    `overrides` set them.

    Args:
        manifest: `Manifest`. The training rows.
        model: str. A zoo model.
        options: dict. The `fit_to` options: builder arguments (set
            ones win over sizing, except those it only caps:
            `Modality.capped`) and the modalities' own (`features`).
        **fixed: builder arguments the task sets (`num_classes`).

    Returns:
        `(overrides, settings, found)`: the builder arguments, updated,
        the preprocessor settings the modalities saved (`vocabulary`),
        and the names of the modalities the manifest has.
    """
    modalities = [get_modality(name) for name in list_modalities()]
    taken = modality_options(options)
    overrides = {**fixed, **model_options(model, options)}
    accepted = zoo.config(model, **overrides)
    if taken and "modality_config" not in accepted:
        _refuse(model, taken)
    found = [m for m in modalities if m.found(manifest, taken)]
    if "modalities" in accepted and "modalities" not in overrides:
        if not found:
            raise ManifestError(_none_found(manifest, modalities))
        overrides["modalities"] = tuple(m.name for m in found)
    settings = {}
    for modality in found:
        config = zoo.config(model, **overrides)
        sized, saved = modality.size(manifest, config, taken)
        for key, value in sized.items():
            if key in accepted and (
                key in modality.capped or key not in options
            ):
                overrides[key] = value
        settings.update(saved)
    return overrides, settings, [m.name for m in found]


def modality_options(options):
    """Take the modalities' own options (`features`, `frames`) out of
    `options`; return those that are set."""
    modalities = [get_modality(name) for name in list_modalities()]
    taken = {
        key: options.pop(key, None) for m in modalities for key in m.options
    }
    return {key: value for key, value in taken.items() if value}


def check_columns(manifest, model, built, found):
    """Raise `ManifestError` if `built` reads a modality the manifest
    lacks (`found`: those it has)."""
    missing = sorted(set(built.input) - set(found) - {"presence", "tokens"})
    if missing:
        raise ManifestError(
            f"Model '{model}' reads {sorted(built.input)}, but manifest "
            f"{manifest.path} has no {missing} column (or only empty "
            "cells in it)."
        )


def _none_found(manifest, modalities):
    columns = ", ".join(repr(m.name) for m in modalities if m.column)
    flags = " or ".join(
        "--" + key.replace("_", "-")
        for m in modalities
        if not m.column
        for key in m.options
    )
    return (
        f"Manifest {manifest.path} has none of the columns {columns} (or "
        f"only empty cells in them), and no {flags} names others."
    )


def _refuse(model, taken):
    flags = ", ".join("--" + key.replace("_", "-") for key in taken)
    takes = [m for m in zoo.list_models() if "modality_config" in zoo.config(m)]
    raise ValueError(
        f"Model '{model}' does not take {flags}; it works with: "
        f"{', '.join(takes)}"
    )
