"""Export: `.keras` files and TensorFlow SavedModels that clients load."""

from keras_mm.export.bundle import export_bundle
from keras_mm.export.bundle import load_bundle
from keras_mm.export.bundle import write_bundle
from keras_mm.export.output_folder import check_output
from keras_mm.export.output_folder import prepared_output
from keras_mm.export.output_folder import staging_directory

__all__ = [
    "check_output",
    "export_bundle",
    "load_bundle",
    "prepared_output",
    "staging_directory",
    "write_bundle",
]
