import numpy as np
import pytest

from keras_mm.speech.characters import Characters
from keras_mm.speech.characters import learn_characters
from keras_mm.speech.lexicon import Lexicon
from keras_mm.speech.lexicon import learn_words

WORDS = ["four", "forward", "go", "green", "no", "stop", "two"]
CHARACTERS = Characters(learn_characters(WORDS))


def spelled(text, repeat=3, confidence=0.6):
    """Logits of a clip whose frames say `text` (each character `repeat`
    frames, blanks between), with `confidence` on the said label."""
    ids = []
    for char in text:
        ids += [CHARACTERS.index[char]] * repeat + [0]
    size = len(CHARACTERS) + 1
    probs = np.full((len(ids), size), (1 - confidence) / (size - 1))
    probs[np.arange(len(ids)), ids] = confidence
    return np.log(probs)


def test_a_near_miss_becomes_the_nearest_word():
    lexicon = Lexicon(WORDS, CHARACTERS)
    assert lexicon.decode(spelled("forwrd")) == "forward"
    assert lexicon.decode(spelled("stap")) == "stop"
    assert lexicon.decode(spelled("gren no")) == "green no"


def test_a_run_of_letters_is_split_into_words():
    lexicon = Lexicon(WORDS, CHARACTERS)
    assert lexicon.decode(spelled("gofour")) == "go four"
    assert lexicon.decode(spelled("stoptwo go")) == "stop two go"


def test_only_words_of_the_list_are_written():
    lexicon = Lexicon(WORDS, CHARACTERS)
    rng = np.random.default_rng(0)
    for _ in range(20):
        logits = rng.normal(0, 3, (40, len(CHARACTERS) + 1))
        text = lexicon.decode(logits, beam_width=4)
        assert set(text.split()) <= set(WORDS)
    assert lexicon.decode(np.zeros((0, len(CHARACTERS) + 1))) == ""


def test_words_are_learned_normalized_and_must_be_spelled():
    assert learn_words(["Go  FOUR", "go\tstop"]) == ["four", "go", "stop"]
    with pytest.raises(ValueError, match="'zoo' is not spelled"):
        Lexicon(["zoo"], CHARACTERS)
