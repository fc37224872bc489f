def warm_start(model, source, freeze=False, names=None):
    """Copy weights from `source` into `model`'s layers of the same name.

    Staged training: train the encoders on a task that names what each
    modality shows, then start a harder task (a relation between the
    modalities, say) from them. Top-level layers, such as the encoders
    `image_encoder` and `audio_encoder`, are copied whole when every
    weight has the same shape; others keep their fresh weights.

    Args:
        model: `keras.Model`. The model to initialize.
        source: `keras.Model`. A trained model.
        freeze: bool. Make the copied layers non-trainable, so that only
            the new layers (fusion and head) learn.
        names: list of str or None. Copy only the layers of these names;
            `None` copies every layer that matches.

    Returns:
        The names of the layers copied, in `model`'s order.

    Example:
    >>> def mlp():
    ...     dense = keras.layers.Dense(3, name="encoder")
    ...     return keras.Sequential([keras.Input((2,)), dense])
    >>> warm_start(mlp(), mlp())
    ['encoder']
    """
    trained = {layer.name: layer for layer in source.layers}
    copied = []
    for layer in model.layers:
        other = trained.get(layer.name)
        if other is None or not layer.weights:
            continue
        if names is not None and layer.name not in names:
            continue
        weights = other.get_weights()
        shapes = [tuple(w.shape) for w in layer.get_weights()]
        if shapes != [tuple(w.shape) for w in weights]:
            continue
        layer.set_weights(weights)
        layer.trainable = not freeze
        copied.append(layer.name)
    return copied
