import keras

from keras_mm.encoders.tabular_tokens import TabularTokens


def tabular_encoder(
    features,
    hidden_dim=64,
    token_dim=8,
    dropout=0.2,
    sequence=False,
    name="tabular_encoder",
):
    """One-layer MLP over a table row's columns (see `TabularTokens`).

    Tables are often small (hundreds of rows): one hidden layer and a
    dropout of 0.2 overfit less than two layers (`benchmarks/
    real_tables.py`; the classifier's head adds a layer of its own).

    Args:
        features: list of dict. The columns (see `TabularTokens`).
        hidden_dim: int. Width of the hidden layer (and of the tokens it
            returns with `sequence`).
        token_dim: int. Width of each column's token.
        dropout: float. Dropout after the hidden layer.
        sequence: bool. Return one token per column,
            `(batch, columns, hidden_dim)`, for fusions that take
            sequences; else `(batch, hidden_dim)`.
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from a `"tabular"` input `(batch, columns)`.

    Example:
    >>> encoder = tabular_encoder(
    ...     [{"name": "x", "kind": "numeric", "mean": 0.0, "variance": 1.0}],
    ...     hidden_dim=4,
    ... )
    >>> keras.ops.shape(encoder(np.array([[0.5], [np.nan]])))
    (2, 4)
    """
    values = keras.Input((len(features),), name="tabular")
    tokens = TabularTokens(features, token_dim, name="columns")(values)
    if sequence:
        x = keras.layers.Dense(hidden_dim, activation="relu")(tokens)
        return keras.Model(values, x, name=name)
    x = keras.layers.Flatten()(tokens)
    x = keras.layers.Dense(hidden_dim, activation="relu")(x)
    x = keras.layers.Dropout(dropout)(x)
    return keras.Model(values, x, name=name)
