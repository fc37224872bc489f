import numpy as np
import pytest
from keras.src import testing

from keras_mm.fusion import AttentionFusion
from keras_mm.fusion import ConcatFusion
from keras_mm.fusion import LateFusion

# A tuple, not a list: the harness trains through tf.data, which needs it.
SHAPES = ((2, 3), (2, 5), (2, 4))


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
