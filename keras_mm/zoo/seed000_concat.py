from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import transformer_text_encoder
from keras_mm.fusion import ConcatFusion
from keras_mm.zoo.assemble import assemble


def seed000_concat(
    num_classes=10,
    multi_label=False,
    image_shape=(28, 28, 1),
    vocabulary_size=10000,
    sequence_length=32,
):
    """Article A: CNN, RNN and Transformer branches joined by concatenation.

    Reproduces Article A's `multi_modal_net` (section "项目实践"): its
    `conv_net` (Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Flatten ->
    Dense(128, relu)) on 28x28x1 images, its `rnn_net` (Embedding(10000,
    128) -> SimpleRNN(128) x 2) and its `transformer` (Embedding(10000, 128)
    -> a Transformer block), joined by `Concatenate` and a softmax head.

    What had to change to make it run:
    - The article concatenates the three branches' softmax outputs and
      never builds a multi-input graph; here the branches' features are
      concatenated and a single head classifies them.
    - `tf.keras.layers.Transformer` does not exist; the block is keras-hub's
      `TokenAndPositionEmbedding` + `TransformerEncoder` (2 heads), mean
      pooled over the non-padding tokens.
    - The article feeds the RNN and the Transformer two separate token
      inputs; both read the one `"text"` input here.
    - Two classes get a sigmoid unit instead of a 2-way softmax.

    Args:
        num_classes: int. Number of classes.
        multi_label: bool. Independent sigmoids per class.
        image_shape: tuple. Image input shape.
        vocabulary_size: int. Token ids, padding and OOV included.
        sequence_length: int. Tokens per text.

    Returns:
        A `keras.Model` with inputs `"image"` and `"text"`.
    """
    encoders = [
        cnn_image_encoder(
            image_shape,
            filters=(32,),
            pooling="flatten",
            output_dim=128,
        ),
        rnn_text_encoder(
            vocabulary_size,
            sequence_length,
            cell="simple_rnn",
            num_layers=2,
            name="rnn_text_encoder",
        ),
        transformer_text_encoder(
            vocabulary_size,
            sequence_length,
            num_heads=2,
            name="transformer_text_encoder",
        ),
    ]
    return assemble(
        encoders,
        ConcatFusion(name="fusion"),
        num_classes,
        multi_label,
        name="seed000_concat",
    )
