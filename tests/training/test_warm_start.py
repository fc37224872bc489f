import keras
import numpy as np

from keras_mm.training import warm_start


def two_layers(seed):
    keras.utils.set_random_seed(seed)
    x = keras.Input((2,))
    h = keras.layers.Dense(3, name="image_encoder")(x)
    y = keras.layers.Dense(3, name="fusion")(h)
    return keras.Model(x, y)


def test_warm_start_copies_only_the_named_layers_and_freezes_them():
    model, source = two_layers(0), two_layers(1)
    fusion = model.get_layer("fusion").get_weights()
    copied = warm_start(model, source, freeze=True, names=["image_encoder"])
    assert copied == ["image_encoder"]
    for a, b in zip(
        model.get_layer("image_encoder").get_weights(),
        source.get_layer("image_encoder").get_weights(),
    ):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.get_layer("fusion").get_weights(), fusion):
        np.testing.assert_array_equal(a, b)
    assert not model.get_layer("image_encoder").trainable
    assert model.get_layer("fusion").trainable


def test_warm_start_skips_layers_whose_shapes_differ():
    model = two_layers(0)
    x = keras.Input((5,))
    other = keras.Model(x, keras.layers.Dense(3, name="image_encoder")(x))
    assert warm_start(model, other) == []
