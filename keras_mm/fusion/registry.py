from keras_mm import catalog
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

# name: factory(hidden_dim, multi_label). Each method's one-line
# description is its line in `keras_mm.catalog.FUSIONS`.
FUSIONS = {
    "concat": lambda dim, _: ConcatFusion(
        dim, activation="relu", name="fusion"
    ),
    "attention": lambda dim, _: AttentionFusion(
        dim, num_heads=4, name="fusion"
    ),
    "late": lambda dim, ml: LateFusion("weighted", ml, name="fusion"),
    "late_mean": lambda dim, ml: LateFusion("mean", ml, name="fusion"),
    "late_product": lambda dim, ml: LateFusion("product", ml, name="fusion"),
    "gated": lambda dim, _: GatedFusion(dim, name="fusion"),
    "tensor": lambda dim, _: TensorFusion(8, name="fusion"),
    "low_rank": lambda dim, _: LowRankFusion(dim, rank=4, name="fusion"),
    "bilinear": lambda dim, _: BilinearFusion(dim, factor_dim=4, name="fusion"),
    "cross_attention": lambda dim, _: CrossAttentionFusion(
        dim, num_heads=4, name="fusion"
    ),
    "early_transformer": lambda dim, _: EarlyTransformerFusion(
        dim, num_heads=4, intermediate_dim=2 * dim, name="fusion"
    ),
    "film": lambda dim, _: FiLMFusion(dim, name="fusion"),
    "mult": lambda dim, _: MulTFusion(
        dim, num_heads=4, intermediate_dim=2 * dim, name="fusion"
    ),
}


def list_fusions():
    """Return the names of the fusion methods `build_fusion` knows."""
    return list(FUSIONS)


def describe_fusion(name):
    """A fusion method's one-line description (`keras_mm.catalog`)."""
    return catalog.FUSIONS.get(name) if name in FUSIONS else None


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
    return FUSIONS[name](hidden_dim, multi_label)
