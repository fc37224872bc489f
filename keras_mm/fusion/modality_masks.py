import keras


@keras.saving.register_keras_serializable(package="keras_mm")
class ModalityMasks(keras.layers.Layer):
    """Split a presence matrix into one bool mask per modality.

    Call arguments:
        presence: float tensor `(batch, modalities)`, 1 where present.

    Returns:
        A list of bool tensors `(batch,)`, one per modality, to pass as a
        fusion layer's `mask`.

    Example:
    >>> masks = ModalityMasks()(np.array([[1.0, 0.0]]))
    >>> [keras.ops.convert_to_numpy(m).tolist() for m in masks]
    [[True], [False]]
    """

    def call(self, presence):
        present = keras.ops.greater(presence, 0.5)
        return [present[:, i] for i in range(presence.shape[-1])]

    def compute_output_spec(self, presence):
        return [
            keras.KerasTensor((presence.shape[0],), dtype="bool")
            for _ in range(presence.shape[-1])
        ]
