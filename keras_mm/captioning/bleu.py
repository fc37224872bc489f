import keras_hub


def bleu4(references, hypotheses):
    """Corpus BLEU-4 of generated captions against reference captions.

    Uses keras-hub's `Bleu` metric (whitespace tokens, uniform 1- to
    4-gram weights, brevity penalty).

    Args:
        references: list of str, or list of lists of str (several
            references per caption).
        hypotheses: list of str. One generated caption per reference.

    Returns:
        A float in `[0, 1]`.
    """
    if len(references) != len(hypotheses):
        raise ValueError(
            f"Expected as many references as hypotheses. Received "
            f"{len(references)} and {len(hypotheses)}."
        )
    references = [[r] if isinstance(r, str) else list(r) for r in references]
    metric = keras_hub.metrics.Bleu(max_order=4)
    metric.update_state(references, hypotheses)
    return float(metric.result())
