"""Caption tokenization for generation: keras-hub WordPiece with markers."""

import keras_hub
import tensorflow as tf

from keras_mm.data.manifest import ManifestError
from keras_mm.data.sizing import fit_length

PAD, UNK, START, END = "[PAD]", "[UNK]", "[START]", "[END]"
RESERVED_TOKENS = (PAD, UNK, START, END)
CAPTION_COLUMNS = ("caption", "text")


def caption_column(manifest, prefer="caption"):
    """The manifest's caption column: `prefer` if present, else the other."""
    for column in sorted(CAPTION_COLUMNS, key=lambda c: c != prefer):
        if column in manifest.columns:
            return column
    raise ManifestError(
        f"Manifest {manifest.path} has no caption column: expected one of "
        f"{list(CAPTION_COLUMNS)}. Columns found: {sorted(manifest.columns)}"
    )


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


def caption_length(captions, vocabulary, minimum=8):
    """Decoder length for 95% of the captions' tokens plus `[END]`, at
    least `minimum`, at most 64."""
    # Eager keras-hub tokenizers return lists of ids.
    pieces = CaptionTokenizer(vocabulary, 1).tokenizer(tf.constant(captions))
    return fit_length([len(ids) + 1 for ids in pieces], minimum, 64)


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
        text = detokenize(
            ids, self.vocabulary, self.start_id, self.end_id, self.pad_id
        )
        return [t.decode() for t in text.numpy()]


def detokenize(ids, vocabulary, start_id, end_id, pad_id=0):
    """Caption strings for token ids, with TensorFlow string ops only.

    So that it runs inside a SavedModel whose client has neither keras_mm
    nor tensorflow-text: `[START]`, padding and everything from `[END]` on
    are dropped, and WordPiece `##` pieces are glued to the previous token.

    Returns:
        A string tensor `(batch,)`.
    """
    ids = tf.convert_to_tensor(ids, tf.int32)
    tokens = tf.gather(tf.constant(vocabulary), ids)
    # Everything from the first [END] on is padding.
    ended = tf.cumsum(tf.cast(ids == end_id, tf.int32), axis=-1) > 0
    keep = ~ended & (ids != pad_id) & (ids != start_id)
    text = tf.strings.reduce_join(
        tf.where(keep, tokens, ""), axis=-1, separator=" "
    )
    text = tf.strings.regex_replace(text, " +", " ")
    text = tf.strings.regex_replace(text, " ##", "")
    return tf.strings.strip(text)
