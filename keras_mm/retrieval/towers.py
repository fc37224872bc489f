import keras


def towers(model):
    """The image and text towers of a `dual_encoder`, as two models.

    Returns:
        `(image_model, text_model)`: `image` to and `text` token ids to
        L2-normalized embeddings `(batch, projection_dim)`.
    """
    image_model = keras.Model(
        model.input["image"], model.get_layer("image_embedding").output
    )
    text_model = keras.Model(
        model.input["text"], model.get_layer("text_embedding").output
    )
    return image_model, text_model
