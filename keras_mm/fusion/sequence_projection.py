import keras


def build_projections(layer, input_shape, hidden_dim):
    """Dense projections of each modality's tokens to `hidden_dim`."""
    projections = []
    for i, shape in enumerate(input_shape):
        dense = keras.layers.Dense(
            hidden_dim, dtype=layer.dtype_policy, name=f"projection_{i}"
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
