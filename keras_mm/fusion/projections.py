import keras


def build_projections(layer, input_shape, units, activation=None):
    """Build one Dense projection per modality, under `layer`'s policy."""
    projections = []
    for i, shape in enumerate(input_shape):
        dense = keras.layers.Dense(
            units,
            activation=activation,
            dtype=layer.dtype_policy,
            name=f"projection_{i}",
        )
        dense.build(shape)
        projections.append(dense)
    return projections


def project_tokens(projections, inputs, masks):
    """Project each sequence and zero its invalid (padded, absent) tokens."""
    return [
        dense(x * keras.ops.cast(m, x.dtype)[:, :, None])
        * keras.ops.cast(m, x.dtype)[:, :, None]
        for dense, x, m in zip(projections, inputs, masks)
    ]
