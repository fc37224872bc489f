import json
import pathlib

from keras_mm.data.caption_preprocessor import TASK as CAPTIONING
from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.preprocessor import CONFIG_FILE
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.data.retrieval_preprocessor import TASK as RETRIEVAL
from keras_mm.data.retrieval_preprocessor import RetrievalPreprocessor


def load_preprocessor(directory):
    """Read the preprocessor a bundle was saved with, whatever its task."""
    path = pathlib.Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {CONFIG_FILE} in {directory}")
    task = json.loads(path.read_text()).get("task")
    if task == CAPTIONING:
        return CaptionPreprocessor.load(directory)
    if task == RETRIEVAL:
        return RetrievalPreprocessor.load(directory)
    return Preprocessor.load(directory)
