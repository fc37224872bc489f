import keras
import numpy as np
import pytest

from keras_mm.encoders import positional_pooling
from tests.helpers import forward


def pooled_model(pooling):
    keras.utils.set_random_seed(0)
    cells = keras.Input((6, 4))
    return keras.Model(cells, positional_pooling(cells, 8, pooling))


@pytest.mark.parametrize("pooling", ["avg", "max"])
def test_moving_a_cell_changes_the_output(pooling):
    model = pooled_model(pooling)
    x = np.zeros((1, 6, 4), "float32")
    x[0, 1] = 3.0
    moved = np.roll(x, 3, axis=1)
    out = forward(model, x)
    out_moved = forward(model, moved)
    assert out.shape == (1, 8)
    # A global pool alone would give the same output for both.
    assert np.abs(out - out_moved).max() > 1e-3


def test_unknown_pooling_is_named():
    with pytest.raises(ValueError, match="Received: sum"):
        pooled_model("sum")
