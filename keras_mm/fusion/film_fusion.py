import keras

from keras_mm.fusion.fusion_layer import FusionLayer
from keras_mm.fusion.presence import masked_mean
from keras_mm.fusion.presence import token_masks
from keras_mm.fusion.projections import build_projections
from keras_mm.fusion.projections import project_tokens


@keras.saving.register_keras_serializable(package="keras_mm")
class FiLMFusion(FusionLayer):
    """FiLM: one modality modulates the others' feature maps.

    The conditioning modality (the last one by default) is mean-pooled and
    mapped to a per-channel scale and shift for each other modality, whose
    projected tokens become `relu(h * (1 + gamma) + beta)` (Perez et al.,
    2018) before mean pooling. The pooled modulated modalities and the
    pooled conditioning modality are concatenated.

    Args:
        hidden_dim: int. Width of the projected tokens.
        conditioning: int. Index of the conditioning modality.

    Call arguments:
        inputs: list of tensors `(batch, steps_i, dim_i)`, one per modality.
        mask: list or None. Per modality `None`, a presence mask
            `(batch,)` or a token mask `(batch, steps_i)`; invalid tokens
            are ignored.

    Returns:
        A tensor `(batch, modalities * hidden_dim)`.

    Example:
    >>> layer = FiLMFusion(8)
    >>> keras.ops.shape(layer([np.ones((2, 5, 3)), np.ones((2, 7, 4))]))
    (2, 16)
    """

    sequence_inputs = True

    def __init__(self, hidden_dim=64, conditioning=-1, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.conditioning = conditioning

    def build(self, input_shape):
        num = len(input_shape)
        if num < 2:
            raise ValueError("FiLMFusion needs two modalities.")
        self.projections = build_projections(self, input_shape, self.hidden_dim)
        self.film = keras.layers.Dense(
            2 * self.hidden_dim * (num - 1),
            kernel_initializer="zeros",  # start as the identity modulation
            dtype=self.dtype_policy,
            name="film",
        )
        self.film.build((input_shape[0][0], self.hidden_dim))

    def call(self, inputs, mask=None):
        masks = token_masks(inputs, mask)
        tokens = project_tokens(self.projections, inputs, masks)
        index = self.conditioning % len(inputs)
        condition = masked_mean(tokens[index], masks[index])
        # (batch, 2 * hidden_dim) per modulated modality.
        films = keras.ops.split(self.film(condition), len(inputs) - 1, -1)
        pooled = []
        others = [i for i in range(len(inputs)) if i != index]
        for i, film in zip(others, films):
            gamma, beta = keras.ops.split(film, 2, axis=-1)
            h = keras.ops.relu(
                tokens[i] * (1.0 + gamma[:, None, :]) + beta[:, None, :]
            )
            pooled.append(masked_mean(h, masks[i]))
        return keras.ops.concatenate(pooled + [condition], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(input_shape) * self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "conditioning": self.conditioning,
        }
