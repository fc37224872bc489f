import contextlib
import pathlib
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.loading import load_preprocessor
from keras_mm.data.retrieval_preprocessor import RetrievalPreprocessor
from keras_mm.export.captioner_export import captioner_archive
from keras_mm.export.retrieval_export import dual_encoder_archive

MODEL_FILE = "model.keras"
SAVED_MODEL_DIR = "saved_model"


@contextlib.contextmanager
def staging_directory(target):
    """Yield a fresh folder that replaces `target` only on success.

    The folder is created beside `target`; when the `with` block finishes it
    is renamed to `target` (an existing `target` is replaced). If the block
    raises, `target` is left untouched and the partial folder is kept for
    inspection, its path added to the error.

    Example:

    ```python
    with staging_directory("saved_models/demo") as tmp:
        write_bundle(model, preprocessor, tmp)
    ```
    """
    target = pathlib.Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(
        tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-")
    )
    staging.chmod(0o755)  # mkdtemp makes it private; a bundle is not.
    try:
        yield staging
    except BaseException as e:
        if hasattr(e, "add_note"):
            e.add_note(f"Partial output kept in {staging}")
        raise
    old = target.parent / f".{target.name}.old-{staging.name}"
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_bundle(model, preprocessor, directory):
    """Write a model bundle into an existing folder.

    A bundle is `model.keras`, a TensorFlow SavedModel in `saved_model/`
    and the preprocessing files that reproduce training's input pipeline.
    A classifier's SavedModel has the signature `serving_default`, keyed by
    input name; a captioner's has `generate`, `generate_beam` and
    `generate_top_k` (see `captioner_archive`); a dual encoder's has
    `encode_image` and `encode_text` (see `dual_encoder_archive`).

    Args:
        model: `keras.Model`. The model to save.
        preprocessor: `keras_mm.data.Preprocessor` or
            `CaptionPreprocessor`. Its preprocessing.
        directory: str or `pathlib.Path`. The folder to write into.
    """
    directory = pathlib.Path(directory)
    model.save(directory / MODEL_FILE)
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # `verbose=False` still logs "Assets written".
    try:
        if isinstance(preprocessor, CaptionPreprocessor):
            archive = captioner_archive(model, preprocessor)
            archive.write_out(str(directory / SAVED_MODEL_DIR), verbose=False)
        elif isinstance(preprocessor, RetrievalPreprocessor):
            archive = dual_encoder_archive(model, preprocessor)
            archive.write_out(str(directory / SAVED_MODEL_DIR), verbose=False)
        else:
            model.export(
                str(directory / SAVED_MODEL_DIR),
                format="tf_saved_model",
                verbose=False,
            )
    finally:
        logger.setLevel(level)
    preprocessor.save(directory)


def export_bundle(model, preprocessor, directory):
    """Write a bundle to `directory` atomically (see `write_bundle`).

    A failed export never leaves a half-written bundle where a good one
    was.

    Example:

    ```python
    export_bundle(model, preprocessor, "saved_models/demo")
    ```
    """
    with staging_directory(directory) as staging:
        write_bundle(model, preprocessor, staging)
    return pathlib.Path(directory)


def load_bundle(directory):
    """Load `(model, preprocessor)` from a bundle, with `safe_mode=True`."""
    directory = pathlib.Path(directory)
    path = directory / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {MODEL_FILE} in {directory}")
    model = keras.saving.load_model(path, safe_mode=True)
    return model, load_preprocessor(directory)
