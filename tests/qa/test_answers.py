import pytest

from keras_mm.qa import normalize_answer
from keras_mm.qa import vqa_accuracy
from keras_mm.workflow.spoken_questions import closest_words


@pytest.mark.parametrize(
    "raw, normalized",
    [
        ("Yes", "yes"),
        ("yes.", "yes"),
        ("  A   cat ", "cat"),
        ("the Two dogs", "2 dogs"),
        ("none", "0"),
        ("3.5", "3.5"),
        ("10,000", "10000"),
        ("black/white", "black white"),
        ("black / white", "black white"),
        ("isnt it", "isn't it"),
        ("left?", "left"),
    ],
)
def test_answers_are_normalized_as_vqa_evaluation_does(raw, normalized):
    assert normalize_answer(raw) == normalized


def test_accuracy_averages_min_of_matches_over_three_leaving_one_out():
    ten = ["2"] * 3 + ["3"] * 7
    # Leaving out one of the three "2": 2 others match (2/3); leaving out
    # a "3": 3 match (1.0). Average: (3 * 2/3 + 7 * 1) / 10.
    assert vqa_accuracy("Two", ten) == pytest.approx(0.9)
    assert vqa_accuracy("3", ten) == 1.0
    assert vqa_accuracy("4", ten) == 0.0
    assert vqa_accuracy("one", ["1"] * 10) == 1.0


def test_one_reference_is_exact_match_after_normalization():
    assert vqa_accuracy("The cat.", "cat") == 1.0
    assert vqa_accuracy("dog", ["cat"]) == 0.0
    with pytest.raises(ValueError, match="at least one reference"):
        vqa_accuracy("cat", [])


def test_heard_words_are_spelled_as_the_closest_known_word():
    words = ["is", "there", "a", "seven", "nine", "one", "left"]
    assert closest_words("is tzere a seve", words) == "is there a seven"
    assert closest_words("nie ne eft", words) == "nine one left"
    # Like no known word: kept as heard.
    assert closest_words("is there a xylophone", words) == (
        "is there a xylophone"
    )
