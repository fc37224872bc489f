"""Spoken questions: written out by a speech recognizer, then answered."""

import difflib

from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data.speech_preprocessor import SpeechPreprocessor
from keras_mm.export import load_bundle
from keras_mm.log import log
from keras_mm.speech.transcribe import transcripts
from keras_mm.tasks import get_task

# The column of a question asked in speech: an audio file.
QUESTION_AUDIO = "question_audio"
# How alike a heard word and a known one must be to swap them
# (`difflib.SequenceMatcher.ratio`; difflib's default).
CLOSENESS = 0.6


def transcribe_questions(manifest, speech_model, batch_size=32, words=None):
    """A copy of `manifest` whose spoken questions are transcribed.

    A row asks its question in speech when its `question` cell is empty
    (or the manifest has no `question` column) and its `question_audio`
    cell names an audio file. Its question becomes what the speech
    recognizer bundle `speech_model` hears (with the bundle's decoding),
    each heard word the answerer does not know replaced by the closest
    one it knows (`closest_words`); typed questions are kept as they
    are, and `audio` stays the context's sound.

    Args:
        manifest: `Manifest`. Question-answering rows.
        speech_model: str or path. A `ctc_speech_recognizer` bundle.
        batch_size: int. Clips transcribed at once.
        words: list of str or None. The answerer's question vocabulary.

    Returns:
        A `Manifest` with the same rows, row numbers and path.
    """
    model, preprocessor = load_bundle(speech_model)
    if not isinstance(preprocessor, SpeechPreprocessor):
        raise ValueError(
            f"--speech-model {speech_model} is a "
            f"{get_task(preprocessor.task).noun}: it must be a speech "
            "recognizer (`keras-mm train --model ctc_speech_recognizer`)."
        )
    if manifest.prepared is not None:
        raise ManifestError(
            f"{manifest.path} is a `keras-mm prepare` folder: spoken "
            "questions are read from a manifest file."
        )
    if QUESTION_AUDIO not in manifest.columns:
        raise ManifestError(
            f"Manifest {manifest.path} has no {QUESTION_AUDIO!r} column: "
            "--speech-model transcribes the spoken questions it names."
        )
    audio = manifest.column(QUESTION_AUDIO, allow_empty=True)
    spoken = spoken_rows(manifest)
    if not spoken:
        return manifest
    clips = Manifest(
        [{"audio": audio[i]} for i in spoken],
        manifest.path,
        [manifest.row_numbers[i] for i in spoken],
    )
    log(f"Transcribing {len(spoken)} spoken questions...")
    heard = transcripts(
        model,
        preprocessor,
        clips,
        batch_size=batch_size,
        lexicon=preprocessor.word_list(),
    )
    if words:
        heard = [closest_words(text, words) for text in heard]
    rows = [dict(row) for row in manifest.rows]
    for i, question in zip(spoken, heard):
        rows[i]["question"] = question
    silent = [i for i, question in zip(spoken, heard) if not question]
    if silent:
        log(
            f"{len(silent)} spoken questions were heard as nothing (first: "
            f"{manifest.where(silent[0])}); their question is empty."
        )
    return Manifest(rows, manifest.path, manifest.row_numbers, manifest.lines)


def spoken_rows(manifest):
    """The indices of the rows that ask their question in speech."""
    if QUESTION_AUDIO not in manifest.columns:
        return []
    return [
        i
        for i, row in enumerate(manifest.rows)
        if not (row.get("question") or "").strip() and row.get(QUESTION_AUDIO)
    ]


def closest_words(text, words):
    """`text` with each word not in `words` replaced by the closest one.

    A recognizer's errors are mostly spellings ("seve" for "seven"); a
    word the answerer does not know tells it nothing, while the known
    word most like it (`difflib`, at least `CLOSENESS` alike) usually is
    what was said. A word like none is kept.

    Example:
    >>> closest_words("is there a seve", ["is", "there", "a", "seven"])
    'is there a seven'
    """
    known = set(words)
    return " ".join(
        word
        if word in known
        else next(
            iter(difflib.get_close_matches(word, words, 1, CLOSENESS)), word
        )
        for word in text.split()
    )
