import keras
import numpy as np

from keras_mm.encoders import FiLM
from keras_mm.encoders import cnn_image_encoder


def test_film_starts_as_the_identity_then_scales_and_shifts():
    features = np.random.default_rng(0).normal(size=(2, 3, 3, 4))
    condition = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    film = FiLM()
    np.testing.assert_allclose(film(features, condition), features, atol=1e-6)
    kernel = np.zeros((2, 8), "float32")
    kernel[0, :4] = 1.0  # Condition 0 doubles every channel (gamma = 1).
    kernel[1, 4:] = 2.0  # Condition 1 adds 2 to every channel (beta).
    film.projection.kernel.assign(kernel)
    out = keras.ops.convert_to_numpy(film(features, condition))
    np.testing.assert_allclose(out[0], 2 * features[0], atol=1e-5)
    np.testing.assert_allclose(out[1], features[1] + 2, atol=1e-5)


def test_a_condition_steers_what_the_image_cnn_returns(tmp_path):
    encoder = cnn_image_encoder(
        (16, 16, 1),
        (4, 8),
        normalization=True,
        condition_dim=3,
        pooling="flatten",
    )
    rng = np.random.default_rng(1)
    for layer in encoder.layers:
        if isinstance(layer, FiLM):
            kernel = layer.projection.kernel
            kernel.assign(rng.normal(size=kernel.shape).astype("float32"))
    image = rng.uniform(0, 255, (1, 16, 16, 1)).astype("float32")
    first = np.array([[1.0, 0.0, 0.0]], "float32")
    a = encoder([image, first])
    b = encoder([image, np.array([[0.0, 1.0, 0.0]], "float32")])
    assert not np.allclose(a, b)
    encoder.save(tmp_path / "encoder.keras")
    again = keras.saving.load_model(tmp_path / "encoder.keras", safe_mode=True)
    np.testing.assert_allclose(again([image, first]), a, atol=1e-5)
