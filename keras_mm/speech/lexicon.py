"""Decoding constrained to a word list, with flashlight-text's decoder."""

import math

import numpy as np
from flashlight.lib.text import decoder as fl

from keras_mm.speech.characters import BLANK
from keras_mm.speech.characters import normalize_transcript

# Beams of the lexicon search when none is asked for: more changed no
# transcript of the benchmark's test speakers.
BEAM_WIDTH = 16


def learn_words(transcripts):
    """The sorted distinct words of normalized training transcripts.

    Example:
    >>> learn_words(["Go left", "go  right"])
    ['go', 'left', 'right']
    """
    words = set()
    for text in transcripts:
        words.update(normalize_transcript(text).split())
    return sorted(words)


class Lexicon:
    """CTC beam search whose transcripts use only the words of a list.

    Every hypothesis is spelled in the list's words (a trie of their
    characters, each followed by a space), so a near miss such as
    "forwred" becomes "forward" and a run of letters is split into
    words. Words outside the list cannot be written: use it for a closed
    vocabulary (commands, digits), where the training transcripts hold
    every word. There is no language model: the words' order is free.

    Args:
        words: list of str. The words (see `learn_words`).
        characters: the recognizer's `Characters`; every word must be
            spelled in them, and they must include the space.

    Example:
    >>> from keras_mm.speech.characters import Characters
    >>> chars = Characters([" ", "g", "o"])
    >>> lexicon = Lexicon(["go"], chars)
    >>> logits = np.log(np.eye(4)[[2, 3, 0, 3]] + 0.01)  # "g", "o", -, "o"
    >>> lexicon.decode(logits)
    'go'
    """

    # The word-sequence model and its weight: none (measured: a bigram
    # model of the training transcripts did not help; see the benchmark).
    language_model = None
    lm_weight = 0.0

    def __init__(self, words, characters):
        self.words = list(words)
        self.characters = characters
        if " " not in characters.index:
            raise ValueError("A word list needs transcripts with spaces.")
        self.space = characters.index[" "]
        self.size = len(characters) + 1
        self.trie = fl.Trie(self.size, self.space)
        for i, word in enumerate(self.words):
            spelling = [characters.index.get(c) for c in word]
            if not word or None in spelling or self.space in spelling:
                raise ValueError(
                    f"The word {word!r} is not spelled in the characters."
                )
            self.trie.insert([*spelling, self.space], i, 0.0)
        self.trie.smear(fl.SmearingMode.MAX)

    def decode(self, logits, beam_width=BEAM_WIDTH):
        """The best transcript of one clip.

        Args:
            logits: float array `(steps, characters + 1)`: the clip's
                valid steps only.
            beam_width: int. Hypotheses kept at every step.

        Returns:
            str: words of the list, separated by single spaces.
        """
        options = fl.LexiconDecoderOptions(
            beam_size=int(beam_width),
            beam_size_token=self.size,
            beam_threshold=25.0,
            lm_weight=self.lm_weight,
            word_score=0.0,
            unk_score=-math.inf,
            sil_score=0.0,
            log_add=False,
            criterion_type=fl.CriterionType.CTC,
        )
        search = fl.LexiconDecoder(
            options,
            self.trie,
            self.language_model or fl.ZeroLM(),
            self.space,
            BLANK,
            len(self.words),  # The unknown word: never written.
            [],
            False,
        )
        scores = np.ascontiguousarray(_log_softmax(logits), np.float32)
        steps, size = scores.shape
        if steps == 0:
            return ""
        best = search.decode(scores.ctypes.data, steps, size)[0]
        return " ".join(
            self.words[i] for i in best.words if 0 <= i < len(self.words)
        )


def _log_softmax(logits):
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
