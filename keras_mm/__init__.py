"""keras_mm: multimodal (image, text, audio) models for Keras 3.

Layers, from the bottom up: `encoders` → `fusion` → `heads` → `zoo`
(Keras only, any backend); `data` (manifests to `tf.data`); `captioning`
and `retrieval`; `training`; `tasks` (what a kind of model learns: sizing,
loss, evaluation, prediction, export signatures); `export` (bundles);
`cli`. The README's "How keras_mm is built" says how to add a task, a zoo
entry or a fusion layer.
"""

import importlib
import os
import sys

__version__ = "0.1.0"

_SUBMODULES = (
    "data",
    "encoders",
    "export",
    "fusion",
    "heads",
    "tasks",
    "training",
    "zoo",
)
__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"keras_mm.{name}")
    raise AttributeError(f"module 'keras_mm' has no attribute {name!r}")


if os.path.basename(sys.argv[0] if sys.argv else "") in ("keras-mm", "-m"):
    # The command line imports only what a command needs (`--help` and
    # `list` need no TensorFlow), and hides TensorFlow's start-up chatter.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
else:
    # `import keras_mm` registers every layer with Keras, so that
    # `keras.saving.load_model` reads keras_mm models.
    from keras_mm import data  # noqa: E402, F401
    from keras_mm import encoders  # noqa: E402, F401
    from keras_mm import export  # noqa: E402, F401
    from keras_mm import fusion  # noqa: E402, F401
    from keras_mm import heads  # noqa: E402, F401
    from keras_mm import tasks  # noqa: E402, F401
    from keras_mm import training  # noqa: E402, F401
    from keras_mm import zoo  # noqa: E402, F401
