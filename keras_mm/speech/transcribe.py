"""Transcripts of a manifest's clips, long recordings in windows."""

import numpy as np

from keras_mm.speech.decoding import decode

# A long clip's windows overlap by this share of a window; each keeps the
# steps nearest its centre, so every kept step sees at least half the
# overlap of context on both sides.
OVERLAP = 0.25


def transcripts(model, preprocessor, manifest, beam_width=1, batch_size=32):
    """The transcript of every manifest row, in order.

    Clips up to `preprocessor.window_seconds` are transcribed whole,
    batched by length; longer ones in overlapping windows whose logits
    are joined before decoding (see `window_logits`), so no word is
    doubled or lost at a window's edge.

    Args:
        model: a trained `CTCSpeechRecognizer`.
        preprocessor: its `SpeechPreprocessor`.
        manifest: `Manifest` with an `audio` column.
        beam_width: int. 1: greedy decoding; more: beam search.
        batch_size: int. Clips (or windows) per batch.

    Returns:
        A list of str, one per row.
    """
    lengths = preprocessor.check(manifest, transcripts=False)
    window = int(preprocessor.window_seconds * preprocessor.sample_rate)
    short = np.flatnonzero(lengths <= window)
    texts = [None] * len(manifest)
    if len(short):
        subset = manifest.subset(short)
        order = short[preprocessor.order(subset, lengths[short])]
        data = preprocessor.dataset(subset, batch_size, transcripts=False)
        done = 0
        for batch in data:
            logits = model.predict_on_batch(batch)
            steps = model.steps(batch["audio_length"])
            for text in _texts(preprocessor, logits, steps, beam_width):
                texts[order[done]] = text
                done += 1
    for row in np.flatnonzero(lengths > window):
        audio = preprocessor.waveform(manifest, row)
        logits = window_logits(model, audio, window, batch_size)
        steps = np.array([len(logits)])
        texts[row] = _texts(preprocessor, logits[None], steps, beam_width)[0]
    return texts


def window_logits(model, audio, window, batch_size=32):
    """Logits `(steps, characters + 1)` of a long waveform, by windows.

    Windows of `window` samples start every `window * (1 - OVERLAP)`
    (rounded to whole output steps); where two overlap, the steps before
    the middle of the overlap come from the first, the others from the
    second.

    Args:
        model: a `CTCSpeechRecognizer`.
        audio: float32 array `(samples,)`.
        window: int. Samples per window.
        batch_size: int. Windows per forward pass.
    """
    step = model.frame_mask.hop_length * model.frame_mask.subsampling
    stride = max(1, int(window * (1 - OVERLAP)) // step) * step
    starts = list(range(0, max(1, len(audio) - window + stride), stride))
    total = int(np.asarray(model.steps([len(audio)]))[0])
    pieces = []
    for first in range(0, len(starts), batch_size):
        chunk = starts[first : first + batch_size]
        batch = np.zeros((len(chunk), window), np.float32)
        lengths = np.zeros(len(chunk), np.int32)
        for i, start in enumerate(chunk):
            piece = audio[start : start + window]
            batch[i, : len(piece)] = piece
            lengths[i] = len(piece)
        logits = model.predict_on_batch(
            {"audio": batch, "audio_length": lengths}
        )
        pieces += list(np.asarray(logits))
    half = (window - stride) // step // 2  # Steps of half an overlap.
    kept = []
    for i, (start, logits) in enumerate(zip(starts, pieces)):
        begin = 0 if i == 0 else half
        end = None if i == len(starts) - 1 else (stride // step) + half
        offset = start // step + begin
        kept.append(logits[begin:end][: max(0, total - offset)])
    return np.concatenate(kept)


def _texts(preprocessor, logits, steps, beam_width):
    ids = np.asarray(decode(logits, steps, beam_width))
    return [preprocessor.characters.text(row) for row in ids]
