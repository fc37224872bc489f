import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_mm")
class FiLM(keras.layers.Layer):
    """Feature-wise linear modulation: a condition scales and shifts maps.

    `features * (1 + gamma) + beta`, where `gamma` and `beta` (one per
    channel) are a `Dense` projection of the condition (Perez et al.,
    2018). A question steers how an image is read this way: each channel
    of a CNN block is turned up, down or off for this question. `gamma`
    is a change from 1, so a new layer starts as the identity.

    Args:
        **kwargs: base layer arguments.

    Call arguments:
        features: tensor `(batch, ..., channels)`.
        condition: tensor `(batch, dim)`.

    Returns:
        A tensor of the features' shape.

    Example:
    >>> film = FiLM()
    >>> x = film(np.ones((2, 4, 4, 3)), np.ones((2, 5)))
    >>> keras.ops.shape(x)
    (2, 4, 4, 3)
    """

    def build(self, features_shape, condition_shape):
        channels = features_shape[-1]
        self.projection = keras.layers.Dense(
            2 * channels, kernel_initializer="zeros", name="projection"
        )
        self.projection.build(condition_shape)

    def call(self, features, condition):
        gamma, beta = ops.split(self.projection(condition), 2, axis=-1)
        # (batch, 1, ..., 1, channels): broadcast over the positions.
        middle = [1] * (len(features.shape) - 2)
        shape = (-1, *middle, features.shape[-1])
        gamma, beta = ops.reshape(gamma, shape), ops.reshape(beta, shape)
        return features * (1.0 + gamma) + beta

    def compute_output_shape(self, features_shape, condition_shape):
        return features_shape
