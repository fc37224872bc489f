"""The speech recognizer's model code, on every backend (CI runs JAX too)."""

import keras
import numpy as np

from keras_mm.encoders import ClipReversal
from keras_mm.encoders import ClipStandardization
from keras_mm.encoders import FrameMask
from keras_mm.encoders import SpecAugment
from keras_mm.speech.decoding import decode
from keras_mm.zoo import CTCSpeechRecognizer
from tests.helpers import forward


def tiny(**kwargs):
    return CTCSpeechRecognizer(
        6,
        8000,
        num_mel_bins=16,
        filters=4,
        rnn_units=8,
        rnn_layers=1,
        **kwargs,
    )


def clips(lengths, seed=0):
    rng = np.random.default_rng(seed)
    audio = np.zeros((len(lengths), max(lengths)), "float32")
    for i, n in enumerate(lengths):
        audio[i, :n] = rng.normal(0, 0.2, n)
    return {"audio": audio, "audio_length": np.array(lengths, "int32")}


def test_padding_changes_nothing_on_a_clips_own_steps():
    model = tiny()
    batch = clips([2400, 1000])
    together = forward(model, batch)
    steps = keras.ops.convert_to_numpy(model.steps(batch["audio_length"]))
    for i, n in enumerate(batch["audio_length"]):
        alone = {
            "audio": batch["audio"][i : i + 1, :n],
            "audio_length": np.array([n]),
        }
        alone = forward(model, alone)[0]
        assert len(alone) >= steps[i]
        np.testing.assert_allclose(
            together[i, : steps[i]], alone[: steps[i]], rtol=1e-4, atol=1e-4
        )


def test_the_loss_counts_true_lengths_only():
    model = tiny()
    batch = clips([2400, 1000])
    labels = np.array([[1, 2, 3], [4, 5, 0]], "int32")
    out = forward(model, batch)
    together = float(model.compute_loss(batch, labels, out))
    alone = []
    for i, n in enumerate(batch["audio_length"]):
        single = {
            "audio": batch["audio"][i : i + 1, :n],
            "audio_length": np.array([n]),
        }
        label = labels[i : i + 1, : int((labels[i] > 0).sum())]
        out = forward(model, single)
        alone.append(float(model.compute_loss(single, label, out)))
    np.testing.assert_allclose(together, np.mean(alone), rtol=1e-4)


def test_it_trains_saves_and_loads_safely(tmp_path):
    keras.utils.set_random_seed(0)
    model = tiny()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=None)
    batch = clips([2400, 2000, 1600, 1200])
    labels = np.array([[1, 2], [3, 0], [4, 5], [1, 1]], "int32")
    history = model.fit(batch, labels, epochs=5, batch_size=4, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(batch)),
        keras.ops.convert_to_numpy(model(batch)),
        atol=1e-5,
    )


def test_beam_search_finds_what_greedy_misses():
    # Ids: 0 blank, 1 "a", 2 "b". Greedy reads blank, blank: "" (0.25).
    # "a" sums three paths (a-, -a, aa): 0.2 + 0.05 + 0.04 = 0.29, as
    # does "b"; beam search, which sums paths, writes one of them.
    probs = np.array([[[0.5, 0.4, 0.1], [0.5, 0.1, 0.4]]], "float32")
    logits = np.log(probs)
    greedy = keras.ops.convert_to_numpy(decode(logits, np.array([2])))
    beam = keras.ops.convert_to_numpy(decode(logits, np.array([2]), 8))
    assert greedy.tolist() == [[-1, -1]]
    assert beam[0, 0] in (1, 2) and beam[0, 1] == -1


def test_layers_round_trip_their_config():
    for layer in (
        FrameMask(160, 2),
        ClipStandardization(160),
        ClipReversal(160, 2),
        SpecAugment(3, 5, 1, 4, max_warp=0.1, seed=2),
    ):
        again = layer.__class__.from_config(layer.get_config())
        assert again.get_config() == layer.get_config()


def test_the_warp_stretches_the_frequency_axis_while_training_only():
    x = np.tile(np.arange(16, dtype="float32"), (4, 3, 1))
    layer = SpecAugment(0, 0, 0, 0, max_warp=0.2, seed=3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    # Bin j reads j / factor: a slope of 1 / factor, in [1/1.2, 1/0.8],
    # the same on every step of a clip, and the top bin at most 15.
    slopes = y[:, 0, 1] - y[:, 0, 0]
    assert np.all((slopes > 1 / 1.2 - 1e-6) & (slopes < 1 / 0.8 + 1e-6))
    assert len(set(slopes.round(4))) > 1
    np.testing.assert_array_equal(y[:, 0], y[:, 2])
    assert y.max() <= 15.0


def test_clip_reversal_keeps_the_padding_in_place_and_undoes_itself():
    x = np.arange(12.0, dtype="float32").reshape((2, 6, 1))
    reversal = ClipReversal(160, 2)  # 320 samples: 3 frames, 2 steps.
    lengths = np.array([320, 1600])
    once = keras.ops.convert_to_numpy(reversal(x, lengths))
    assert once[:, :, 0].tolist() == [
        [1.0, 0.0, 2.0, 3.0, 4.0, 5.0],
        [11.0, 10.0, 9.0, 8.0, 7.0, 6.0],
    ]
    twice = keras.ops.convert_to_numpy(reversal(once, lengths))
    np.testing.assert_array_equal(twice, x)


def test_its_bundle_serves_the_models_transcripts_on_every_backend(tmp_path):
    # On JAX, the SavedModel is written by a TensorFlow process, as a run
    # of several processes (on JAX) writes it.
    import tensorflow as tf

    from keras_mm.data.speech_preprocessor import SpeechPreprocessor
    from keras_mm.export.bundle import write_bundle

    keras.utils.set_random_seed(1)
    model = tiny()
    preprocessor = SpeechPreprocessor.from_model(model, list("abcde"))
    write_bundle(model, preprocessor, tmp_path)
    batch = clips([2400, 2400], seed=4)
    ids = decode(model(batch), model.steps(batch["audio_length"]))
    expected = [
        preprocessor.characters.text(row)
        for row in keras.ops.convert_to_numpy(ids).tolist()
    ]
    assert any(expected)  # An untrained model writes something.
    served = tf.saved_model.load(str(tmp_path / "saved_model"))
    texts = served.signatures["transcribe"](audio=tf.constant(batch["audio"]))
    assert [t.decode() for t in texts["transcript"].numpy()] == expected


def test_reversed_steps_compute_what_the_masked_bidirectional_gru_does():
    # Bundles from before `backward="reversal"` load with masked GRUs.
    reversal = tiny(backward="reversal")
    masked = CTCSpeechRecognizer.from_config(
        {
            key: value
            for key, value in reversal.get_config().items()
            if key not in ("backward", "warp")
        }
    )
    assert masked.arguments["backward"] == "mask"
    assert masked.arguments["warp"] == 0.0
    recurrent = (keras.layers.GRU, keras.layers.Bidirectional)
    bidirectional = [
        x for x in masked.layers if isinstance(x, keras.layers.Bidirectional)
    ]
    for i, layer in enumerate(bidirectional):
        for direction in ("forward", "backward"):
            source = reversal.get_layer(f"{direction}_gru_{i}")
            getattr(layer, f"{direction}_layer").set_weights(
                source.get_weights()
            )
    others = [
        [x for x in model.layers if x.weights and not isinstance(x, recurrent)]
        for model in (masked, reversal)
    ]
    assert len(others[0]) == len(others[1]) == 6
    for target, source in zip(*others):
        target.set_weights(source.get_weights())
    batch = clips([2400, 1000, 1800])
    steps = keras.ops.convert_to_numpy(reversal.steps(batch["audio_length"]))
    expected = keras.ops.convert_to_numpy(masked(batch))
    actual = keras.ops.convert_to_numpy(reversal(batch))
    for i, n in enumerate(steps):  # Steps past a clip's end mean nothing.
        np.testing.assert_allclose(actual[i, :n], expected[i, :n], atol=1e-5)
