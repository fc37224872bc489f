"""The `text` modality: words to token ids, batched in `tf.data`."""

import tensorflow as tf

from keras_mm.data.sizing import count_words
from keras_mm.data.sizing import fit_length
from keras_mm.data.text import RESERVED
from keras_mm.data.text import build_vocabulary
from keras_mm.data.text import text_vectorizer
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import transformer_text_encoder
from keras_mm.modalities.modality import Modality
from keras_mm.modalities.modality import Reader

MAX_SEQUENCE_LENGTH = 128


class TextReader(Reader):
    """Texts batched into int32 token ids of the saved vocabulary."""

    def __init__(self, modality, shape, settings):
        super().__init__(modality, shape, settings)
        if settings.get("vocabulary") is None:
            raise ValueError("A model with a 'text' input needs a vocabulary.")
        self.vectorizer = text_vectorizer(settings["vocabulary"], shape[0])

    def finish(self, batch):
        return tf.cast(self.vectorizer(batch), "int32")


class TextModality(Modality):
    """Texts in the `text` column: a word vocabulary learned in training.

    Sizing learns the vocabulary (up to the model's `vocabulary_size`)
    and a `sequence_length` that holds 95% of the texts (4 to 128 words).
    The encoder is a GRU (`text_encoder="rnn"`) or a Transformer.
    """

    name = "text"
    capped = ("vocabulary_size",)
    reader_class = TextReader

    def size(self, manifest, config, options):
        texts = [t for t in manifest.column("text", allow_empty=True) if t]
        overrides = {
            "sequence_length": fit_length(
                map(count_words, texts), 4, MAX_SEQUENCE_LENGTH
            )
        }
        if "vocabulary_size" not in config:
            return overrides, {}
        vocabulary = build_vocabulary(
            texts,
            config["vocabulary_size"],
            f'The "text" cells of {manifest.path}',
        )
        overrides["vocabulary_size"] = len(vocabulary) + RESERVED
        return overrides, {"vocabulary": vocabulary}

    def encoder(self, config, sequence):
        return text_encoder(
            config["text_encoder"],
            config["vocabulary_size"],
            config["sequence_length"],
            config["hidden_dim"],
            sequence,
        )


def text_encoder(
    kind, vocabulary_size, sequence_length, hidden_dim, sequence, name="text"
):
    """The zoo's text encoder `kind` (`"rnn"` or `"transformer"`), reading
    input `name`."""
    if kind == "rnn":
        return rnn_text_encoder(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            hidden_dim,
            "gru",
            return_sequences=sequence,
            input_name=name,
            name=f"{name}_encoder",
        )
    if kind == "transformer":
        return transformer_text_encoder(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            num_heads=4,
            intermediate_dim=2 * hidden_dim,
            pooling=None if sequence else "avg",
            input_name=name,
            name=f"{name}_encoder",
        )
    raise ValueError(
        "Expected `text_encoder` to be 'rnn' or 'transformer'. "
        f"Received: {kind}"
    )


TEXT = TextModality()
