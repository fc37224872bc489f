from keras_mm.speech.characters import Characters
from keras_mm.speech.characters import learn_characters
from keras_mm.speech.error_rates import error_rates


def test_characters_round_trip_and_skip_unknown_ones():
    chars = Characters(learn_characters(["go left", "stop"]))
    assert chars.text(chars.ids("Go  LEFT")) == "go left"
    # "é" and "!" were never in training: left out, not an error.
    assert chars.text(chars.ids("stop é!")) == "stop "
    assert chars.unknown("stop é!") == ["!", "é"]
    labels, lengths = chars.batch(["go", "", "stop"])
    assert labels.shape == (3, 4) and lengths.tolist() == [2, 0, 4]
    assert labels[0, 2:].tolist() == [0, 0]


def test_error_rates_normalize_as_training_does():
    assert error_rates(["Go Left"], ["go  left"]) == {"wer": 0.0, "cer": 0.0}
    rates = error_rates(["one two three four"], ["one too three"])
    assert rates["wer"] == 0.5
    assert 0 < rates["cer"] < 0.5
