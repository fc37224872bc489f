import tensorflow as tf

from keras_mm.retrieval import towers
from keras_mm.tasks.archive import export_archive


def dual_encoder_archive(model, preprocessor):
    """A Keras `ExportArchive` with `encode_image` and `encode_text`.

    `encode_image` takes `image` (float32 pixels in `[0, 255]`) and
    `encode_text` takes `text` strings (tokenized in the graph, as in
    training); both return L2-normalized `embedding`s, so a client ranks
    by dot product.
    """
    image_model, text_model = towers(model)
    reader = preprocessor.text
    archive = export_archive(model, reader.vectorizer)

    def encode_image(image):
        return {"embedding": image_model(image)}

    def encode_text(text):
        return {"embedding": text_model(reader.finish(text))}

    image_spec = tf.TensorSpec((None, *preprocessor.image_shape), tf.float32)
    archive.add_endpoint("encode_image", encode_image, [image_spec])
    archive.add_endpoint(
        "encode_text",
        encode_text,
        [tf.TensorSpec((None,), tf.string, name="text")],
    )
    return archive
