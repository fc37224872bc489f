import numpy as np


def recall_at_k(image_embeddings, text_embeddings, groups, ks=(1, 5, 10)):
    """Retrieval recall in both directions, with equivalent captions.

    Item `i` is image `i` with text `i`. A query succeeds at `k` when any
    of its top-`k` results has the query's group (the same caption), so
    duplicate captions do not count as misses.

    Args:
        image_embeddings: array `(items, dim)`.
        text_embeddings: array `(items, dim)`.
        groups: array `(items,)`. Equal values mark equivalent items.
        ks: tuple of int.

    Returns:
        A dict with `recall@K_image_to_text` and `recall@K_text_to_image`.

    Example:
    >>> recall_at_k(np.eye(3), np.eye(3), [0, 1, 2], ks=(1,))
    {'recall@1_image_to_text': 1.0, 'recall@1_text_to_image': 1.0}
    """
    images = _unit(image_embeddings)
    texts = _unit(text_embeddings)
    groups = np.asarray(groups)
    similarity = images @ texts.T
    metrics = {}
    for k in ks:
        for name, scores in (
            ("image_to_text", similarity),
            ("text_to_image", similarity.T),
        ):
            top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            hits = (groups[top] == groups[:, None]).any(axis=1)
            metrics[f"recall@{k}_{name}"] = float(hits.mean())
    return metrics


def _unit(x):
    x = np.asarray(x, "float64")
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
