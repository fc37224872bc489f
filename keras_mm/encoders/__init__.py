"""Per-modality encoder builders, each returning a named `keras.Model`."""

from keras_mm.encoders.augmentation import RandomMask
from keras_mm.encoders.augmentation import RandomShift
from keras_mm.encoders.cnn_image_encoder import cnn_image_encoder
from keras_mm.encoders.film import FiLM
from keras_mm.encoders.frame_mask import ClipReversal
from keras_mm.encoders.frame_mask import ClipStandardization
from keras_mm.encoders.frame_mask import FrameMask
from keras_mm.encoders.padding_mask import PaddingMask
from keras_mm.encoders.positional_pooling import positional_pooling
from keras_mm.encoders.rnn_text_encoder import rnn_text_encoder
from keras_mm.encoders.spec_augment import SpecAugment
from keras_mm.encoders.spectrogram_audio_encoder import (
    spectrogram_audio_encoder,
)
from keras_mm.encoders.tabular_encoder import tabular_encoder
from keras_mm.encoders.tabular_tokens import TabularTokens
from keras_mm.encoders.transformer_text_encoder import transformer_text_encoder
from keras_mm.encoders.waveform_audio_encoder import waveform_audio_encoder

__all__ = [
    "ClipReversal",
    "ClipStandardization",
    "FiLM",
    "FrameMask",
    "PaddingMask",
    "RandomMask",
    "RandomShift",
    "SpecAugment",
    "TabularTokens",
    "cnn_image_encoder",
    "positional_pooling",
    "rnn_text_encoder",
    "spectrogram_audio_encoder",
    "tabular_encoder",
    "transformer_text_encoder",
    "waveform_audio_encoder",
]
