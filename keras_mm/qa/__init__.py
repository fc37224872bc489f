"""Question answering: answer normalization and VQA accuracy."""

from keras_mm.qa.answers import normalize_answer
from keras_mm.qa.answers import vqa_accuracy

__all__ = ["normalize_answer", "vqa_accuracy"]
