import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class ModalityDropout(keras.layers.Layer):
    """Drop whole modalities at random during training.

    Works on the per-sample presence matrix: while training, each present
    modality of each sample is marked absent with probability `rate`, but a
    sample always keeps at least one of its present modalities. Fusion
    layers then ignore the dropped modalities, so the model learns not to
    rely on any single one. At inference the presence passes unchanged.

    Args:
        rate: float. Probability of dropping each modality.
        seed: int or None. Random seed.

    Call arguments:
        presence: float tensor `(batch, modalities)`, 1 where present.

    Returns:
        The presence matrix with dropped modalities set to 0.

    Example:
    >>> kept = ModalityDropout(0.5)(np.ones((2, 3)), training=False)
    >>> keras.ops.convert_to_numpy(kept)
    array([[1., 1., 1.],
           [1., 1., 1.]], dtype=float32)
    """

    def __init__(self, rate=0.25, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Expected 0 <= rate < 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, presence, training=None):
        if not training or self.rate == 0.0:
            return presence
        keep = keras.random.uniform(
            keras.ops.shape(presence), seed=self.seed_generator
        )
        dropped = presence * keras.ops.cast(keep >= self.rate, presence.dtype)
        # Samples that would lose every modality keep their original ones.
        empty = keras.ops.sum(dropped, axis=-1, keepdims=True) == 0
        return keras.ops.where(empty, presence, dropped)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
