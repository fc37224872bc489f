import keras

from keras_mm.encoders.padding_mask import PaddingMask

CELLS = {
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
    "simple_rnn": keras.layers.SimpleRNN,
}


def rnn_text_encoder(
    vocabulary_size=10000,
    sequence_length=32,
    embedding_dim=128,
    hidden_dim=128,
    cell="lstm",
    num_layers=1,
    bidirectional=False,
    return_sequences=False,
    dropout=0.0,
    input_name="text",
    name="text_encoder",
):
    """Recurrent text encoder: `Embedding -> [RNN] x N`.

    Token id `0` is padding; the padding mask is derived from the ids and
    passed to every recurrent layer.

    Args:
        vocabulary_size: int. Number of token ids, padding and OOV included.
        sequence_length: int. Number of tokens per text.
        embedding_dim: int. Width of the token embeddings.
        hidden_dim: int. Units of each recurrent layer.
        cell: str. `"lstm"`, `"gru"` or `"simple_rnn"`.
        num_layers: int. Number of stacked recurrent layers.
        bidirectional: bool. Wrap each recurrent layer in `Bidirectional`.
        return_sequences: bool. Return `(batch, tokens, dim)` instead of the
            last state `(batch, dim)`.
        dropout: float. Input dropout of each recurrent layer.
        input_name: str. Name of the model's input (`"question"` for
            the question of a question-answering model).
        name: str. Name of the returned model.

    Returns:
        A `keras.Model` from an input of int ids (`input_name`) to the
        features.

    Example:
    >>> encoder = rnn_text_encoder(100, 8, embedding_dim=4, hidden_dim=6)
    >>> keras.ops.shape(encoder(np.ones((2, 8), "int32")))
    (2, 6)
    """
    if cell not in CELLS:
        raise ValueError(
            f"Expected `cell` to be one of {sorted(CELLS)}. Received: {cell}"
        )
    token_ids = keras.Input(
        shape=(sequence_length,), dtype="int32", name=input_name
    )
    mask = PaddingMask(name="padding_mask")(token_ids)
    x = keras.layers.Embedding(vocabulary_size, embedding_dim)(token_ids)
    for i in range(num_layers):
        last = i == num_layers - 1
        rnn = CELLS[cell](
            hidden_dim,
            return_sequences=return_sequences or not last,
            dropout=dropout,
        )
        if bidirectional:
            rnn = keras.layers.Bidirectional(rnn)
        x = rnn(x, mask=mask)
    return keras.Model(token_ids, x, name=name)
