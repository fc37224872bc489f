import numpy as np
import pytest
from keras.src import testing

from keras_mm.fusion import LateFusion
from keras_mm.fusion import ModalityDropout
from keras_mm.fusion import ModalityMasks
from keras_mm.fusion import build_fusion
from keras_mm.fusion import list_fusions
from tests.helpers import call_masked

DIMS = (3, 5, 4)


STEPS = (6, 2, 5)


def features(name, seed):
    rng = np.random.default_rng(seed)
    if build_fusion(name).sequence_inputs:
        return [
            rng.normal(size=(4, s, d)).astype("float32")
            for s, d in zip(STEPS, DIMS)
        ]
    if isinstance(build_fusion(name), LateFusion):
        probs = rng.uniform(0.05, 1, (4, len(DIMS), 3)).astype("float32")
        probs /= probs.sum(-1, keepdims=True)
        return [probs[:, i] for i in range(len(DIMS))]
    return [rng.normal(size=(4, d)).astype("float32") for d in DIMS]


# Sample 0 has everything, 1 lacks audio, 2 has only text, 3 lacks image.
PRESENT = np.array([[1, 1, 1], [1, 0, 1], [0, 0, 1], [0, 1, 1]], dtype=bool)


@pytest.mark.parametrize("name", list_fusions())
def test_absent_values_do_not_leak(name):
    layer = build_fusion(name, hidden_dim=8)
    mask = [PRESENT[:, i] for i in range(len(DIMS))]
    inputs = features(name, seed=0)
    other = features(name, seed=1)
    # Replace every absent value with something else entirely.
    changed = [
        np.where(PRESENT[:, i].reshape((4,) + (1,) * (x.ndim - 1)), x, 1e3 * y)
        for i, (x, y) in enumerate(zip(inputs, other))
    ]
    out = call_masked(layer, inputs, mask)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(
        out, call_masked(layer, changed, mask), rtol=1e-5, atol=1e-5
    )
    # Present values still matter.
    assert not np.allclose(out, call_masked(layer, other, mask))


@pytest.mark.parametrize("name", list_fusions())
def test_all_present_mask_equals_no_mask(name):
    layer = build_fusion(name, hidden_dim=8)
    inputs = features(name, seed=0)
    mask = [np.ones((4,), bool)] * len(DIMS)
    np.testing.assert_allclose(
        call_masked(layer, inputs, [None] * len(DIMS)),
        call_masked(layer, inputs, mask),
        rtol=1e-5,
        atol=1e-6,
    )


def test_late_fusion_renormalizes_over_present_modalities():
    p = [np.array([[0.2, 0.8]], "float32"), np.array([[0.6, 0.4]], "float32")]
    mask = [np.array([True]), np.array([False])]
    np.testing.assert_allclose(LateFusion("mean")(p, mask=mask), p[0])
    np.testing.assert_allclose(
        LateFusion("product")(p, mask=mask), p[0], atol=1e-5
    )


class ModalityLayersTest(testing.TestCase):
    def test_modality_dropout_layer(self):
        self.run_layer_test(
            ModalityDropout,
            init_kwargs={"rate": 0.5, "seed": 1},
            input_shape=(8, 3),
            expected_output_shape=(8, 3),
            expected_num_seed_generators=1,
            run_training_check=False,
        )

    def test_modality_masks_layer(self):
        self.run_layer_test(
            ModalityMasks,
            init_kwargs={},
            input_shape=(2, 3),
            expected_output_shape=[(2,), (2,), (2,)],
            expected_output_dtype=["bool"] * 3,
            run_training_check=False,
            run_mixed_precision_check=False,
        )


def test_modality_dropout_keeps_a_modality_and_drops_at_the_rate():
    presence = np.ones((4000, 3), "float32")
    presence[::2, 0] = 0
    out = np.array(ModalityDropout(0.4, seed=0)(presence, training=True))
    assert np.all(out <= presence)
    assert np.all(out.sum(-1) >= 1)
    kept = out[1::2].mean()
    assert 0.55 < kept < 0.68
    np.testing.assert_array_equal(ModalityDropout(0.4)(presence), presence)


def test_modality_dropout_rejects_bad_rates():
    with pytest.raises(ValueError, match="rate"):
        ModalityDropout(1.0)


@pytest.mark.parametrize(
    "name", [n for n in list_fusions() if build_fusion(n).sequence_inputs]
)
def test_padded_tokens_do_not_leak(name):
    layer = build_fusion(name, hidden_dim=8)
    inputs = features(name, seed=0)
    # The first modality's last 3 tokens are padding in every sample.
    tokens = np.zeros((4, STEPS[0]), bool)
    tokens[:, :3] = True
    mask = [tokens, None, None]
    changed = [inputs[0].copy(), *inputs[1:]]
    changed[0][:, 3:] = 1e3
    np.testing.assert_allclose(
        call_masked(layer, inputs, mask),
        call_masked(layer, changed, mask),
        atol=1e-5,
    )
