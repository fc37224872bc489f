import keras
import numpy as np

from keras_mm.training.adamw import AdamW


def trained_weights(optimizer_class, jit_compile=False):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)]
    )
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, 10, warmup_target=0.1, warmup_steps=3
    )
    model.compile(
        optimizer_class(schedule, weight_decay=0.1),
        "mse",
        jit_compile=jit_compile,
    )
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    model.fit(x, x[:, :2], batch_size=2, epochs=2, verbose=0, shuffle=False)
    return model


def test_adamw_updates_exactly_as_keras_adamw(tmp_path):
    ours = trained_weights(AdamW)
    theirs = trained_weights(keras.optimizers.AdamW)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # The schedule itself is untouched, and the model reloads with it.
    assert int(ours.optimizer.iterations) == 8
    np.testing.assert_allclose(
        float(ours.optimizer.learning_rate),
        float(theirs.optimizer.learning_rate),
    )
    ours.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(reloaded.optimizer, AdamW)
    assert int(reloaded.optimizer.iterations) == 8


def schedule_calls(optimizer_class):
    """Calls of the schedule while one training step is traced."""
    calls = []

    class Counting(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            calls.append(step)
            return 0.01

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)]
    )
    model.compile(optimizer_class(Counting(), weight_decay=0.1), "mse")
    # Built first, so that the step is traced once.
    model.optimizer.build(model.trainable_variables)
    model.train_on_batch(np.ones((2, 3)), np.ones((2, 2)))
    return len(calls)


def test_adamw_evaluates_the_schedule_once_for_the_weight_decay():
    # One call for the updates, one for the weight decay; Keras' AdamW
    # calls it again for each of the 4 variables.
    assert schedule_calls(AdamW) == 2
    assert schedule_calls(keras.optimizers.AdamW) == 1 + 4
