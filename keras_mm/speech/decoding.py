"""CTC decoding of a recognizer's logits, with `keras.ops.ctc_decode`."""

from keras import ops

from keras_mm.speech.characters import BLANK


def decode(logits, steps, beam_width=1):
    """Best label ids of each clip: greedy, or beam search.

    Args:
        logits: float tensor `(batch, steps, characters + 1)`.
        steps: int tensor `(batch,)`: the valid steps of each clip.
        beam_width: int. 1: greedy (the best id of each step, repeats
            merged, blanks dropped); more: CTC beam search (prefix
            search over `beam_width` beams).

    Returns:
        An int tensor `(batch, steps)` of ids, padded with -1.

    Example:
    >>> logits = np.log(np.array([[[0.1, 0.9], [0.1, 0.9], [0.9, 0.1]]]))
    >>> ops.convert_to_numpy(decode(logits, np.array([3])))
    array([[ 1, -1, -1]], dtype=int32)
    """
    if beam_width < 1:
        raise ValueError(f"--beam-width must be at least 1; got {beam_width}")
    strategy = "greedy" if beam_width == 1 else "beam_search"
    options = {} if beam_width == 1 else {"beam_width": beam_width}
    ids, _ = ops.ctc_decode(
        logits,
        ops.cast(steps, "int32"),
        strategy=strategy,
        mask_index=BLANK,
        **options,
    )
    return ops.cast(ids[0], "int32")
