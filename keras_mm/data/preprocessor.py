import json
import pathlib

import tensorflow as tf

from keras_mm.data.batches import batches
from keras_mm.data.text import load_vocabulary
from keras_mm.data.text import save_vocabulary
from keras_mm.modalities import get_modality

DEFAULT_SAMPLE_RATE = 8000
# Decoded rows are kept in memory up to this many MB (see `pipeline`).
CACHE_MB = 512
# The shuffle buffer's budget, apart from the cache's: a smaller cache
# must not make the shuffle a partial one.
SHUFFLE_MB = 512
CONFIG_FILE = "preprocessing.json"
VOCABULARY_FILE = "vocabulary.txt"


class Preprocessor:
    """Base of the task preprocessors: manifest rows to `tf.data` batches.

    A preprocessor holds what reproduces training's input pipeline at
    evaluation and prediction time. Subclasses set `task` (the name of
    their task in `keras_mm.tasks`), take `vocabulary` and `sample_rate`
    as constructor arguments next to those `get_config` returns, and
    define `rows`, which `dataset` turns into batches. `save` writes
    `preprocessing.json` (the config, with the task name) and
    `vocabulary.txt`; `load` reads them back.

    Args:
        vocabulary: list of str or None. The text vocabulary, if any.
        sample_rate: int. Sampling rate the audio is resampled to.
    """

    task = None
    readers = ()
    # Modality name to the settings its sizing saved (subclasses that
    # size modalities set their own); read, never changed.
    modality_config = {}

    def __init__(self, vocabulary=None, sample_rate=DEFAULT_SAMPLE_RATE):
        self.vocabulary = None if vocabulary is None else list(vocabulary)
        self.sample_rate = int(sample_rate)

    def get_config(self):
        """Constructor arguments other than `vocabulary`, as JSON values."""
        return {"sample_rate": self.sample_rate}

    def save(self, directory):
        """Write `preprocessing.json` (and `vocabulary.txt`) to a folder."""
        directory = pathlib.Path(directory)
        config = {"task": self.task, **self.get_config()}
        (directory / CONFIG_FILE).write_text(
            json.dumps(config, indent=2) + "\n"
        )
        if self.vocabulary is not None:
            save_vocabulary(self.vocabulary, directory / VOCABULARY_FILE)

    @classmethod
    def from_config(cls, config, vocabulary=None):
        """Create a preprocessor from `get_config()` (a `"task"` is ignored)."""
        config = {k: v for k, v in config.items() if k != "task"}
        return cls(vocabulary=vocabulary, **config)

    @classmethod
    def load(cls, directory):
        """Read a preprocessor saved by `save`."""
        return cls.from_config(*read_config(directory))

    def dataset(
        self,
        manifest,
        batch_size=32,
        shuffle=False,
        seed=None,
        epochs=None,
        cache="auto",
        cache_mb=CACHE_MB,
        shard=None,
        shuffle_mb=SHUFFLE_MB,
        **options,
    ):
        """Build the `tf.data` pipeline for a manifest.

        Args:
            manifest: `Manifest`. Rows to read; a bad cell raises a
                `ManifestError` naming its row.
            batch_size: int. Batch size.
            shuffle: bool. Shuffle the rows.
            seed: int or None. Shuffle seed.
            epochs: `(first, last)` or None. Hold these training epochs,
                each shuffled by its number (see `batches`).
            cache: bool or `"auto"`. Keep decoded rows in memory after
                the first pass; `"auto"`: when they fit in `cache_mb`.
            cache_mb: float. Memory budget of the `"auto"` cache, in MB;
                0 caches nothing.
            shard: `(index, count)` or None. Only this process's share
                of each batch, for data-parallel training (see `batches`).
            shuffle_mb: float. Memory budget of the shuffle buffer.
            **options: the subclass's options (see its `rows`).

        Returns:
            A `tf.data.Dataset` of batches, in row order unless shuffled,
            whose inputs are a dict with exactly the model's input names.
        """
        slices, decode, finish = self.rows(manifest, **options)
        rows = tf.data.Dataset.from_tensor_slices(slices)
        if manifest.prepared is not None:
            # Cells zipped with the media `keras-mm prepare` decoded.
            media = manifest.prepared.media(manifest, self)
            rows = tf.data.Dataset.zip(rows, media)
            decode = _with_media(decode)
        return pipeline(
            len(manifest),
            rows,
            decode,
            batch_size,
            shuffle,
            seed,
            epochs,
            cache,
            finish,
            cache_mb,
            shard,
            shuffle_mb,
        )

    def rows(self, manifest, **options):
        """`(slices, decode, finish)`: what `dataset` reads and maps.

        `slices` holds one entry per row, its cells checked; `decode`
        reads one row's media, or takes them from its keyword argument
        `media` (a dict of decoded tensors by column); `finish` (or None)
        maps each batch: tokenizes text, pairs inputs with targets.
        """
        raise NotImplementedError

    def reader(self, name, shape):
        """A `Reader` of modality `name` for a model input of `shape`."""
        settings = {"vocabulary": self.vocabulary, **self.settings(name)}
        return get_modality(name).reader(shape, settings)

    def settings(self, name):
        """The settings modality `name` reads with (see `reader`): the
        sampling rate, and what its sizing saved (`modality_config`)."""
        return {
            "sample_rate": self.sample_rate,
            **self.modality_config.get(name, {}),
        }

    def serving(self):
        """`{input: (spec, transform, resources)}` of the SavedModel.

        For the inputs whose modality's signature takes something other
        than the model input (see `Reader.serving`).
        """
        serving = {reader.name: reader.serving() for reader in self.readers}
        return {name: value for name, value in serving.items() if value}

    def serving_values(self, manifest, inputs):
        """The SavedModel's inputs for rows whose model inputs are `inputs`."""
        values = dict(inputs)
        for reader in self.readers:
            values[reader.name] = reader.serving_values(
                manifest, inputs[reader.name]
            )
        return values

    def media(self):
        """`{column: (shape, load)}` of the media columns `decode` reads.

        `load` reads one file (a string tensor) into a float32 tensor of
        `shape`. Subclasses list their modalities' readers in `readers`.
        """
        return {
            reader.name: (reader.shape, reader.load)
            for reader in self.readers
            if reader.modality.media
        }

    def media_identity(self):
        """What each media column's decoded tensors depend on.

        `keras-mm prepare` saves it; prepared media serve only a model
        whose preprocessor gives the same.
        """
        return {
            reader.name: {"shape": list(reader.shape), **reader.identity()}
            for reader in self.readers
            if reader.modality.media
        }


def pipeline(
    num_rows,
    rows,
    decode,
    batch_size=32,
    shuffle=False,
    seed=None,
    epochs=None,
    cache="auto",
    finish=None,
    cache_mb=CACHE_MB,
    shard=None,
    shuffle_mb=SHUFFLE_MB,
):
    """The `tf.data` chain every preprocessor's datasets go through.

    Memory stays bounded whatever the number of rows: decoded rows are
    cached only within `cache_mb`, and without the cache the shuffle
    buffer holds the rows' cells (file paths, labels), which are decoded
    after shuffling, in parallel. Rows that already hold decoded media
    (from `keras-mm prepare`) are shuffled in a buffer of `shuffle_mb`,
    whatever `cache_mb` is.

    Args:
        num_rows: int. Rows in `rows`.
        rows: `tf.data.Dataset` of the rows' cells (or tensors, or a nest
            of them, with one entry per row).
        decode: function of one row's slices: reads its media.
        batch_size, shuffle, seed, epochs: see `batches`.
        cache: bool or `"auto"`. Keep decoded rows in memory after the
            first pass; `"auto"`: when `num_rows` of them fit in
            `cache_mb`.
        finish: function of a batch, or None.
        cache_mb: float. Memory budget of the `"auto"` cache, in MB.
        shard: `(index, count)` or None: see `batches`.
        shuffle_mb: float. Memory budget of the shuffle buffer, in MB.

    Returns:
        A prefetching `tf.data.Dataset` of batches.
    """
    if not isinstance(rows, tf.data.Dataset):
        rows = tf.data.Dataset.from_tensor_slices(rows)
    decoded = rows.map(decode, tf.data.AUTOTUNE, deterministic=True)
    if cache == "auto":
        row_bytes = spec_bytes(decoded.element_spec)
        cache = num_rows * row_bytes <= cache_mb * 2**20
    if cache:
        ds = batches(
            decoded.cache(),
            num_rows,
            batch_size,
            shuffle,
            seed,
            epochs,
            shard=shard,
        )
    else:
        # The shuffle buffer keeps to a budget too: it holds every row
        # when rows are file paths, fewer when they hold prepared media.
        row_mb = spec_bytes(rows.element_spec) / 2**20
        buffer = max(1, min(num_rows, int(shuffle_mb // row_mb)))
        ds = batches(
            rows, buffer, batch_size, shuffle, seed, epochs, decode, shard
        )
    if finish is not None:
        ds = ds.map(finish, tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def spec_bytes(element_spec):
    """Bytes of one element of a dataset with fixed-shape `element_spec`.

    Strings count 64 bytes (they are file paths and short texts here).
    """
    total = 0
    for spec in tf.nest.flatten(element_spec):
        size = 64 if spec.dtype == tf.string else spec.dtype.size
        total += size * max(1, spec.shape.num_elements() or 1)
    return total


def _with_media(decode):
    """`decode` for `(cells, media)` rows: takes the media, reads no file."""

    def run(cells, media):
        cells = cells if isinstance(cells, tuple) else (cells,)
        return decode(*cells, media=media)

    return run


def read_config(directory):
    """`(config, vocabulary)` of a saved preprocessor; no vocabulary: None."""
    directory = pathlib.Path(directory)
    path = directory / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {CONFIG_FILE} in {directory}")
    config = json.loads(path.read_text())
    vocabulary = None
    if (directory / VOCABULARY_FILE).is_file():
        vocabulary = load_vocabulary(directory / VOCABULARY_FILE)
    return config, vocabulary


def unless_absent(path, load, shape):
    """`load(path)`, or zeros of `shape` for an empty path.

    An empty media cell marks an absent modality (presence 0).
    """
    return tf.cond(
        tf.equal(path, ""),
        lambda: tf.zeros([s or 0 for s in shape], "float32"),
        lambda: load(path),
    )
