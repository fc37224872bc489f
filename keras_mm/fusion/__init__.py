"""Fusion layers that join per-modality features or predictions."""

from keras_mm.fusion.attention_fusion import AttentionFusion
from keras_mm.fusion.concat_fusion import ConcatFusion
from keras_mm.fusion.late_fusion import LateFusion

__all__ = ["AttentionFusion", "ConcatFusion", "LateFusion"]
