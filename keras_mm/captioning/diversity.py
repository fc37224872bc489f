import collections

# A captioner whose most frequent caption covers this much more of the
# images than the most frequent reference does is ignoring its input.
COLLAPSE_MARGIN = 0.25


def top_share(captions):
    """Share of `captions` taken by the most frequent one (0 if empty)."""
    if not captions:
        return 0.0
    counts = collections.Counter(" ".join(c.lower().split()) for c in captions)
    return counts.most_common(1)[0][1] / len(captions)


def collapse_warning(references, hypotheses, inputs=("image",)):
    """A warning if generated captions barely depend on the inputs, or None.

    A captioner that learned only the caption prior writes one caption for
    most images. This compares how often the most frequent generated
    caption occurs with how often the most frequent reference does.

    Args:
        references: list of str. The true captions.
        hypotheses: list of str. Generated captions, one per reference.
        inputs: tuple of str. What the captions are conditioned on.

    Returns:
        A one-line warning, or `None` if the captions vary like the
        references.

    Example:
    >>> references = ["a one", "a two", "a three", "a four"]
    >>> collapse_warning(references, ["a one"] * 4)[:48]
    'Warning: the captions barely depend on the image'
    >>> collapse_warning(references, references) is None
    True
    """
    generated, expected = top_share(hypotheses), top_share(references)
    if len(hypotheses) < 4 or generated < expected + COLLAPSE_MARGIN:
        return None
    distinct = len({" ".join(h.lower().split()) for h in hypotheses})
    seen = " and ".join(inputs)
    return (
        f"Warning: the captions barely depend on the {seen}: "
        f"{generated:.0%} of the {len(hypotheses)} generated captions are "
        f"the same ({distinct} distinct), against {expected:.0%} of the "
        "references. The model learned the caption prior; train longer, "
        f"on more data, or check that the {seen} can be read."
    )
