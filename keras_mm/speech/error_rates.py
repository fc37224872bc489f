"""Word and character error rates, with jiwer."""

import jiwer

from keras_mm.speech.characters import normalize_transcript


def error_rates(references, hypotheses):
    """`{"wer", "cer"}` of hypotheses against reference transcripts.

    Both are normalized as training normalizes transcripts (see
    `normalize_transcript`), then scored by jiwer over the whole set:
    edits (substitutions, deletions, insertions) divided by the words
    (characters) of the references. An empty reference counts its
    hypothesis' words as insertions.

    Example:
    >>> error_rates(["go left now"], ["Go left"])
    {'wer': 0.3333333333333333, 'cer': 0.36363636363636365}
    """
    references = [normalize_transcript(t) for t in references]
    hypotheses = [normalize_transcript(t) for t in hypotheses]
    if not references:
        raise ValueError("No transcripts to score.")
    return {
        "wer": float(jiwer.wer(references, hypotheses)),
        "cer": float(jiwer.cer(references, hypotheses)),
    }
