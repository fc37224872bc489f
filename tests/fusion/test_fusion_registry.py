import keras
import numpy as np
import pytest

from keras_mm.fusion import LateFusion
from keras_mm.fusion import build_fusion
from keras_mm.fusion import list_fusions


def tiny_model(name):
    inputs = [keras.Input((d,)) for d in (3, 5, 4)]
    fusion = build_fusion(name, hidden_dim=8)
    if isinstance(fusion, LateFusion):
        predictions = [keras.layers.Dense(3, "softmax")(x) for x in inputs]
        return keras.Model(inputs, fusion(predictions))
    return keras.Model(inputs, keras.layers.Dense(3, "softmax")(fusion(inputs)))


def batch():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(4, d)).astype("float32") for d in (3, 5, 4)]


@pytest.mark.parametrize("name", list_fusions())
def test_fusion_trains_under_xla(name):
    model = tiny_model(name)
    model.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    history = model.fit(
        batch(), np.array([0, 1, 2, 0]), epochs=2, verbose=0, shuffle=False
    )
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("name", list_fusions())
def test_fusion_runs_under_mixed_bfloat16(name):
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = tiny_model(name)
        outputs = np.array(model(batch()), dtype="float32")
    finally:
        keras.config.set_dtype_policy("float32")
    assert np.all(np.isfinite(outputs))
    np.testing.assert_allclose(outputs.sum(-1), 1.0, atol=2e-2)


def test_unknown_fusion_is_named():
    with pytest.raises(ValueError, match="Unknown fusion 'sum'"):
        build_fusion("sum")
