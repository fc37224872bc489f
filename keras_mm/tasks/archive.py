"""SavedModel export archives: a model's variables, its endpoints."""

import keras
import tensorflow as tf


def export_archive(model, *resources):
    """A Keras `ExportArchive` holding `model`'s variables, and `resources`.

    The same SavedModel as `archive.track(model)` gives (its `variables`
    lists included), without what `track` adds to `write_out`: a walk
    over every layer that traces each nested sub-model's default
    signature, looking for lookup tables the zoo's models do not hold
    (1 to 3 s a bundle, half of the export).

    Args:
        model: `keras.Model`. Its variables are saved.
        *resources: layers holding lookup tables (a `TextVectorization`),
            tracked in full.
    """
    archive = keras.export.ExportArchive()
    if keras.backend.backend() == "tensorflow":
        # What `track` does for a TensorFlow layer, without the walk.
        archive.variables.extend(model.variables)
        archive.trainable_variables.extend(model.trainable_variables)
        archive.non_trainable_variables.extend(model.non_trainable_variables)
    else:
        archive.track(model)  # Other backends' variables become TF's.
    for resource in resources:
        archive.track(resource)
    return archive


def export_model(model, directory):
    """Write `model` as a SavedModel, as `model.export` does, faster.

    The `serve` endpoint (also `serving_default`) takes the model's
    inputs, keyed by name (see `export_archive`).
    """
    archive = export_archive(model)
    signature = keras.tree.map_structure(
        lambda x: tf.TensorSpec(x.shape, x.dtype, name=x.name), model.input
    )
    archive.add_endpoint("serve", model.__call__, [signature])
    archive.write_out(str(directory), verbose=False)
