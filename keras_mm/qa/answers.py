"""Answers as the VQA evaluation compares them, and their accuracy."""

import re

# The VQA evaluation's answer normalization: number words become digits,
# articles go, common contractions get their apostrophe, and punctuation
# is dropped (or, between words, becomes a space).
NUMBERS = {
    "none": "0",
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
ARTICLES = {"a", "an", "the"}
CONTRACTIONS = {
    "arent": "aren't",
    "cant": "can't",
    "couldnt": "couldn't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "dont": "don't",
    "hasnt": "hasn't",
    "havent": "haven't",
    "isnt": "isn't",
    "itll": "it'll",
    "shouldnt": "shouldn't",
    "thats": "that's",
    "theres": "there's",
    "theyre": "they're",
    "wasnt": "wasn't",
    "werent": "weren't",
    "whats": "what's",
    "wont": "won't",
    "wouldnt": "wouldn't",
    "youre": "you're",
}
PUNCTUATION = ';/[]"{}()=+\\_->:<@`,?!*#%^&$~|'
# A period ends a word unless it is a decimal point.
PERIOD = re.compile(r"(?<!\d)\.(?!\d)")
# A comma between digits ("1,000") is a thousands separator.
THOUSANDS = re.compile(r"(\d),(\d)")
# References that must agree with an answer for full credit.
AGREEING = 3


def normalize_answer(text):
    """An answer as VQA accuracy compares it.

    Lower case; whitespace collapsed; punctuation dropped where it
    touches a space or joins digits, else replaced by a space; periods
    dropped except decimal points; number words up to ten as digits;
    "a", "an" and "the" dropped; common contractions spelled with their
    apostrophe.

    Example:
    >>> normalize_answer("  Two Dogs! ")
    '2 dogs'
    >>> normalize_answer("The red-and-white one.")
    'red and white 1'
    >>> normalize_answer("dont know"), normalize_answer("1,000")
    ("don't know", '1000')
    """
    text = " ".join(str(text).lower().split())
    joined = THOUSANDS.search(text) is not None
    for mark in PUNCTUATION:
        if mark not in text:
            continue
        touches = f"{mark} " in text or f" {mark}" in text
        text = text.replace(mark, "" if touches or joined else " ")
    text = PERIOD.sub("", text)
    words = []
    for word in text.split():
        word = NUMBERS.get(word, word)
        if word not in ARTICLES:
            words.append(CONTRACTIONS.get(word, word))
    return " ".join(words)


def vqa_accuracy(answer, references):
    """The VQA accuracy of one answer against human reference answers.

    With several references: each one left out in turn, the answer
    scores min(1, matches among the others / 3), and these scores are
    averaged (so with 10 references, 4 or more matches give 1.0). With
    one reference: 1.0 if it matches, else 0.0. Answers are compared
    after `normalize_answer`.

    Args:
        answer: str.
        references: list of str (or one str).

    Returns:
        float in [0, 1].

    Example:
    >>> vqa_accuracy("two", ["2", "2", "2", "2", "3"])
    1.0
    >>> vqa_accuracy("two", ["2", "2", "2", "3"])
    0.75
    >>> vqa_accuracy("Three", ["2", "2", "2", "3"])
    0.25
    >>> vqa_accuracy("a cat", ["cat"])
    1.0
    """
    if isinstance(references, str):
        references = [references]
    if not references:
        raise ValueError("An answer needs at least one reference answer.")
    answer = normalize_answer(answer)
    same = [normalize_answer(r) == answer for r in references]
    if len(same) == 1:
        return float(same[0])
    matches = sum(same)
    scores = [min(1.0, (matches - hit) / AGREEING) for hit in same]
    return sum(scores) / len(scores)
