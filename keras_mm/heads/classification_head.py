import keras


def head_kind(num_classes, multi_label=False):
    """Name the kind of classification a head performs.

    Args:
        num_classes: int. Number of classes (at least 2).
        multi_label: bool. Whether a sample may have several labels.

    Returns:
        `"multi_label"` (one sigmoid per class), `"binary"` (one sigmoid
        unit for two classes) or `"multiclass"` (softmax).
    """
    if num_classes < 2:
        raise ValueError(
            f"Expected `num_classes` >= 2. Received: num_classes={num_classes}"
        )
    if multi_label:
        return "multi_label"
    return "binary" if num_classes == 2 else "multiclass"


def classification_head(
    num_classes,
    multi_label=False,
    hidden_dim=None,
    dropout=0.0,
    binary=True,
    name="head",
):
    """Classification head for multi-class, binary or multi-label tasks.

    Two classes get a single sigmoid unit (`Dense(1, sigmoid)`), more get a
    softmax over `num_classes`, and `multi_label=True` gets one independent
    sigmoid per class. The head outputs probabilities.

    Args:
        num_classes: int. Number of classes (at least 2).
        multi_label: bool. One independent sigmoid per class.
        hidden_dim: int or None. Width of a ReLU layer before the output.
        dropout: float. Dropout before the output layer.
        binary: bool. Two classes get one sigmoid unit; False: a softmax
            over both, as over more.
        name: str. Name of the returned layer.

    Returns:
        A `keras.Sequential` mapping `(batch, dim)` to probabilities
        `(batch, 1)` for binary heads or `(batch, num_classes)`.

    Example:
    >>> keras.ops.shape(classification_head(3)(np.ones((2, 4))))
    (2, 3)
    """
    kind = head_kind(num_classes, multi_label)
    if kind == "binary" and not binary:
        kind = "multiclass"
    units = 1 if kind == "binary" else num_classes
    activation = "softmax" if kind == "multiclass" else "sigmoid"
    layers = []
    if hidden_dim:
        layers.append(keras.layers.Dense(hidden_dim, activation="relu"))
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(
        keras.layers.Dense(units, activation=activation, name="predictions")
    )
    return keras.Sequential(layers, name=name)
