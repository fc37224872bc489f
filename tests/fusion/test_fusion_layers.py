import numpy as np
import pytest
from keras.src import testing

from keras_mm.fusion import AttentionFusion
from keras_mm.fusion import BilinearFusion
from keras_mm.fusion import ConcatFusion
from keras_mm.fusion import CrossAttentionFusion
from keras_mm.fusion import EarlyTransformerFusion
from keras_mm.fusion import FiLMFusion
from keras_mm.fusion import GatedFusion
from keras_mm.fusion import LateFusion
from keras_mm.fusion import LowRankFusion
from keras_mm.fusion import MulTFusion
from keras_mm.fusion import TensorFusion

# A tuple, not a list: the harness trains through tf.data, which needs it.
SHAPES = ((2, 3), (2, 5), (2, 4))
SEQUENCES = ((2, 6, 3), (2, 2, 5), (2, 4, 4))


class FusionLayerTest(testing.TestCase):
    def test_concat_fusion(self):
        self.run_layer_test(
            ConcatFusion,
            init_kwargs={},
            input_shape=SHAPES,
            expected_output_shape=(2, 12),
            expected_num_trainable_weights=0,
            run_training_check=False,
        )

    def test_concat_fusion_with_projections(self):
        self.run_layer_test(
            ConcatFusion,
            init_kwargs={
                "projection_dim": 6,
                "output_dim": 7,
                "activation": "relu",
            },
            input_shape=SHAPES,
            expected_output_shape=(2, 7),
            expected_num_trainable_weights=8,
        )

    def test_attention_fusion(self):
        self.run_layer_test(
            AttentionFusion,
            init_kwargs={"hidden_dim": 8, "num_heads": 2, "dropout": 0.1},
            input_shape=SHAPES,
            expected_output_shape=(2, 8),
            # 3 projections (6), modality embeddings (1), attention (8),
            # layer norm (2).
            expected_num_trainable_weights=17,
        )

    def test_late_fusion_mean(self):
        self.run_layer_test(
            LateFusion,
            init_kwargs={"mode": "mean"},
            input_shape=((2, 4),) * 3,
            expected_output_shape=(2, 4),
            expected_num_trainable_weights=0,
            run_training_check=False,
        )

    def test_late_fusion_product(self):
        self.run_layer_test(
            LateFusion,
            init_kwargs={"mode": "product", "multi_label": False},
            input_shape=((2, 4),) * 3,
            expected_output_shape=(2, 4),
            expected_num_trainable_weights=0,
            run_training_check=False,
        )

    def test_gated_fusion(self):
        self.run_layer_test(
            GatedFusion,
            init_kwargs={"hidden_dim": 6},
            input_shape=SHAPES,
            expected_output_shape=(2, 6),
            expected_num_trainable_weights=8,
        )

    def test_tensor_fusion(self):
        self.run_layer_test(
            TensorFusion,
            init_kwargs={"projection_dim": None},
            input_shape=SHAPES,
            expected_output_shape=(2, 4 * 6 * 5),
            expected_num_trainable_weights=0,
            run_training_check=False,
        )

    def test_tensor_fusion_with_projections(self):
        self.run_layer_test(
            TensorFusion,
            init_kwargs={"projection_dim": 2},
            input_shape=SHAPES,
            expected_output_shape=(2, 27),
            expected_num_trainable_weights=6,
        )

    def test_low_rank_fusion(self):
        self.run_layer_test(
            LowRankFusion,
            init_kwargs={"output_dim": 5, "rank": 3},
            input_shape=SHAPES,
            expected_output_shape=(2, 5),
            expected_num_trainable_weights=5,
        )

    def test_bilinear_fusion(self):
        self.run_layer_test(
            BilinearFusion,
            init_kwargs={"output_dim": 5, "factor_dim": 3, "dropout": 0.1},
            input_shape=SHAPES,
            expected_output_shape=(2, 5),
            expected_num_trainable_weights=6,
        )

    def test_cross_attention_fusion(self):
        self.run_layer_test(
            CrossAttentionFusion,
            init_kwargs={"hidden_dim": 8, "num_heads": 2, "dropout": 0.1},
            input_shape=SEQUENCES,
            expected_output_shape=(2, 24),
            # 3 projections (6) + 3 x (attention (8) + norm (2)).
            expected_num_trainable_weights=36,
        )

    def test_early_transformer_fusion(self):
        self.run_layer_test(
            EarlyTransformerFusion,
            init_kwargs={
                "hidden_dim": 8,
                "num_layers": 2,
                "num_heads": 2,
                "intermediate_dim": 16,
                "dropout": 0.1,
            },
            input_shape=SEQUENCES,
            expected_output_shape=(2, 8),
            # 3 projections (6), type embeddings (1), 2 blocks of 16.
            expected_num_trainable_weights=39,
        )

    def test_film_fusion(self):
        self.run_layer_test(
            FiLMFusion,
            init_kwargs={"hidden_dim": 8, "conditioning": 0},
            input_shape=SEQUENCES,
            expected_output_shape=(2, 24),
            expected_num_trainable_weights=8,
        )

    def test_mult_fusion(self):
        self.run_layer_test(
            MulTFusion,
            init_kwargs={
                "hidden_dim": 8,
                "num_heads": 2,
                "intermediate_dim": 16,
                "dropout": 0.1,
            },
            # Two modalities: one cross-modal block per ordered pair, and
            # three make six (a 3x slower test; `test_missing_modalities`
            # has three).
            input_shape=SEQUENCES[:2],
            expected_output_shape=(2, 16),
        )

    def test_late_fusion_weighted(self):
        self.run_layer_test(
            LateFusion,
            init_kwargs={"mode": "weighted"},
            input_shape=((2, 4),) * 3,
            expected_output_shape=(2, 4),
            expected_num_trainable_weights=1,
        )


def test_concat_fusion_values():
    a, b = np.ones((2, 3)), np.zeros((2, 2))
    np.testing.assert_array_equal(
        ConcatFusion()([a, b]), np.concatenate([a, b], -1)
    )


def test_attention_fusion_mixes_modalities():
    layer = AttentionFusion(hidden_dim=8, num_heads=2)
    a, b = np.ones((1, 3), "float32"), np.ones((1, 5), "float32")
    changed = np.array(layer([a, 2 * b]))
    assert not np.allclose(np.array(layer([a, b])), changed)


def test_late_fusion_weighted_starts_at_mean_and_stays_a_distribution():
    p1 = np.array([[0.2, 0.8]], "float32")
    p2 = np.array([[0.6, 0.4]], "float32")
    layer = LateFusion("weighted")
    np.testing.assert_allclose(layer([p1, p2]), [[0.4, 0.6]], atol=1e-6)
    layer.logits.assign([3.0, -1.0])
    fused = np.array(layer([p1, p2]))
    np.testing.assert_allclose(fused.sum(-1), 1.0, atol=1e-6)
    assert fused[0, 1] > 0.7


def test_late_fusion_rejects_mismatched_predictions():
    with pytest.raises(ValueError, match="same shape"):
        LateFusion()([np.ones((1, 2)), np.ones((1, 3))])


def test_late_fusion_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        LateFusion("vote")


def test_tensor_fusion_holds_every_interaction():
    a = np.array([[2.0]], "float32")
    b = np.array([[3.0, 5.0]], "float32")
    # [a, 1] (x) [b, 1] = [ab_1, ab_2, a, b_1, b_2, 1]
    np.testing.assert_allclose(
        TensorFusion()([a, b]), [[6.0, 10.0, 2.0, 3.0, 5.0, 1.0]]
    )


def test_low_rank_fusion_matches_a_linear_map_of_the_tensor_product():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 3)).astype("float32")
    b = rng.normal(size=(2, 2)).astype("float32")
    layer = LowRankFusion(output_dim=4, rank=2)
    fused = np.array(layer([a, b]))
    fa, fb = (np.array(f) for f in layer.factors)
    weights = np.array(layer.rank_weights)
    # The full weight tensor the factors stand for: (4, 3, 4).
    full = np.einsum("r,rio,rjo->ijo", weights, fa, fb)
    za = np.concatenate([a, np.ones((2, 1))], -1)
    zb = np.concatenate([b, np.ones((2, 1))], -1)
    expected = np.einsum("bi,bj,ijo->bo", za, zb, full)
    np.testing.assert_allclose(fused, expected, rtol=1e-4, atol=1e-5)


def test_gated_fusion_weights_sum_to_one():
    layer = GatedFusion(3)
    a, b = np.ones((2, 3), "float32"), np.zeros((2, 2), "float32")
    layer([a, b])
    layer.projections[0].kernel.assign(np.zeros((3, 3)))
    layer.projections[0].bias.assign(np.full((3,), 10.0))
    layer.projections[1].kernel.assign(np.zeros((2, 3)))
    layer.projections[1].bias.assign(np.full((3,), 10.0))
    # Both modalities project to tanh(10) ~ 1, so any convex gate gives ~1.
    np.testing.assert_allclose(layer([a, b]), np.tanh(10.0), atol=1e-5)


def test_gated_fusion_gates_each_feature():
    layer = GatedFusion(3)
    a, b = np.ones((2, 3), "float32"), np.zeros((2, 2), "float32")
    layer([a, b])
    for dense, value in zip(layer.projections, (10.0, -10.0)):
        dense.kernel.assign(np.zeros(dense.kernel.shape))
        dense.bias.assign(np.full((3,), value))
    # Gate logits (modality, feature): features 0 and 2 read modality 0,
    # feature 1 reads modality 1.
    layer.gate.kernel.assign(np.zeros(layer.gate.kernel.shape))
    layer.gate.bias.assign(np.array([20, -20, 20, -20, 20, -20], "float32"))
    expected = np.tanh(10.0) * np.array([[1, -1, 1]] * 2)
    np.testing.assert_allclose(layer([a, b]), expected, atol=1e-5)
    # An absent modality gets no weight, whatever the gate says.
    absent = layer([a, b], mask=[None, np.array([False, True])])
    np.testing.assert_allclose(absent[0], np.tanh(10.0), atol=1e-5)


def test_bilinear_fusion_output_is_unit_norm():
    layer = BilinearFusion(4, factor_dim=2, dropout=0.0)
    fused = np.array(layer([np.ones((2, 3)), np.full((2, 5), 0.5)]))
    np.testing.assert_allclose(np.linalg.norm(fused, axis=-1), 1.0, atol=1e-4)


def test_product_of_experts():
    p1 = np.array([[0.9, 0.1]], "float32")
    p2 = np.array([[0.5, 0.5]], "float32")
    fused = np.array(LateFusion("product")([p1, p2]))
    expected = np.sqrt(p1 * p2) / np.sqrt(p1 * p2).sum()
    np.testing.assert_allclose(fused, expected, atol=1e-5)
    binary = np.array(LateFusion("product")([p1[:, :1], p2[:, :1]]))
    np.testing.assert_allclose(binary, [[0.75]], atol=1e-5)


def test_film_starts_as_identity_modulation():
    layer = FiLMFusion(4)
    x = [np.random.rand(1, 3, 2).astype("float32") for _ in range(2)]
    fused = np.array(layer(x))
    tokens = np.array(layer.projections[0](x[0]))
    np.testing.assert_allclose(
        fused[0, :4], np.maximum(tokens, 0).mean(1)[0], atol=1e-5
    )
