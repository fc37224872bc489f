"""A bundle's SavedModel written by a TensorFlow process.

Some signatures cannot be converted from JAX by `jax2tf`: a speech
recognizer takes clips of any length, and JAX's STFT needs a concrete
one; a question-answering model takes questions and gives answers as
strings. A model on another backend (a run of several processes trains
on JAX) has its SavedModel written by a child process on TensorFlow,
from the bundle's `model.keras` and preprocessing files (see
`keras_mm.export.bundle.write_bundle`).

Usage: python -m keras_mm.export.tensorflow_process BUNDLE
"""

import os
import pathlib
import subprocess
import sys


def export_with_tensorflow(bundle):
    """Write `bundle`'s SavedModel in a TensorFlow process.

    Args:
        bundle: path. A folder holding the bundle's `model.keras` and
            preprocessing files.

    Raises:
        RuntimeError: with the child's last line of error output.
    """
    done = subprocess.run(
        [sys.executable, "-m", __name__, str(bundle)],
        env={
            **os.environ,
            "KERAS_BACKEND": "tensorflow",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode:
        lines = done.stderr.strip().splitlines() or ["(no output)"]
        raise RuntimeError(
            f"Writing the SavedModel with TensorFlow failed: {lines[-1]}"
        )


def main(bundle):
    from keras_mm.export.bundle import SAVED_MODEL_DIR
    from keras_mm.export.bundle import load_bundle
    from keras_mm.tasks import get_task

    model, preprocessor = load_bundle(bundle)
    task = get_task(preprocessor.task)
    task.export(model, preprocessor, pathlib.Path(bundle) / SAVED_MODEL_DIR)


if __name__ == "__main__":
    main(sys.argv[1])
