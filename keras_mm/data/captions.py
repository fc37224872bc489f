"""Caption tokenization for generation: keras-hub WordPiece with markers."""

import keras_hub
import tensorflow as tf

PAD, UNK, START, END = "[PAD]", "[UNK]", "[START]", "[END]"
RESERVED_TOKENS = (PAD, UNK, START, END)


def build_caption_vocabulary(captions, vocabulary_size=1000):
    """Learn a WordPiece vocabulary from the training captions.

    Args:
        captions: list of str. The training captions.
        vocabulary_size: int. Upper bound on the vocabulary size,
            reserved tokens included.

    Returns:
        A list of tokens. `[PAD]`, `[UNK]`, `[START]` and `[END]` come
        first, so padding is id 0.
    """
    if not captions:
        raise ValueError("Expected at least one caption to learn from.")
    data = tf.data.Dataset.from_tensor_slices(list(captions)).batch(256)
    return keras_hub.tokenizers.compute_word_piece_vocabulary(
        data,
        vocabulary_size,
        lowercase=True,
        reserved_tokens=list(RESERVED_TOKENS),
    )


class CaptionTokenizer:
    """Captions to fixed-length token ids and back.

    Wraps a keras-hub `WordPieceTokenizer` (lower-cased) and
    `StartEndPacker`: `[START] tokens... [END]` padded with `[PAD]` (id 0)
    to `sequence_length + 1` ids, so that teacher forcing feeds
    `ids[:-1]` and predicts `ids[1:]`.

    Args:
        vocabulary: list of str. From `build_caption_vocabulary`.
        sequence_length: int. Decoder length: tokens fed to the model.

    Example:
    >>> captions = ["a red circle on the left", "a blue square on top"]
    >>> tokenizer = CaptionTokenizer(build_caption_vocabulary(captions), 32)
    >>> ids = tokenizer(["a red circle on the left"])
    >>> tuple(ids.shape)
    (1, 33)
    >>> tokenizer.detokenize(ids[:, 1:])
    ['a red circle on the left']
    """

    def __init__(self, vocabulary, sequence_length):
        missing = [t for t in RESERVED_TOKENS if t not in vocabulary]
        if missing:
            raise ValueError(f"The vocabulary lacks {missing}.")
        self.vocabulary = list(vocabulary)
        self.sequence_length = int(sequence_length)
        self.tokenizer = keras_hub.tokenizers.WordPieceTokenizer(
            self.vocabulary,
            lowercase=True,
            oov_token=UNK,
            special_tokens=[PAD, START, END],
        )
        self.pad_id, self.start_id, self.end_id = (
            self.vocabulary.index(t) for t in (PAD, START, END)
        )
        self.packer = keras_hub.layers.StartEndPacker(
            self.sequence_length + 1,
            start_value=self.start_id,
            end_value=self.end_id,
            pad_value=self.pad_id,
        )

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def __call__(self, captions):
        """Token ids `(batch, sequence_length + 1)`, int32, for strings."""
        return self.packer(self.tokenizer(captions))

    def detokenize(self, ids):
        """Caption strings for ids; stops at `[END]`, drops markers."""
        ids = tf.convert_to_tensor(ids, "int32")
        # Everything from the first [END] on is padding.
        ended = tf.cumsum(tf.cast(ids == self.end_id, "int32"), axis=-1) > 0
        keep = ~ended & (ids != self.pad_id) & (ids != self.start_id)
        tokens = tf.ragged.boolean_mask(ids, keep)
        text = self.tokenizer.detokenize(tokens)
        return [t.decode() for t in tf.convert_to_tensor(text).numpy()]
