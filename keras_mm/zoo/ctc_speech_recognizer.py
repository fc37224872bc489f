import math

import keras
from keras import ops

from keras_mm.encoders.frame_mask import ClipReversal
from keras_mm.encoders.frame_mask import ClipStandardization
from keras_mm.encoders.frame_mask import FrameMask
from keras_mm.encoders.spec_augment import SpecAugment
from keras_mm.speech.characters import BLANK
from keras_mm.zoo.captioner import constructor_arguments

# Sizes measured on a 2-core CPU (the default) and a larger one for GPUs;
# see benchmarks/real_speech.py.
SIZES = {
    "cpu": {"filters": 32, "rnn_units": 128, "rnn_layers": 2},
    "gpu": {"filters": 32, "rnn_units": 512, "rnn_layers": 5},
}


BACKWARD = ("reversal", "mask")


@keras.saving.register_keras_serializable(package="keras_mm")
class CTCSpeechRecognizer(keras.Model):
    """Speech to characters: log-mel, strided CNN, bidirectional GRUs, CTC.

    DeepSpeech2's design (as in keras.io's "CTC ASR" example), sized for a
    CPU: a log-mel spectrogram (25 ms windows every 10 ms) normalized per
    frame and then per clip (`ClipStandardization`, over the clip's own
    frames), SpecAugment's frequency warp and masks while training, two
    `Conv2D` layers that halve time (20 ms steps) and divide the mel bins
    by 4, bidirectional
    GRUs that never see the padding (the backward GRU runs over each
    clip's steps reversed in place, `ClipReversal`), and per-step logits over
    the characters plus CTC's blank (id 0). A clip's logits do not depend
    on how much padding its batch adds.

    The model computes its own loss (`compute_loss`): CTC with each
    clip's true number of steps (from `audio_length`) and each
    transcript's true length (its non-zero label ids), so padding never
    counts.

    Args:
        vocabulary_size: int. Characters + 1 (the blank).
        sample_rate: int. Sampling rate of the waveforms, in Hz.
        num_mel_bins: int. Mel bands (40: as accurate as 80 on unseen
            speakers, and a step costs 0.76 as much).
        size: str. `"cpu"` (2 GRU layers of 128 units a direction) or
            `"gpu"` (5 of 512, as keras.io's example); `filters`,
            `rnn_units` and `rnn_layers` override it.
        filters: int or None. Filters of each convolution.
        rnn_units: int or None. GRU units per direction.
        rnn_layers: int or None. Bidirectional GRU layers.
        dropout: float. Dropout after each GRU layer.
        augmentation: bool. SpecAugment's warp and masks while training.
        warp: float. SpecAugment's largest stretch of the mel axis (a
            vocal tract length perturbation, so that voices whose
            formants lie higher or lower than the training voices' are
            understood).
        backward: str. How the backward GRUs skip the padding:
            `"reversal"` (they run over each clip's steps reversed in
            place, `ClipReversal`) or `"mask"` (Keras' `Bidirectional`
            with a mask: the same function, 7% slower to train on a CPU;
            the recognizers of keras_mm before `reversal` existed).

    The model maps `{"audio": (batch, samples) float32 in [-1, 1],
    "audio_length": (batch,) int32}` to logits `(batch, steps,
    vocabulary_size)`; `steps(audio_length)` gives each clip's valid
    steps.

    Example:
    >>> model = CTCSpeechRecognizer(5, 8000, num_mel_bins=16, rnn_units=8,
    ...                             rnn_layers=1, filters=4)
    >>> out = model({"audio": np.zeros((2, 800)),
    ...              "audio_length": np.array([800, 400])})
    >>> tuple(out.shape), ops.convert_to_numpy(model.steps([800, 400]))
    ((2, 7, 5), array([6, 3], dtype=int32))

    (The logits have a step more than the longest clip's own: zeros are
    appended to every clip; `steps` gives each clip's valid steps.)
    """

    def __init__(
        self,
        vocabulary_size=30,
        sample_rate=16000,
        num_mel_bins=40,
        size="cpu",
        filters=None,
        rnn_units=None,
        rnn_layers=None,
        dropout=0.2,
        augmentation=True,
        warp=0.2,
        backward="reversal",
        **kwargs,
    ):
        arguments = constructor_arguments(locals())
        if backward not in BACKWARD:
            raise ValueError(
                f"Expected `backward` to be one of {BACKWARD}. "
                f"Received: {backward}"
            )
        if size not in SIZES:
            raise ValueError(
                f"Expected `size` to be one of {sorted(SIZES)}. "
                f"Received: {size}"
            )
        filters = filters or SIZES[size]["filters"]
        rnn_units = rnn_units or SIZES[size]["rnn_units"]
        rnn_layers = rnn_layers or SIZES[size]["rnn_layers"]
        hop_length = sample_rate // 100
        window = int(0.025 * sample_rate)

        # === Layers ===
        audio = keras.Input((None,), name="audio")
        lengths = keras.Input((), dtype="int32", name="audio_length")
        # Zeros after every clip, so that its last frames see zeros, not
        # a reflection, padded in a batch or not.
        x = keras.layers.Reshape((-1, 1))(audio)
        x = keras.layers.ZeroPadding1D((0, window))(x)
        x = keras.layers.Reshape((-1,))(x)
        # (batch, num_mel_bins, frames), in dB.
        x = keras.layers.MelSpectrogram(
            fft_length=2 ** math.ceil(math.log2(window)),
            sequence_length=window,
            sequence_stride=hop_length,
            sampling_rate=sample_rate,
            num_mel_bins=num_mel_bins,
            # Keras clips at 80 dB below the loudest value of the whole
            # batch, which makes a clip's features depend on the others;
            # the floor is the power floor (-100 dB) instead.
            top_db=1000.0,
        )(x)
        x = keras.layers.Permute((2, 1))(x)  # (batch, frames, mel bins)
        x = keras.layers.LayerNormalization(name="frame_norm")(x)
        x = ClipStandardization(hop_length, name="clip_norm")(x, lengths)
        if augmentation:
            x = SpecAugment(
                max_time=10, max_frequency=num_mel_bins // 10, max_warp=warp
            )(x)
        x = keras.layers.Reshape((-1, num_mel_bins, 1))(x)
        for strides in ((2, 2), (1, 2)):
            # Fixed padding: "same" pads a strided axis by its size's
            # parity, which would shift a clip's steps with its padding.
            x = keras.layers.ZeroPadding2D(((2, 2), (5, 5)))(x)
            x = keras.layers.Conv2D(filters, (5, 11), strides, use_bias=False)(
                x
            )
            x = keras.layers.BatchNormalization()(x)
            x = keras.layers.ReLU()(x)
        # (batch, steps, features): 20 ms steps.
        x = keras.layers.Reshape((-1, x.shape[2] * filters))(x)
        x, frame_mask = _recurrent(
            x, lengths, hop_length, rnn_units, rnn_layers, dropout, backward
        )
        logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
        super().__init__(
            {"audio": audio, "audio_length": lengths}, logits, **kwargs
        )

        # === Config ===
        self.arguments = arguments
        self.frame_mask = frame_mask

    def steps(self, audio_length):
        """Valid output steps of clips of `audio_length` samples."""
        return self.frame_mask.steps(ops.convert_to_tensor(audio_length))

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """Mean CTC loss over the batch, per-clip lengths (see class)."""
        label_lengths = ops.sum(ops.cast(ops.not_equal(y, BLANK), "int32"), 1)
        loss = ops.ctc_loss(
            y,
            y_pred,
            label_lengths,
            self.steps(x["audio_length"]),
            mask_index=BLANK,
        )
        loss = ops.mean(loss)
        if self.losses:
            loss = loss + ops.sum(self.losses)
        return loss

    @classmethod
    def from_config(cls, config):
        # Bundles from before `backward` existed have masked GRUs, and
        # those from before `warp` trained without it.
        return cls(**{"backward": "mask", "warp": 0.0, **config})

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            **self.arguments,
        }


def _recurrent(x, lengths, hop_length, units, layers, dropout, backward):
    """Bidirectional GRUs over `x` `(batch, steps, features)` that never
    see the padding; returns their outputs and the `FrameMask` of the
    steps."""
    if backward == "mask":
        frame_mask = FrameMask(hop_length, 2, name="frame_mask")
        mask = frame_mask(x, lengths)
        for _ in range(layers):
            x = keras.layers.Bidirectional(
                keras.layers.GRU(units, return_sequences=True)
            )(x, mask=mask)
            x = keras.layers.Dropout(dropout)(x)
        return x, frame_mask
    reversal = ClipReversal(hop_length, 2, name="clip_reversal")
    for i in range(layers):
        forward = keras.layers.GRU(
            units, return_sequences=True, name=f"forward_gru_{i}"
        )(x)
        backward = keras.layers.GRU(
            units, return_sequences=True, name=f"backward_gru_{i}"
        )(reversal(x, lengths))
        x = keras.layers.Concatenate()([forward, reversal(backward, lengths)])
        x = keras.layers.Dropout(dropout)(x)
    return x, reversal
