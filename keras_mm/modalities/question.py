"""The `question` modality: a question's words, with their own vocabulary."""

import numpy as np
import tensorflow as tf

from keras_mm.data.sizing import count_words
from keras_mm.data.sizing import fit_length
from keras_mm.data.text import RESERVED
from keras_mm.data.text import build_vocabulary
from keras_mm.modalities.text import MAX_SEQUENCE_LENGTH
from keras_mm.modalities.text import TextModality
from keras_mm.modalities.text import TextReader
from keras_mm.modalities.text import text_encoder

# Words a question vocabulary keeps: questions use few.
VOCABULARY_SIZE = 2000


class QuestionReader(TextReader):
    """Questions to token ids; the SavedModel takes them as strings."""

    def serving(self):
        spec = tf.TensorSpec((None,), tf.string, self.name)
        return spec, self.finish, [self.vectorizer]

    def serving_values(self, manifest, model_input):
        cells = manifest.column(self.name, allow_empty=True)
        return np.array([cell.encode() for cell in cells], dtype=object)


class QuestionModality(TextModality):
    """Questions in the `question` column, read as `text` is.

    A question is kept apart from the `text` context (a caption, a
    document): it has its own input, vocabulary and length, saved in
    the model's `modality_config["question"]`, so a model can let the
    question steer how it reads the context. Its encoder is the text
    encoder the model chooses (`text_encoder`). The SavedModel takes
    questions as strings.
    """

    name = "question"
    capped = ()
    reader_class = QuestionReader

    def size(self, manifest, config, options):
        texts = [t for t in manifest.column(self.name, allow_empty=True) if t]
        vocabulary = build_vocabulary(
            texts, VOCABULARY_SIZE, f'The "question" cells of {manifest.path}'
        )
        length = fit_length(map(count_words, texts), 4, MAX_SEQUENCE_LENGTH)
        modality_config = dict(config.get("modality_config") or {})
        modality_config[self.name] = {
            "vocabulary": vocabulary,
            "sequence_length": length,
        }
        return {"modality_config": modality_config}, {}

    def encoder(self, config, sequence):
        """The text encoder for the sized question (or, unsized, for the
        builder's `vocabulary_size` and `sequence_length`)."""
        settings = config["modality_config"].get(self.name)
        if settings is None:
            size, length = config["vocabulary_size"], config["sequence_length"]
        else:
            size = len(settings["vocabulary"]) + RESERVED
            length = settings["sequence_length"]
        return text_encoder(
            config["text_encoder"],
            size,
            length,
            config["hidden_dim"],
            sequence,
            name=self.name,
        )


QUESTION = QuestionModality()
