from keras_mm.retrieval.contrastive import ContrastiveLogits
from keras_mm.retrieval.contrastive import SymmetricContrastiveLoss
from keras_mm.retrieval.recall import recall_at_k
from keras_mm.retrieval.towers import towers

__all__ = [
    "ContrastiveLogits",
    "SymmetricContrastiveLoss",
    "recall_at_k",
    "towers",
]
