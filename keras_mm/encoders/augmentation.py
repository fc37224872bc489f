"""Keras augmentation layers that are off unless training is on.

Keras' image augmentation layers default to `training=True`, so a model
exported with `model.export` (which calls the model without a `training`
argument) would shift and mask its inputs at serving time. These
subclasses default to `training=None`: they augment inside `fit` only.
"""

import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class RandomShift(keras.layers.RandomTranslation):
    """`keras.layers.RandomTranslation`, active only while training.

    Example:
    >>> x = np.ones((1, 4, 4, 1))
    >>> bool(keras.ops.all(RandomShift(0.5, 0.5)(x) == x))
    True
    """

    def call(self, data, training=None):
        return super().call(data, training=bool(training))


@keras.saving.register_keras_serializable(package="keras_mm")
class RandomMask(keras.layers.RandomErasing):
    """`keras.layers.RandomErasing`, active only while training.

    Example:
    >>> x = np.ones((1, 4, 4, 1))
    >>> bool(keras.ops.all(RandomMask(fill_value=0.0)(x) == x))
    True
    """

    def call(self, data, training=None):
        return super().call(data, training=bool(training))
