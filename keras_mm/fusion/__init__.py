"""Fusion layers that join per-modality features or predictions."""

from keras_mm.fusion.attention_fusion import AttentionFusion
from keras_mm.fusion.bilinear_fusion import BilinearFusion
from keras_mm.fusion.concat_fusion import ConcatFusion
from keras_mm.fusion.cross_attention_fusion import CrossAttentionFusion
from keras_mm.fusion.early_transformer_fusion import EarlyTransformerFusion
from keras_mm.fusion.film_fusion import FiLMFusion
from keras_mm.fusion.gated_fusion import GatedFusion
from keras_mm.fusion.late_fusion import LateFusion
from keras_mm.fusion.low_rank_fusion import LowRankFusion
from keras_mm.fusion.modality_dropout import ModalityDropout
from keras_mm.fusion.modality_masks import ModalityMasks
from keras_mm.fusion.mult_fusion import MulTFusion
from keras_mm.fusion.registry import build_fusion
from keras_mm.fusion.registry import describe_fusion
from keras_mm.fusion.registry import list_fusions
from keras_mm.fusion.tensor_fusion import TensorFusion

__all__ = [
    "AttentionFusion",
    "BilinearFusion",
    "ConcatFusion",
    "CrossAttentionFusion",
    "EarlyTransformerFusion",
    "FiLMFusion",
    "GatedFusion",
    "LateFusion",
    "LowRankFusion",
    "ModalityDropout",
    "ModalityMasks",
    "MulTFusion",
    "TensorFusion",
    "build_fusion",
    "describe_fusion",
    "list_fusions",
]
