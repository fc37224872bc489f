"""A word bigram model of the training transcripts, in the lexicon search.

`keras_mm.speech.Lexicon` searches without a word-sequence model. This
measures one: add-one bigram probabilities of the training transcripts'
words, through flashlight-text's `LM` interface, at a few weights. It is
kept out of keras_mm while it does not lower the WER.
"""

import collections
import math

from flashlight.lib.text import decoder as fl

from keras_mm.speech.lexicon import Lexicon
from keras_mm.speech.transcribe import transcripts


class BigramModel(fl.LM):
    """Add-one bigram log probabilities of word ids (one state per word)."""

    def __init__(self, words, texts):
        super().__init__()
        index = {w: i for i, w in enumerate(words)}
        self.end = len(words)
        self.pairs = collections.Counter()
        self.firsts = collections.Counter()
        for text in texts:
            ids = [-1, *(index[w] for w in text.split() if w in index)]
            ids.append(self.end)
            self.pairs.update(zip(ids, ids[1:]))
            self.firsts.update(ids[:-1])
        self.size = len(words) + 1
        self.last = {}

    def start(self, start_with_nothing):
        state = fl.LMState()
        self.last[state] = -1
        return state

    def score(self, state, word):
        child = state.child(word)
        self.last[child] = word
        previous = self.last[state]
        count = self.pairs[(previous, word)] + 1
        return child, math.log(count / (self.firsts[previous] + self.size))

    def finish(self, state):
        return self.score(state, self.end)


def bigram_transcripts(model, preprocessor, manifest, texts, weight):
    """Transcripts through the lexicon search with the bigram model."""
    lexicon = Lexicon(preprocessor.words, preprocessor.characters)
    lexicon.language_model = BigramModel(preprocessor.words, texts)
    lexicon.lm_weight = weight
    return transcripts(model, preprocessor, manifest, lexicon=lexicon)
