import json
import pathlib
import zipfile

import keras
import tensorflow as tf

# The zoo imports every keras_mm layer, registering it for `load_model`.
from keras_mm import zoo  # noqa: F401
from keras_mm.export.output_folder import BUNDLE_FORMAT
from keras_mm.export.output_folder import MARKER
from keras_mm.export.output_folder import interrupted_swap
from keras_mm.export.output_folder import output_lock
from keras_mm.export.output_folder import prepared_output
from keras_mm.export.output_folder import recover
from keras_mm.export.output_folder import staging_directory
from keras_mm.export.tensorflow_process import export_with_tensorflow
from keras_mm.tasks import get_task
from keras_mm.tasks import load_preprocessor

MODEL_FILE = "model.keras"
SAVED_MODEL_DIR = "saved_model"


def write_bundle(model, preprocessor, directory):
    """Write a model bundle into an existing folder.

    A bundle is `model.keras`, a TensorFlow SavedModel in `saved_model/`
    and the preprocessing files that reproduce training's input pipeline.
    The preprocessor's task writes the SavedModel's signatures (see
    `keras_mm.tasks.Task.export`): a classifier's `serving_default`, keyed
    by input name; a captioner's `generate`, `generate_beam` and
    `generate_top_k`; a dual encoder's `encode_image` and `encode_text`.
    On another backend than TensorFlow, a TensorFlow process writes it
    from the saved files (`keras_mm.export.tensorflow_process`): `jax2tf`
    converts neither the signatures' string operations (questions in,
    answers out) nor a spectrogram of clips of any length.

    Args:
        model: `keras.Model`. The model to save.
        preprocessor: `keras_mm.data.Preprocessor`. Its preprocessing.
        directory: str or `pathlib.Path`. The folder to write into.
    """
    directory = pathlib.Path(directory)
    task = get_task(preprocessor.task)
    # A bundle that `load_bundle` would refuse is not written.
    task.check_model(model, preprocessor, "being written")
    model.save(directory / MODEL_FILE)
    # Before the export, which may read the bundle in another process
    # (see `keras_mm.export.tensorflow_process`).
    preprocessor.save(directory)
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # `verbose=False` still logs "Assets written".
    try:
        if keras.backend.backend() == "tensorflow":
            task.export(model, preprocessor, directory / SAVED_MODEL_DIR)
        else:
            export_with_tensorflow(directory)
    finally:
        logger.setLevel(level)


def export_bundle(model, preprocessor, directory):
    """Write a bundle to `directory` atomically (see `write_bundle`).

    `directory` must be absent, empty or a bundle (see `check_output`). A
    failed export never leaves a half-written bundle where a good one was.

    Example:

    ```python
    export_bundle(model, preprocessor, "saved_models/demo")
    ```
    """
    with prepared_output(directory), staging_directory(directory) as staging:
        write_bundle(model, preprocessor, staging)
    return pathlib.Path(directory)


def load_bundle(directory):
    """Load `(model, preprocessor)` from a bundle, with `safe_mode=True`.

    Raises:
        ValueError: naming the bundle and what is wrong with it: not a
            folder, a missing or damaged file, or a newer bundle format.
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir() and interrupted_swap(directory):
        # A swap cut between its renames left the bundle in `.NAME.old-*`.
        with output_lock(directory):
            recover(directory)
    if not directory.is_dir():
        raise ValueError(f"Bundle {directory} not found (no such folder).")
    marker = directory / MARKER
    if marker.is_file():
        try:
            written = json.loads(marker.read_text())
        except ValueError:
            written = {}
        if written.get("format", BUNDLE_FORMAT) > BUNDLE_FORMAT:
            raise ValueError(
                f"Bundle {directory} was written by keras_mm "
                f"{written.get('keras_mm', '?')} (bundle format "
                f"{written['format']}); this keras_mm reads format "
                f"{BUNDLE_FORMAT}. Upgrade keras_mm."
            )
    path = directory / MODEL_FILE
    if not path.is_file():
        raise ValueError(
            f"Bundle {directory} has no {MODEL_FILE}; is it a keras-mm "
            "bundle (from `keras-mm train` or `export`)?"
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"Bundle {directory}: {MODEL_FILE} is truncated or corrupted "
            "(not a complete .keras archive); train or export it again."
        )
    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
        raise ValueError(
            f"Bundle {directory}: {MODEL_FILE} is damaged ({e}); train or "
            "export it again."
        ) from None
    try:
        preprocessor = load_preprocessor(directory)
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise ValueError(
            f"Bundle {directory}: its preprocessing files are missing or "
            f"damaged ({e})."
        ) from None
    get_task(preprocessor.task).check_model(model, preprocessor, directory)
    return model, preprocessor
