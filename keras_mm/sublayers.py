def sublayers(layer):
    """Every layer nested under `layer` (sub-models included), depth first.

    Example:
    >>> import keras
    >>> inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    >>> outer = keras.Sequential([keras.Input((2,)), inner])
    >>> [type(x).__name__ for x in sublayers(outer)]
    ['Sequential', 'Dense']
    """
    for inner in getattr(layer, "layers", []):
        yield inner
        yield from sublayers(inner)
