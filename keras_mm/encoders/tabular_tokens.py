import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class TabularTokens(keras.layers.Layer):
    """One token per table column: values standardized, categories embedded.

    A numeric column is standardized with its training mean and variance
    (`keras.layers.Normalization`) and scales a learned vector; a missing
    value (NaN) adds its own learned vector instead. A categorical column
    is embedded: id 0 (missing) and 1 (a category not seen in training)
    have their own vectors.

    Args:
        features: list of dict. One per column, in input order:
            `{"name", "kind": "numeric", "mean", "variance"}` or
            `{"name", "kind": "categorical", "categories": [str, ...]}`.
        dim: int. Width of each token.

    Call arguments:
        values: float tensor `(batch, columns)`: numeric values, NaN where
            missing; category ids, 0 missing, 1 unseen, 2 and up the
            `categories` in order.

    Returns:
        A float tensor `(batch, columns, dim)`.

    Example:
    >>> layer = TabularTokens(
    ...     [{"name": "age", "kind": "numeric", "mean": 40.0, "variance": 4.0},
    ...      {"name": "pet", "kind": "categorical", "categories": ["cat"]}],
    ...     dim=3,
    ... )
    >>> keras.ops.shape(layer(np.array([[42.0, 2.0], [np.nan, 0.0]])))
    (2, 2, 3)
    """

    def __init__(self, features, dim=8, **kwargs):
        super().__init__(**kwargs)
        self.features = [dict(f) for f in features]
        self.dim = dim
        kinds = [f["kind"] for f in self.features]
        self.numeric = [i for i, k in enumerate(kinds) if k == "numeric"]
        self.categorical = [
            i for i, k in enumerate(kinds) if k == "categorical"
        ]
        unknown = set(kinds) - {"numeric", "categorical"}
        if unknown or not kinds:
            raise ValueError(
                "Expected `features` to be a non-empty list of numeric and "
                f"categorical columns. Received kinds: {kinds}"
            )
        # Tokens come out numeric first; this puts them in column order.
        self.order = [
            (self.numeric + self.categorical).index(i)
            for i in range(len(kinds))
        ]
        numeric = [self.features[i] for i in self.numeric]
        self.normalization = None
        if numeric:
            self.normalization = keras.layers.Normalization(
                mean=[f["mean"] for f in numeric],
                variance=[f["variance"] for f in numeric],
            )
        sizes = [
            len(self.features[i]["categories"]) + 2 for i in self.categorical
        ]
        self.offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        self.embedding = None
        if sizes:
            self.embedding = keras.layers.Embedding(sum(sizes), dim)

    def build(self, input_shape):
        n = len(self.numeric)
        if n:
            self.normalization.build((None, n))
            self.scale = self.add_weight((n, self.dim), name="scale")
            self.bias = self.add_weight(
                (n, self.dim), initializer="zeros", name="bias"
            )
            self.missing = self.add_weight(
                (n, self.dim), initializer="random_normal", name="missing"
            )
        if self.embedding is not None:
            self.embedding.build((None, len(self.categorical)))

    def call(self, values):
        ops = keras.ops
        tokens = []
        if self.numeric:
            x = ops.take(values, self.numeric, axis=1)  # (batch, numeric)
            missing = ops.isnan(x)
            x = self.normalization(ops.where(missing, 0.0, x))
            x = ops.where(missing, 0.0, x)[..., None]
            missing = ops.cast(missing, x.dtype)[..., None]
            tokens.append(x * self.scale + self.bias + missing * self.missing)
        if self.categorical:
            ids = ops.take(values, self.categorical, axis=1)
            ids = ops.cast(ops.where(ops.isnan(ids), 0.0, ids), "int32")
            tokens.append(self.embedding(ids + ops.array(self.offsets)))
        tokens = ops.concatenate(tokens, axis=1)
        return ops.take(tokens, self.order, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.features), self.dim)

    def get_config(self):
        return {
            **super().get_config(),
            "features": self.features,
            "dim": self.dim,
        }
