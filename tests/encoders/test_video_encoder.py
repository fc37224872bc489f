"""The video encoder; `.ci/run` runs these on JAX too."""

import keras
import numpy as np
import pytest

from keras_mm.encoders.video_encoder import video_encoder
from tests.helpers import forward

SHAPE = (6, 16, 16, 3)


def moving_squares(num_clips, seed=0):
    """Clips of a square crossing left to right, and the same reversed."""
    rng = np.random.default_rng(seed)
    clips = rng.uniform(0, 60, (num_clips, *SHAPE)).astype("float32")
    for clip in clips:
        row = rng.integers(0, 12)
        for t in range(SHAPE[0]):
            clip[t, row : row + 4, 2 * t : 2 * t + 4] = 255.0
    reversed_clips = clips[:, ::-1]
    x = np.concatenate([clips, reversed_clips])
    y = np.array([0] * num_clips + [1] * num_clips)
    return x, y


def classifier(temporal, blocks="frame", jit_compile="auto"):
    encoder = video_encoder(
        SHAPE, (8, 16), blocks=blocks, temporal=temporal, hidden_dim=16
    )
    video = keras.Input(SHAPE, name="video")
    outputs = keras.layers.Dense(2, activation="softmax")(encoder(video))
    model = keras.Model(video, outputs)
    model.compile(
        keras.optimizers.Adam(3e-3),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


# On JAX, the default blocks and both temporal layers; per-frame blocks
# train under XLA there in `test_trains_under_xla`.
not_on_jax = pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="on JAX, test_trains_under_xla trains per-frame blocks",
)


@pytest.mark.parametrize(
    "blocks, temporal",
    [
        pytest.param("frame", "transformer", marks=not_on_jax),
        ("frame", "gru"),
        ("factorized", "transformer"),
    ],
)
def test_frame_order_decides_the_label(blocks, temporal):
    # A clip and the same clip played backwards get different labels.
    keras.utils.set_random_seed(0)
    x, y = moving_squares(24)
    model = classifier(temporal, blocks)
    model.fit(x, y, batch_size=16, epochs=12, verbose=0, shuffle=True)
    x_new, y_new = moving_squares(8, seed=1)
    accuracy = model.evaluate(x_new, y_new, verbose=0)[1]
    assert accuracy >= 0.9


@pytest.mark.parametrize("blocks", ["frame", "factorized"])
def test_trains_under_xla(blocks):
    model = classifier("transformer", blocks, jit_compile=True)
    x, y = moving_squares(4)
    before = [np.array(w) for w in model.trainable_weights]
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss[0] if isinstance(loss, list) else loss)
    after = [np.array(w) for w in model.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after))


def test_mean_pooling_cannot_tell_a_clip_from_its_reverse():
    # Each frame apart, then their mean: the order is lost.
    encoder = video_encoder(SHAPE, (8,), blocks="frame", temporal="mean")
    x, _ = moving_squares(2)
    played, backwards = np.asarray(forward(encoder, x)).reshape(2, 2, -1)
    np.testing.assert_allclose(played, backwards, atol=1e-4)


@pytest.mark.parametrize(
    "pooling, shape",
    [("avg", (2, 16)), ("flatten", (2, 96)), (None, (2, 6, 16))],
)
def test_outputs_vectors_or_one_token_a_frame(pooling, shape):
    encoder = video_encoder(SHAPE, (8,), hidden_dim=16, pooling=pooling)
    out = forward(encoder, np.zeros((2, *SHAPE)))
    assert out.shape == shape


def test_clip_shifts_move_every_frame_alike_and_only_in_training():
    encoder = video_encoder(SHAPE, (8,), augmentation=True)
    # Permute, Reshape, the shift, Reshape, Permute.
    layers = encoder.layers[1:6]
    assert layers[2].name == "clip_shift"
    # One frame, repeated: after the shift the frames must still agree.
    clip = np.repeat(moving_squares(1)[0][:1, :1], SHAPE[0], axis=1)

    def run(training):
        x = clip
        for layer in layers:
            x = layer(x, training=training) if layer is layers[2] else layer(x)
        return np.asarray(x)

    np.testing.assert_array_equal(run(False), clip)
    moved = run(True)
    assert not np.allclose(moved, clip)
    for frame in moved[0, 1:]:
        np.testing.assert_allclose(frame, moved[0, 0])


def test_saves_and_loads_in_safe_mode(tmp_path):
    encoder = video_encoder(SHAPE, (8,), hidden_dim=16, augmentation=True)
    x, _ = moving_squares(1)
    expected = forward(encoder, x)
    encoder.save(tmp_path / "video.keras")
    loaded = keras.saving.load_model(tmp_path / "video.keras", safe_mode=True)
    np.testing.assert_allclose(forward(loaded, x), expected, atol=1e-5)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="temporal"):
        video_encoder(SHAPE, temporal="lstm")
    with pytest.raises(ValueError, match="blocks"):
        video_encoder(SHAPE, blocks="3d")
