"""Training: a thin layer over Keras `compile` and `fit`."""

from keras_mm.training.jit_tune import tune_jit_compile
from keras_mm.training.train import build_training_state
from keras_mm.training.train import compile_model
from keras_mm.training.train import compile_options
from keras_mm.training.train import optimizer
from keras_mm.training.train import train
from keras_mm.training.warm_start import warm_start

__all__ = [
    "build_training_state",
    "compile_model",
    "compile_options",
    "optimizer",
    "train",
    "tune_jit_compile",
    "warm_start",
]
