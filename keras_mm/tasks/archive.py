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
        if not resource.built:
            # Lookup layers are built by their first call; one loaded only
            # to be exported (`keras_mm.export.tensorflow_process`) has
            # its tables, and no call yet.
            resource.build(None)
        archive.track(resource)
    return archive


def export_model(
    model, directory, serving=None, endpoint="serve", outputs=None
):
    """Write `model` as a SavedModel, as `model.export` does, faster.

    The `endpoint` signature (also `serving_default`) takes the model's
    inputs, keyed by name (see `export_archive`), except where `serving`
    says otherwise.

    Args:
        model: `keras.Model` with a dict of named inputs.
        directory: str or path. The SavedModel folder.
        serving: dict or None. Input name to `(spec, transform,
            resources)`: the signature takes `spec` there, and
            `transform` maps it to the model input (see
            `keras_mm.modalities.Reader.serving`).
        endpoint: str. The signature's name.
        outputs: function or None. Maps the model's outputs to the
            signature's (in TensorFlow); None: the outputs themselves.
    """
    serving = dict(serving or {})
    for name, x in model.input.items():
        spec = tf.TensorSpec(x.shape, x.dtype, name=name)
        serving.setdefault(name, (spec, lambda value: value, ()))
    resources = [r for _, _, used in serving.values() for r in used]
    archive = export_archive(model, *resources)

    def serve(inputs):
        result = model(
            {name: serving[name][1](value) for name, value in inputs.items()}
        )
        return result if outputs is None else outputs(result)

    signature = {name: spec for name, (spec, _, _) in serving.items()}
    archive.add_endpoint(endpoint, serve, [signature])
    archive.write_out(str(directory), verbose=False)
