"""The workflows of the command line, as Python calls.

`train_bundle` is all of `keras-mm train`; `read_manifest` reads what
`--data` names (a manifest, a `keras-mm prepare` folder, or a demo).
"""

from keras_mm.workflow.manifests import read_manifest
from keras_mm.workflow.train_bundle import TrainingOptions
from keras_mm.workflow.train_bundle import TrainingResult
from keras_mm.workflow.train_bundle import default_epochs
from keras_mm.workflow.train_bundle import train_bundle

__all__ = [
    "TrainingOptions",
    "TrainingResult",
    "default_epochs",
    "read_manifest",
    "train_bundle",
]
