"""Classification heads."""

from keras_mm.heads.classification_head import classification_head
from keras_mm.heads.classification_head import head_kind

__all__ = ["classification_head", "head_kind"]
