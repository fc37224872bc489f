import keras
import numpy as np
import pytest
from keras.src import testing

from keras_mm.encoders import PaddingMask
from keras_mm.encoders import TabularTokens
from keras_mm.encoders import cnn_image_encoder
from keras_mm.encoders import rnn_text_encoder
from keras_mm.encoders import spectrogram_audio_encoder
from keras_mm.encoders import tabular_encoder
from keras_mm.encoders import transformer_text_encoder
from keras_mm.encoders import waveform_audio_encoder

TABLE = [
    {"name": "age", "kind": "numeric", "mean": 5.0, "variance": 4.0},
    {"name": "breed", "kind": "categorical", "categories": ["lab", "pug"]},
    {"name": "weight", "kind": "numeric", "mean": 0.0, "variance": 1.0},
]


class TabularTokensTest(testing.TestCase):
    def test_layer(self):
        self.run_layer_test(
            TabularTokens,
            init_kwargs={"features": TABLE, "dim": 4},
            input_data=np.array(
                [[1.0, 3.0, np.nan], [np.nan, 0.0, -2.0]], "float32"
            ),
            expected_output_shape=(2, 3, 4),
            # scale, bias and missing vectors, and the embedding table.
            expected_num_trainable_weights=4,
            # The statistics are constants of the normalization.
            expected_num_non_trainable_weights=0,
            run_mixed_precision_check=False,
        )

    def test_a_missing_value_is_not_a_zero(self):
        layer = TabularTokens(TABLE, dim=4)
        # Weight 0.0 is its mean, so it standardizes to 0; missing differs.
        values = np.array([[5.0, 2.0, 0.0], [5.0, 2.0, np.nan]], "float32")
        tokens = keras.ops.convert_to_numpy(layer(values))
        assert not np.allclose(tokens[0, 2], tokens[1, 2])
        np.testing.assert_allclose(tokens[0, :2], tokens[1, :2])
        assert np.all(np.isfinite(tokens))

    def test_features_must_be_numeric_or_categorical(self):
        with pytest.raises(ValueError, match="numeric and categorical"):
            TabularTokens([{"name": "x", "kind": "date"}])


class PaddingMaskTest(testing.TestCase):
    def test_layer(self):
        self.run_layer_test(
            PaddingMask,
            init_kwargs={"padding_id": 0},
            input_data=np.array([[3, 1, 0, 0]], "int32"),
            expected_output_dtype="bool",
            expected_output=keras.ops.convert_to_tensor(
                [[True, True, False, False]]
            ),
            run_training_check=False,
            run_mixed_precision_check=False,
        )


@pytest.mark.parametrize(
    "build, inputs, shape",
    [
        (
            lambda: cnn_image_encoder((28, 28, 1), filters=(8,)),
            np.zeros((2, 28, 28, 1)),
            (2, 8),
        ),
        (
            lambda: cnn_image_encoder((16, 16, 3), (4, 6), pooling=None),
            np.zeros((2, 16, 16, 3)),
            (2, 4, 6),
        ),
        (
            lambda: cnn_image_encoder(
                (16, 16, 3),
                (4,),
                padding="same",
                pooling="flatten",
                output_dim=5,
            ),
            np.zeros((2, 16, 16, 3)),
            (2, 5),
        ),
        (
            lambda: rnn_text_encoder(50, 6, 4, 5, "gru", 2, bidirectional=True),
            np.ones((2, 6), "int32"),
            (2, 10),
        ),
        (
            lambda: rnn_text_encoder(50, 6, 4, 5, return_sequences=True),
            np.ones((2, 6), "int32"),
            (2, 6, 5),
        ),
        (
            lambda: transformer_text_encoder(50, 6, 8, 2, 2, 16, pooling=None),
            np.ones((2, 6), "int32"),
            (2, 6, 8),
        ),
        (
            lambda: waveform_audio_encoder(40, (4,)),
            np.zeros((2, 40)),
            (2, 4),
        ),
        (
            lambda: waveform_audio_encoder(40, (4,), pooling=None),
            np.zeros((2, 40)),
            (2, 20, 4),
        ),
        (
            lambda: spectrogram_audio_encoder(800, 8000),
            np.zeros((2, 800)),
            (2, 32),
        ),
        (
            lambda: tabular_encoder(TABLE, hidden_dim=6),
            np.array([[1.0, 2.0, np.nan], [np.nan, 0.0, 3.0]], "float32"),
            (2, 6),
        ),
        (
            lambda: tabular_encoder(TABLE, hidden_dim=6, sequence=True),
            np.array([[1.0, 2.0, np.nan], [np.nan, 0.0, 3.0]], "float32"),
            (2, 3, 6),
        ),
    ],
)
def test_encoder_output_shapes(build, inputs, shape):
    assert tuple(build()(inputs).shape) == shape


@pytest.mark.parametrize(
    "build",
    [
        lambda: rnn_text_encoder(50, 8, 4, 5),
        lambda: rnn_text_encoder(50, 8, 4, 5, "simple_rnn", 2),
        lambda: transformer_text_encoder(50, 8, 8, 1, 2, 16, dropout=0.0),
    ],
)
def test_text_encoders_ignore_padding(build):
    encoder = build()
    ids = np.array([[5, 6, 7, 0, 0, 0, 0, 0]], "int32")
    # A different padding id beyond the text must not change the features.
    garbage = ids.copy()
    garbage[0, 3:] = 9
    features = np.array(encoder(ids))
    np.testing.assert_allclose(features, encoder(ids[:, :8]), atol=1e-6)
    assert not np.allclose(features, encoder(garbage))
    longer = np.array([[5, 6, 7, 8, 0, 0, 0, 0]], "int32")
    assert not np.allclose(features, encoder(longer))


@pytest.mark.parametrize(
    "builder, kwargs",
    [
        (cnn_image_encoder, {"pooling": "mean"}),
        (cnn_image_encoder, {"pooling": None, "output_dim": 4}),
        (rnn_text_encoder, {"cell": "transformer"}),
        (transformer_text_encoder, {"pooling": "max"}),
        (waveform_audio_encoder, {"pooling": "flatten"}),
        (spectrogram_audio_encoder, {"pooling": "mean"}),
    ],
)
def test_encoders_reject_bad_options(builder, kwargs):
    with pytest.raises(ValueError, match="Expected|needs"):
        builder(**kwargs)


@pytest.mark.parametrize(
    "build, inputs",
    [
        (
            lambda: cnn_image_encoder(
                (16, 16, 1),
                (4,),
                pooling="positional",
                augmentation=True,
                normalization=True,
            ),
            np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 1)),
        ),
        (
            lambda: spectrogram_audio_encoder(
                1600,
                filters=(4,),
                pooling="positional",
                augmentation=True,
                normalization=True,
            ),
            np.random.default_rng(0).uniform(-1, 1, (2, 1600)),
        ),
    ],
)
def test_augmentation_only_while_training(build, inputs):
    encoder = build()
    inference = np.array(encoder(inputs, training=False))
    np.testing.assert_allclose(inference, encoder(inputs, training=False))
    assert not np.allclose(inference, encoder(inputs, training=True))
