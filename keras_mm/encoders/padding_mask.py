import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class PaddingMask(keras.layers.Layer):
    """Boolean mask that is `True` where token ids are not padding.

    Masks are derived from the ids inside the graph rather than carried as
    Keras masks, because exported SavedModels drop Keras masks.

    Args:
        padding_id: int. The id used for padding. Defaults to `0`.

    Call arguments:
        token_ids: int tensor `(batch, tokens)`.
        present: bool tensor `(batch,)` or None. Samples where it is
            `False` get an all-`False` mask (the text is absent).

    Returns:
        A bool tensor with the shape of the ids, `(batch, tokens)`.

    Example:
    >>> keras.ops.convert_to_numpy(PaddingMask()(np.array([[5, 2, 0]])))
    array([[ True,  True, False]])
    """

    def __init__(self, padding_id=0, **kwargs):
        super().__init__(**kwargs)
        self.padding_id = padding_id

    def call(self, token_ids, present=None):
        mask = keras.ops.not_equal(token_ids, self.padding_id)
        if present is not None:
            mask = mask & keras.ops.cast(present, "bool")[:, None]
        return mask

    def compute_output_spec(self, token_ids, present=None):
        return keras.KerasTensor(token_ids.shape, dtype="bool")

    def get_config(self):
        return {**super().get_config(), "padding_id": self.padding_id}
