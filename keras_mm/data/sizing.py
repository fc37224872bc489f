"""Lengths models are sized with: the one rule, and word counts."""

import re

import numpy as np


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
