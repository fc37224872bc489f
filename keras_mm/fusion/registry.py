from keras_mm.fusion.attention_fusion import AttentionFusion
from keras_mm.fusion.bilinear_fusion import BilinearFusion
from keras_mm.fusion.concat_fusion import ConcatFusion
from keras_mm.fusion.cross_attention_fusion import CrossAttentionFusion
from keras_mm.fusion.early_transformer_fusion import EarlyTransformerFusion
from keras_mm.fusion.film_fusion import FiLMFusion
from keras_mm.fusion.gated_fusion import GatedFusion
from keras_mm.fusion.late_fusion import LateFusion
from keras_mm.fusion.low_rank_fusion import LowRankFusion
from keras_mm.fusion.mult_fusion import MulTFusion
from keras_mm.fusion.tensor_fusion import TensorFusion

# name: (one-line description, factory(hidden_dim, multi_label)).
FUSIONS = {
    "concat": (
        "feature level: concatenate projected modality vectors",
        lambda dim, _: ConcatFusion(dim, activation="relu", name="fusion"),
    ),
    "attention": (
        "representation level: self-attention across modality tokens",
        lambda dim, _: AttentionFusion(dim, num_heads=4, name="fusion"),
    ),
    "late": (
        "decision level: learned weighted mean of per-modality predictions",
        lambda dim, ml: LateFusion("weighted", ml, name="fusion"),
    ),
    "late_mean": (
        "decision level: plain mean of per-modality predictions",
        lambda dim, ml: LateFusion("mean", ml, name="fusion"),
    ),
    "late_product": (
        "decision level: product of experts (renormalized geometric mean)",
        lambda dim, ml: LateFusion("product", ml, name="fusion"),
    ),
    "gated": (
        "complementary (GMU): per-feature softmax gates over modalities",
        lambda dim, _: GatedFusion(dim, name="fusion"),
    ),
    "tensor": (
        "TFN: outer product of [x_i, 1] over modalities",
        lambda dim, _: TensorFusion(8, name="fusion"),
    ),
    "low_rank": (
        "LMF: TFN with rank-4 factorized weights",
        lambda dim, _: LowRankFusion(dim, rank=4, name="fusion"),
    ),
    "bilinear": (
        "MFB: factorized bilinear pooling",
        lambda dim, _: BilinearFusion(dim, factor_dim=4, name="fusion"),
    ),
    "cross_attention": (
        "each modality's token sequence attends to the others' tokens",
        lambda dim, _: CrossAttentionFusion(dim, num_heads=4, name="fusion"),
    ),
    "early_transformer": (
        "sequential: all tokens concatenated through shared Transformer blocks",
        lambda dim, _: EarlyTransformerFusion(
            dim, num_heads=4, intermediate_dim=2 * dim, name="fusion"
        ),
    ),
    "film": (
        "FiLM: the last modality scales and shifts the others' feature maps",
        lambda dim, _: FiLMFusion(dim, name="fusion"),
    ),
    "mult": (
        "MulT: crossmodal Transformer blocks between every modality pair",
        lambda dim, _: MulTFusion(
            dim, num_heads=4, intermediate_dim=2 * dim, name="fusion"
        ),
    ),
}


def list_fusions():
    """Return the names of the fusion methods `build_fusion` knows."""
    return list(FUSIONS)


def describe_fusion(name):
    return FUSIONS[name][0] if name in FUSIONS else None


def build_fusion(name, hidden_dim=64, multi_label=False):
    """Build a fusion layer by name, as `multimodal_classifier` does.

    Args:
        name: str. A name from `list_fusions()`.
        hidden_dim: int. Width of the fused representation.
        multi_label: bool. Whether the head is multi-label (late fusion).

    Returns:
        A fusion layer named `"fusion"`.
    """
    if name not in FUSIONS:
        raise ValueError(
            f"Unknown fusion '{name}'. Available: {', '.join(FUSIONS)}"
        )
    return FUSIONS[name][1](hidden_dim, multi_label)
