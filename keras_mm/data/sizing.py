import re

import numpy as np

from keras_mm.data.audio import audio_info

MAX_AUDIO_SECONDS = 4.0
MAX_SEQUENCE_LENGTH = 128
MAX_FILES = 256


def suggest_lengths(manifest, sample_rate, quantile=0.95):
    """Suggest input lengths that fit most of a manifest's audio and text.

    Audio durations are read from the file headers of up to 256 rows (or
    taken from the audio of a prepared manifest, `keras-mm prepare`); text
    lengths are counted in words. Empty cells (an absent modality) are
    skipped. Rows longer than the suggestion get
    cropped by the pipeline, shorter ones padded.

    Args:
        manifest: `Manifest`. Training rows.
        sample_rate: int. Sampling rate the model's audio input uses.
        quantile: float. Share of rows that should fit without cropping.

    Returns:
        A dict with `audio_length` (samples, at most 4 s) if the manifest
        has an `audio` column and `sequence_length` (tokens, 4 to 128) if
        it has a `text` column.
    """
    lengths = {}
    columns = manifest.columns
    prepared = manifest.prepared and manifest.prepared.shape("audio")
    if prepared:
        # Prepared audio has its length, and its files need not be here.
        lengths["audio_length"] = prepared[0]
    elif "audio" in columns:
        paths = [p for p in manifest.column("audio", allow_empty=True) if p]
        seconds = [_duration(path) for path in paths[:MAX_FILES]]
        seconds = [s for s in seconds if s]
        if seconds:
            top = min(np.quantile(seconds, quantile), MAX_AUDIO_SECONDS)
            lengths["audio_length"] = max(int(round(top * sample_rate)), 256)
    if "text" in columns:
        texts = manifest.column("text", allow_empty=True)
        lengths["sequence_length"] = fit_length(
            [count_words(t) for t in texts if t], 4, MAX_SEQUENCE_LENGTH
        )
    return lengths


def fit_length(lengths, minimum, maximum, quantile=0.95):
    """The input length that holds `quantile` of `lengths`, within bounds.

    The one rule for every sequence length a model is sized with: text
    words, caption tokens.

    Example:
    >>> fit_length([3, 5, 9, 40], minimum=4, maximum=32)
    32
    >>> fit_length([1, 2], minimum=4, maximum=32)
    4
    """
    top = np.ceil(np.quantile(list(lengths) or [0], quantile))
    return int(np.clip(top, minimum, maximum))


def count_words(text):
    """Words in `text`, as `TextVectorization` splits it (no punctuation)."""
    return len(re.findall(r"\w+", text))


def _duration(path):
    # Unreadable files are reported, with their row, by the pipeline checks.
    try:
        rate, frames = audio_info(path)
        return frames / rate
    except (OSError, ValueError, ZeroDivisionError):
        return None
