"""`Modality`: what one kind of input is, from manifest cell to model input.

A modality sizes a model to a training manifest (`size`), builds its
default encoder (`encoder`) and, through a `Reader` bound to a model's
input shape and the saved preprocessing settings, checks, reads and
batches its cells and describes its SavedModel input. Preprocessors,
the task's sizing, `prepare`, the zoo's classifier and the export only
call these methods.
"""

import concurrent.futures

from keras_mm.data.manifest import ManifestError
from keras_mm.data.preprocessor import unless_absent
from keras_mm.log import log


class Modality:
    """One kind of input. Subclasses set `name` and define `encoder`.

    Class attributes:
        name: str. The model input, the manifest column and the key of
            the modality's settings.
        media: bool. Cells are file paths, relative to the manifest's
            folder; they are checked by decoding, fingerprinted for
            `--resume` and decoded once by `keras-mm prepare`.
        options: tuple of str. `fit_to` options the modality's sizing
            takes (`tabular`: `"features"`, `video`: `"frames"`).
        column: bool. Whether the modality is its own manifest column;
            `tabular` is not: its `features` option names columns.
        capped: tuple of str. Builder arguments that sizing sets within
            the given value (`text`: `vocabulary_size`), rather than
            leaving a given value alone.
        reader_class: the `Reader` subclass that reads its cells.
    """

    name = None
    media = False
    options = ()
    column = True
    capped = ()

    def found(self, manifest, options):
        """Whether a manifest gives this modality to a model that may take it.

        Args:
            manifest: `Manifest`. The training rows.
            options: dict. The `fit_to` options this modality takes.
        """
        if self.name not in manifest.columns:
            return False
        if any(manifest.column(self.name, allow_empty=True)):
            return True
        log(
            f'Manifest {manifest.path}: the "{self.name}" column is empty '
            "in every row; it is left out."
        )
        return False

    def size(self, manifest, config, options):
        """Builder arguments and settings sized to a training manifest.

        Args:
            manifest: `Manifest`. The training rows.
            config: dict. The model's build config so far.
            options: dict. The `fit_to` options this modality takes.

        Returns:
            `(overrides, settings)`: builder arguments (only those the
            model takes are used, and explicit ones win) and the
            preprocessor's settings (saved in `preprocessing.json`).
        """
        return {}, {}

    def encoder(self, config, sequence):
        """The default encoder of the zoo's classifier.

        Args:
            config: dict. The classifier's build arguments (shapes,
                `hidden_dim`, `pooling`, ...; this modality's own under
                `modality_config[name]`).
            sequence: bool. Return `(batch, tokens, dim)` for a fusion
                that takes sequences, else `(batch, dim)`.

        Returns:
            A `keras.Model` with one input named `name`.
        """
        raise NotImplementedError

    def conditioned_encoder(self, config, condition_dim):
        """An encoder whose reading a condition steers, or None.

        Args:
            config: dict. As for `encoder`.
            condition_dim: int. Width of the condition (a question's
                features, say).

        Returns:
            None (the default: this modality has none), or a
            `keras.Model` with inputs `[name, "condition"]` returning
            `(batch, dim)`.
        """
        return None

    def reader(self, shape, settings):
        """A `Reader` for a model input of `shape` and the saved settings."""
        return self.reader_class(self, shape, settings)

    def check_file(self, path):
        """Media: raise `ValueError` if a file cannot be read."""
        raise NotImplementedError

    def load(self, path, shape, settings):
        """Media: one file (a string tensor) to a float32 tensor of `shape`."""
        raise NotImplementedError


class Reader:
    """A modality's cells read for one model input.

    By default a row's cell is its column's string, `""` where the row
    lacks the modality; `decode` maps one row's cell in `tf.data`,
    `finish` a batch of them. A subclass may hold other cells (the table
    reader's numbers) with its own `cells`, `empty` and `present`.

    Args:
        modality: `Modality`. What is read.
        shape: tuple. The model input's shape, without the batch axis.
        settings: dict. The preprocessor's settings (`sample_rate`,
            `vocabulary`, and the modality's own).
    """

    def __init__(self, modality, shape, settings):
        self.modality = modality
        self.name = modality.name
        self.shape = tuple(shape)
        self.settings = settings

    def check(self, manifest, allow_empty=False):
        """Raise `ManifestError` naming the row of a bad or missing cell."""
        manifest.column(self.name, allow_empty=allow_empty)

    def cells(self, manifest, allow_empty=False):
        """One entry per row, for `tf.data.Dataset.from_tensor_slices`."""
        return manifest.column(self.name, allow_empty=allow_empty)

    def empty(self, num_rows):
        """The cells of `num_rows` rows that all lack the modality."""
        return [""] * num_rows

    def present(self, cells):
        """Whether each row has the modality, as a list of bool."""
        return [bool(cell) for cell in cells]

    def decode(self, cell, media=None):
        """One row's cell (or its prepared `media` tensor) in `tf.data`."""
        return cell

    def finish(self, batch):
        """A batch of decoded cells to the model input."""
        return batch

    def serving(self):
        """`(spec, transform, resources)` of the SavedModel's input, or None.

        `spec` is the `tf.TensorSpec` the signature takes, `transform`
        maps it to the model input (in TensorFlow), and `resources` are
        layers (lookup tables) the SavedModel must keep. None (the
        default): the signature takes the model input itself.
        """
        return None

    def serving_values(self, manifest, model_input):
        """What the SavedModel takes for a manifest's rows (see `serving`).

        `model_input` is what the model takes for them.
        """
        return model_input


class MediaReader(Reader):
    """A media modality's files, decoded in `tf.data` (zeros if absent)."""

    def check(self, manifest, allow_empty=False):
        """Decode every file once, in threads; a manifest remembers."""
        check_files(manifest, self.modality, allow_empty)

    def load(self, path):
        """One file (a string tensor) to a float32 tensor of `shape`."""
        return self.modality.load(path, self.shape, self.settings)

    def identity(self):
        """What the decoded tensors depend on, besides `shape`."""
        return {}

    def decode(self, cell, media=None):
        if media is not None:
            return media[self.name]
        return unless_absent(cell, self.load, self.shape)


def check_files(manifest, modality, allow_empty=False):
    """Raise `ManifestError` naming the row of a missing or bad file.

    Each file is decoded once by `modality.check_file`, in threads; a
    manifest remembers which of its columns passed.
    """
    name = modality.name
    values = manifest.column(name, allow_empty=allow_empty)
    if name in manifest.validated:
        return
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = pool.map(_try(modality.check_file), values)
        for row, error in enumerate(results):
            if error:
                raise ManifestError(f"{manifest.where(row)}: {error}")
    manifest.validated.add(name)


def _try(check):
    def run(value):
        if not value:
            return None
        try:
            check(value)
        except ValueError as e:
            return str(e)
        return None

    return run


Modality.reader_class = Reader
