"""Transcripts as character ids: the CTC label alphabet."""

import unicodedata

import numpy as np

# CTC's blank is id 0; characters are 1, 2, ...
BLANK = 0


def normalize_transcript(text):
    """A transcript as the model learns it: NFC, lower case, single spaces.

    Example:
    >>> normalize_transcript("  Turn  LEFT\\tnow ")
    'turn left now'
    """
    text = unicodedata.normalize("NFC", str(text)).lower()
    return " ".join(text.split())


def learn_characters(transcripts):
    """The sorted characters of normalized training transcripts, and the
    space (which separates words, also for transcripts of one word).

    Example:
    >>> learn_characters(["go", "Go up"])
    [' ', 'g', 'o', 'p', 'u']
    >>> learn_characters(["yes", "no"])
    [' ', 'e', 'n', 'o', 's', 'y']
    """
    found = {" "}
    for text in transcripts:
        found.update(normalize_transcript(text))
    return sorted(found)


class Characters:
    """Maps transcripts to CTC label ids and ids back to text.

    Args:
        characters: list of str. The alphabet; character `i` is id
            `i + 1` (0 is the blank).

    Example:
    >>> chars = Characters([" ", "g", "o"])
    >>> chars.ids("Go go!")
    [2, 3, 1, 2, 3]
    >>> chars.text([2, 0, 3, 1, -1])
    'go '
    """

    def __init__(self, characters):
        self.characters = list(characters)
        self.index = {c: i + 1 for i, c in enumerate(self.characters)}

    def __len__(self):
        return len(self.characters)

    def ids(self, text):
        """Label ids of a transcript; characters outside the set are left
        out (the model cannot write them)."""
        text = normalize_transcript(text)
        return [self.index[c] for c in text if c in self.index]

    def unknown(self, text):
        """The characters of a transcript outside the set."""
        return sorted(set(normalize_transcript(text)) - set(self.index))

    def text(self, ids):
        """Text of CTC output ids: repeats are kept, blanks and padding
        (ids <= 0) dropped; decoding has merged repeats already."""
        return "".join(self.characters[i - 1] for i in ids if i > 0)

    def batch(self, texts):
        """`(labels, lengths)`: ids padded with the blank, and counts."""
        ids = [self.ids(text) for text in texts]
        lengths = np.array([len(i) for i in ids], np.int32)
        labels = np.zeros((len(ids), max(1, lengths.max(initial=0))), np.int32)
        for row, values in enumerate(ids):
            labels[row, : len(values)] = values
        return labels, lengths
