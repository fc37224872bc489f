"""Transcripts of a manifest's clips, long recordings in pieces."""

import numpy as np

from keras_mm.speech.decoding import decode
from keras_mm.speech.lexicon import BEAM_WIDTH

# A long recording is cut in every pause of at least `PAUSE_FRAMES` 10 ms
# frames whose energy (smoothed over `SMOOTHING_FRAMES`) is below the
# geometric mean of its 10th and 90th percentiles; a piece still longer
# than a window is cut again at its quietest frame.
PAUSE_FRAMES = 20
SMOOTHING_FRAMES = 5


def transcripts(
    model, preprocessor, manifest, beam_width=None, batch_size=32, lexicon=None
):
    """The transcript of every manifest row, in order.

    Clips up to `preprocessor.window_seconds` are transcribed whole,
    batched by length. Longer ones are cut in their pauses (and pieces
    still longer than a window at their quietest moment; see
    `cut_points`); the pieces are transcribed as clips and joined with
    spaces. A cut falls in a pause, so no word is split, doubled or lost.

    Args:
        model: a trained `CTCSpeechRecognizer`.
        preprocessor: its `SpeechPreprocessor`.
        manifest: `Manifest` with an `audio` column.
        beam_width: int or None. Without a lexicon, 1 (the default):
            greedy decoding; more: CTC beam search. With one: the beams
            of its search (default `BEAM_WIDTH`).
        batch_size: int. Clips (or pieces) per batch.
        lexicon: a `Lexicon` to keep to, or None.

    Returns:
        A list of str, one per row.
    """
    return decodings(
        model, preprocessor, manifest, [lexicon], beam_width, batch_size
    )[0]


def decodings(model, preprocessor, manifest, lexicons, beam_width, batch_size):
    """`transcripts` with each of `lexicons` (a `Lexicon` or None), from
    one run of the model: a list of transcript lists, one per lexicon."""
    if beam_width is not None and beam_width < 1:
        raise ValueError(f"--beam-width must be at least 1; got {beam_width}")
    lengths = preprocessor.check(manifest, transcripts=False)
    window = int(preprocessor.window_seconds * preprocessor.sample_rate)
    short = np.flatnonzero(lengths <= window)
    texts = [[None] * len(manifest) for _ in lexicons]
    if len(short):
        subset = manifest.subset(short)
        order = short[preprocessor.order(subset, lengths[short])]
        data = preprocessor.dataset(subset, batch_size, transcripts=False)
        done = 0
        for batch in data.as_numpy_iterator():  # NumPy: any backend.
            found = _texts(model, preprocessor, batch, beam_width, lexicons)
            for rows, new in zip(texts, found):
                for i, text in enumerate(new):
                    rows[order[done + i]] = text
            done += len(found[0])
    for row in np.flatnonzero(lengths > window):
        audio = preprocessor.waveform(manifest, row)
        cuts = cut_points(audio, window, preprocessor.sample_rate)
        pieces = [audio[a:b] for a, b in zip([0, *cuts], [*cuts, len(audio)])]
        words = [[] for _ in lexicons]
        for first in range(0, len(pieces), batch_size):
            batch = _batch(pieces[first : first + batch_size])
            found = _texts(model, preprocessor, batch, beam_width, lexicons)
            for kept, new in zip(words, found):
                kept += new
        for rows, kept in zip(texts, words):
            rows[row] = " ".join(" ".join(kept).split())
    return texts


def cut_points(audio, window, sample_rate):
    """Where to cut a long waveform: sample indices, in order.

    At the centre of every pause (see `PAUSE_FRAMES`): a model trained on
    single phrases writes nothing for the silence around a phrase, so a
    pause between two phrases would join their words. A piece longer than
    `window` is cut again at its quietest frame between half a window and
    a window from its start.

    Example:
    >>> audio = np.ones(10_000)
    >>> audio[3_000:4_500] = 0.0  # A pause of 1.5 s.
    >>> cut_points(audio, 8_000, 1_000)
    [3755]
    """
    frame = max(1, sample_rate // 100)
    frames = len(audio) // frame
    energy = np.square(audio[: frames * frame]).reshape(frames, frame)
    energy = np.convolve(
        energy.mean(axis=1),
        np.ones(SMOOTHING_FRAMES) / SMOOTHING_FRAMES,
        mode="same",
    )
    quiet = energy <= np.sqrt(np.prod(np.percentile(energy, [10, 90])))
    cuts = []
    for start, end in _runs(quiet):
        if end - start >= PAUSE_FRAMES and 0 < start and end < frames:
            cuts.append(int((start + end) // 2 * frame + frame // 2))
    edges, last = [], 0
    for cut in [*cuts, len(audio)]:
        while cut - last > window:
            low = (last + window // 2) // frame
            high = (last + window) // frame
            last = (low + int(np.argmin(energy[low:high]))) * frame
            last += frame // 2  # The quietest frame's centre.
            edges.append(last)
        if cut < len(audio):
            edges.append(cut)
            last = cut
    return edges


def _runs(flags):
    """`(start, end)` of every run of True in a bool array."""
    padded = np.concatenate([[False], flags, [False]]).astype(int)
    changes = np.flatnonzero(np.diff(padded))
    return list(zip(changes[::2], changes[1::2]))


def _batch(pieces):
    audio = np.zeros((len(pieces), max(map(len, pieces))), np.float32)
    for i, piece in enumerate(pieces):
        audio[i, : len(piece)] = piece
    lengths = np.array([len(p) for p in pieces], np.int32)
    return {"audio": audio, "audio_length": lengths}


def _texts(model, preprocessor, batch, beam_width, lexicons):
    """Each lexicon's transcripts of one batch, from one model call."""
    logits = np.asarray(model.predict_on_batch(batch))
    steps = np.asarray(model.steps(batch["audio_length"]))
    found = []
    for lexicon in lexicons:
        if lexicon is None:
            ids = np.asarray(decode(logits, steps, beam_width or 1))
            found.append([preprocessor.characters.text(row) for row in ids])
        else:
            width = beam_width or BEAM_WIDTH
            pairs = zip(logits, steps)
            found.append([lexicon.decode(x[:n], width) for x, n in pairs])
    return found
