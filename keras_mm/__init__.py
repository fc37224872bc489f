"""keras_mm: multimodal (image, text, audio) models for Keras 3."""

import os
import sys

if os.path.basename(sys.argv[0] if sys.argv else "") in ("keras-mm", "-m"):
    # The command line hides TensorFlow's C++ start-up chatter.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from keras_mm import data  # noqa: E402
from keras_mm import encoders  # noqa: E402
from keras_mm import export  # noqa: E402
from keras_mm import fusion  # noqa: E402
from keras_mm import heads  # noqa: E402
from keras_mm import training  # noqa: E402
from keras_mm import zoo  # noqa: E402

__version__ = "0.1.0"

__all__ = ["data", "encoders", "export", "fusion", "heads", "training", "zoo"]
