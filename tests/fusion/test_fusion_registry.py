import keras
import numpy as np
import pytest

from keras_mm.fusion import LateFusion
from keras_mm.fusion import build_fusion
from keras_mm.fusion import list_fusions
from keras_mm.fusion.fusion_layer import FusionLayer
from tests.helpers import forward

SEQUENCE = {n for n in list_fusions() if build_fusion(n).sequence_inputs}


def tiny_model(name, num_modalities=3):
    fusion = build_fusion(name, hidden_dim=8)
    steps = ((6,), (2,), (5,)) if name in SEQUENCE else ((), (), ())
    inputs = [
        keras.Input((*s, d)) for s, d in zip(steps[:num_modalities], (3, 5, 4))
    ]
    if isinstance(fusion, LateFusion):
        predictions = [keras.layers.Dense(3, "softmax")(x) for x in inputs]
        return keras.Model(inputs, fusion(predictions))
    return keras.Model(inputs, keras.layers.Dense(3, "softmax")(fusion(inputs)))


def batch(name):
    rng = np.random.default_rng(0)
    steps = ((6,), (2,), (5,)) if name in SEQUENCE else ((), (), ())
    return [
        rng.normal(size=(4, *s, d)).astype("float32")
        for s, d in zip(steps, (3, 5, 4))
    ]


@pytest.mark.parametrize("name", list_fusions())
def test_fusion_trains_under_xla(name):
    # Two modalities: MulT compiles one block per ordered pair.
    model = tiny_model(name, num_modalities=2)
    (fusion,) = [x for x in model.layers if isinstance(x, FusionLayer)]
    if keras.backend.backend() == "jax" and fusion.trainable_weights:
        # JAX compiles with XLA: `run_layer_test` trained it that way.
        pytest.skip("trained under XLA by its layer test")
    model.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    history = model.fit(
        batch(name)[:2],
        np.array([0, 1, 2, 0]),
        epochs=2,
        verbose=0,
        shuffle=False,
    )
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("name", list_fusions())
def test_fusion_runs_under_mixed_bfloat16(name):
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = tiny_model(name)
        outputs = forward(model, batch(name)).astype("float32")
    finally:
        keras.config.set_dtype_policy("float32")
    assert np.all(np.isfinite(outputs))
    np.testing.assert_allclose(outputs.sum(-1), 1.0, atol=2e-2)


def test_unknown_fusion_is_named():
    with pytest.raises(ValueError, match="Unknown fusion 'sum'"):
        build_fusion("sum")
