"""Training: a thin layer over Keras `compile` and `fit`."""

from keras_mm.training.train import compile_model
from keras_mm.training.train import optimizer
from keras_mm.training.train import build_training_state
from keras_mm.training.train import train
from keras_mm.training.warm_start import warm_start

__all__ = ["compile_model", "optimizer", "train", "warm_start"]
