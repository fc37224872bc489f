"""Export: `.keras` files and TensorFlow SavedModels that clients load."""

from keras_mm.export.bundle import export_bundle
from keras_mm.export.bundle import load_bundle
from keras_mm.export.bundle import staging_directory
from keras_mm.export.bundle import write_bundle

__all__ = ["export_bundle", "load_bundle", "staging_directory", "write_bundle"]
