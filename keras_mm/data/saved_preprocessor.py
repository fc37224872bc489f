import json
import pathlib

from keras_mm.data.preprocessor import CONFIG_FILE
from keras_mm.data.preprocessor import VOCABULARY_FILE
from keras_mm.data.text import load_vocabulary
from keras_mm.data.text import save_vocabulary


class SavedPreprocessor:
    """`save` and `load` for a preprocessor with a config and a vocabulary.

    Subclasses define `get_config()`, whose `"task"` entry tells
    `load_preprocessor` which class to read a bundle with, and take the
    other entries plus `vocabulary` as constructor arguments.
    """

    def save(self, directory):
        """Write `preprocessing.json` and `vocabulary.txt` to a folder."""
        directory = pathlib.Path(directory)
        config = json.dumps(self.get_config(), indent=2)
        (directory / CONFIG_FILE).write_text(config + "\n")
        save_vocabulary(self.vocabulary, directory / VOCABULARY_FILE)

    @classmethod
    def load(cls, directory):
        """Read a preprocessor saved by `save`."""
        directory = pathlib.Path(directory)
        config = json.loads((directory / CONFIG_FILE).read_text())
        config.pop("task")
        vocabulary = load_vocabulary(directory / VOCABULARY_FILE)
        return cls(vocabulary=vocabulary, **config)
