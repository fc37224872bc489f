"""keras_mm: multimodal (image, text, audio) models for Keras 3."""

__version__ = "0.1.0"
