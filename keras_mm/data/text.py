import pathlib

import keras

RESERVED = 2  # id 0 is padding, id 1 is out-of-vocabulary.


def build_vocabulary(texts, max_tokens=10000, source="The texts"):
    """Learn a word vocabulary from `texts`, most frequent words first.

    Args:
        texts: list of str. The training texts.
        max_tokens: int. Vocabulary size cap, reserved ids included.
        source: str. Names the texts in the error.

    Returns:
        A list of words, without the reserved padding and OOV entries.

    Raises:
        ValueError: if the texts hold no word at all.
    """
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens)
    vectorizer.adapt(list(texts) or [""])
    vocabulary = [str(w) for w in vectorizer.get_vocabulary()[RESERVED:]]
    if not vocabulary:
        # An empty lookup table fails inside `fit` ("Table not initialized").
        raise ValueError(
            f"{source} hold no word (every one is empty, blank or "
            "punctuation); no vocabulary can be learned from them."
        )
    return vocabulary


def text_vectorizer(vocabulary, sequence_length):
    """Return a `TextVectorization` layer mapping strings to padded ids.

    Text is lower-cased, stripped of punctuation and split on whitespace;
    ids start at 2 (0 pads, 1 is out-of-vocabulary).
    """
    return keras.layers.TextVectorization(
        vocabulary=vocabulary or None,
        output_sequence_length=sequence_length,
    )


def save_vocabulary(vocabulary, path):
    pathlib.Path(path).write_text("\n".join(vocabulary) + "\n")


def load_vocabulary(path):
    return pathlib.Path(path).read_text().splitlines()
