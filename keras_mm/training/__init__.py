"""Training: a thin layer over Keras `compile` and `fit`."""

from keras_mm.training.train import compile_model
from keras_mm.training.train import train

__all__ = ["compile_model", "train"]
