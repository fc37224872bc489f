import numpy as np
import tensorflow as tf

from keras_mm import zoo
from keras_mm.training.jit_tune import tune_jit_compile
from tests.helpers import compile_classifier
from tests.helpers import random_inputs
from tests.helpers import random_targets


def test_tuning_keeps_one_choice_and_leaves_the_model_untouched(capsys):
    model = zoo.build(
        "multimodal_classifier",
        modalities=("text",),
        num_classes=3,
        vocabulary_size=20,
        sequence_length=6,
    )
    compile_classifier(model)
    x, y = random_inputs(model, 8), random_targets(model, 8)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat()
    model.optimizer.build(model.trainable_variables)
    before = [np.array(w) for w in model.weights]
    kept = tune_jit_compile(model, data, steps=2)
    assert model.jit_compile is kept
    for a, b in zip(before, model.weights):
        np.testing.assert_array_equal(a, np.array(b))
    assert int(model.optimizer.iterations) == 0
    message = capsys.readouterr().err
    assert "ms/step without XLA" in message
    assert ("training with XLA" if kept else "training without XLA") in message
    history = model.fit(data, steps_per_epoch=2, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_tuning_names_what_keeps_xla_out(capsys):
    # Keras refuses XLA for random-shift augmentation layers.
    model = zoo.build(
        "multimodal_classifier", modalities=("image",), num_classes=2
    )
    compile_classifier(model)
    x, y = random_inputs(model, 4), random_targets(model, 4)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    assert tune_jit_compile(model, data) is False
    assert "cannot compile this model with XLA (because of RandomShift" in (
        capsys.readouterr().err
    )
