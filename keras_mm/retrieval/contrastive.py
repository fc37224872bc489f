import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_mm")
class ContrastiveLogits(keras.layers.Layer):
    """Scaled cosine similarities of every image with every text (CLIP).

    The embeddings are L2-normalized; the logits are their dot products
    times `exp(logit_scale)`, a learned inverse temperature that starts at
    `1 / initial_temperature` and is clipped at 100 as in CLIP.

    Args:
        initial_temperature: float. Starting temperature.

    Call arguments:
        inputs: list `[image_embeddings, text_embeddings]`, each
            `(batch, dim)`.

    Returns:
        Logits `(batch_images, batch_texts)`; row `i` scores image `i`
        against every text.

    Example:
    >>> layer = ContrastiveLogits()
    >>> keras.ops.shape(layer([np.eye(2), np.eye(2)]))
    (2, 2)
    """

    def __init__(self, initial_temperature=0.07, **kwargs):
        super().__init__(**kwargs)
        self.initial_temperature = initial_temperature

    def build(self, input_shape):
        self.logit_scale = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(
                math.log(1 / self.initial_temperature)
            ),
            name="logit_scale",
        )

    def call(self, inputs):
        images, texts = (ops.normalize(x, axis=-1) for x in inputs)
        scale = ops.exp(ops.minimum(self.logit_scale, math.log(100.0)))
        return ops.cast(scale, images.dtype) * ops.matmul(
            images, ops.transpose(texts)
        )

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], input_shape[1][0])

    def get_config(self):
        return {
            **super().get_config(),
            "initial_temperature": self.initial_temperature,
        }


@keras.saving.register_keras_serializable(package="keras_mm")
class SymmetricContrastiveLoss(keras.losses.Loss):
    """Symmetric InfoNCE over in-batch image-text logits.

    Targets are caption group ids `(batch,)`: pairs with equal ids (the
    same caption) are all positives, so duplicate captions in a batch are
    not pushed apart. The loss averages image-to-text and text-to-image
    cross-entropy against the uniform distribution over positives.

    Example:
    >>> loss = SymmetricContrastiveLoss()
    >>> float(loss(np.array([0, 1]), np.array([[9.0, 0.0], [0.0, 9.0]])))
    0.0001...
    """

    def __init__(self, name="symmetric_contrastive", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        groups = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        same = ops.cast(groups[:, None] == groups[None, :], y_pred.dtype)
        targets = same / ops.sum(same, axis=-1, keepdims=True)
        image_to_text = keras.losses.categorical_crossentropy(
            targets, y_pred, from_logits=True
        )
        text_to_image = keras.losses.categorical_crossentropy(
            targets, ops.transpose(y_pred), from_logits=True
        )
        return (image_to_text + text_to_image) / 2
