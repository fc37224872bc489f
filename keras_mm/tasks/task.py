import csv
import sys

import keras
import keras_hub

from keras_mm import zoo
from keras_mm.data.text import RESERVED
from keras_mm.sublayers import sublayers


class Task:
    """What a kind of model learns, and everything that depends on it.

    A task sizes a zoo model to a training manifest (`fit_to`), names the
    loss and metrics it trains with (`training_options`), evaluates and
    predicts, and writes the SavedModel signatures of its bundles
    (`export`). The command line and the bundle code only look a task up
    (`keras_mm.tasks.get_task`) and call it; a new task is a new subclass
    registered with `keras_mm.tasks.register_task`, plus zoo entries that
    name it.

    Class attributes:
        name: str. The task's name, as zoo entries and `preprocessing.json`
            give it.
        noun: str. What its models are called ("classifier").
        preprocessor: the `keras_mm.data.Preprocessor` subclass its
            bundles save and load.
        command: str. The `keras-mm` command that writes its predictions.
        demo_data: str. The demo dataset `--data demo` means.
        training_steps: int. Training steps the default epochs aim at.
        staged: bool. Whether `--init-from` can start its models from the
            encoders of another bundle.
    """

    name = None
    noun = "model"
    preprocessor = None
    command = "predict"
    demo_data = "factorial"
    training_steps = 1500
    staged = False

    def fit_to(self, manifest, model, **options):
        """Build zoo model `model` sized to a training manifest.

        Args:
            manifest: `keras_mm.data.Manifest`. The training rows.
            model: str. A zoo model of this task.
            **options: builder arguments to set (`None` values are
                ignored); one the model does not take is an error.

        Returns:
            `(model, preprocessor)`: the built `keras.Model` and the
            preprocessor that feeds it.
        """
        raise NotImplementedError

    def training_options(self, preprocessor):
        """The task's keyword arguments of `keras_mm.training.train`.

        `loss` and `metrics` (which `compile_options` picks for
        `compile_model`; `loss` None for a model that computes its own),
        and, where the task has its own: `monitor` (the metric early
        stopping watches, without `val_`; default `"loss"`), `mode`
        (`"min"` or `"max"`) and `callbacks`.
        """
        raise NotImplementedError

    def validation_callbacks(self, preprocessor, manifest):
        """Callbacks that score the validation rows at every epoch.

        They run before early stopping and add their scores to the logs
        (as `val_` metrics that `monitor` may name). The default: none.

        Args:
            preprocessor: the model's preprocessor.
            manifest: `Manifest`. The validation rows.
        """
        return []

    def describe(self, model, preprocessor):
        """A short phrase about a built model, for the training log."""
        return f"{model.count_params():,} parameters"

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """The metrics of `model` on a labelled manifest, as a dict."""
        raise NotImplementedError

    def evaluate_trained(self, model, preprocessor, manifest):
        """The validation metrics of a model training just finished.

        Runs before the bundle is written, so a task may choose decoding
        settings here, on the validation rows, and keep them in its
        preprocessor. The default: `evaluate`.
        """
        return self.evaluate(model, preprocessor, manifest)

    def predict(self, model, preprocessor, manifest, options):
        """`(header, rows)` of the CSV its `command` writes.

        Args:
            options: dict. The command's options (`batch_size`, ...).
        """
        raise NotImplementedError

    def export(self, model, preprocessor, directory):
        """Write the SavedModel with this task's signatures to a folder."""
        raise NotImplementedError

    def serving_examples(self, model, preprocessor, manifest):
        """What each SavedModel signature must give for a manifest's rows.

        Computed with the Keras model, for tests (see `run_task_test`)
        and for anyone checking a served bundle.

        Returns:
            A dict: signature name to `(inputs, outputs)`, each a dict of
            NumPy arrays by name.
        """
        raise NotImplementedError

    def report(self, metrics, preprocessor, manifest, out):
        """What `keras-mm train` prints at the end: metrics, files, next."""
        raise NotImplementedError

    def check_model(self, model, preprocessor, directory):
        """Raise a `ValueError` if a loaded bundle's model cannot serve.

        The base checks that the text token ids the preprocessor makes
        (`token_ids`) are those the model's token embedding takes.
        """
        expected = self.token_ids(preprocessor)
        sizes = embedding_sizes(model)
        if expected is not None and sizes and expected not in sizes:
            raise ValueError(
                f"Bundle {directory}: its vocabulary gives {expected} token "
                f"ids, but the model's token embedding takes "
                f"{' or '.join(map(str, sorted(sizes)))}; the vocabulary "
                "does not belong to this model."
            )

    def token_ids(self, preprocessor):
        """How many text token ids the preprocessor makes, or None."""
        if preprocessor.vocabulary is None:
            return None
        return len(preprocessor.vocabulary) + RESERVED

    def question_words(self, preprocessor):
        """The question vocabulary of a model that answers questions.

        Spoken questions are spelled in it (see
        `keras_mm.workflow.spoken_questions`). None (the default): the
        task's models answer no questions.
        """
        return None

    def check_drop(self, drop):
        if drop:
            raise ValueError(
                f"--drop-modality works with classifiers that take a "
                f"'presence' input; a {self.noun} needs every input."
            )


def embedding_sizes(model):
    """The input sizes of the token embeddings in `model`."""
    sizes = set()
    for layer in sublayers(model):
        if isinstance(layer, keras.layers.Embedding):
            sizes.add(layer.input_dim)
        elif isinstance(layer, keras_hub.layers.TokenAndPositionEmbedding):
            sizes.add(layer.vocabulary_size)
    return sizes


def model_options(name, options):
    """The builder arguments of `options` that are set, checked.

    Raises:
        ValueError: naming an option the model does not take, and the
            models that take it.
    """
    accepted = zoo.config(name)
    overrides = {}
    for key, value in options.items():
        if value is None:
            continue
        if key not in accepted:
            takes = [m for m in zoo.list_models() if key in zoo.config(m)]
            flag = "--" + key.replace("_", "-")
            raise ValueError(
                f"Model '{name}' does not take {flag}; it works with: "
                f"{', '.join(takes)}"
            )
        overrides[key] = value
    return overrides


def write_csv(header, rows, file=None):
    """Write a header and rows as CSV to standard output (or `file`)."""
    writer = csv.writer(file or sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def saved_files(out, signatures=None, vocabulary=False):
    """The "Saved to" line of a training report."""
    saved_model = "saved_model/"
    if signatures:
        saved_model += f" (signatures {', '.join(signatures)})"
    files = ["model.keras", saved_model, "preprocessing.json"]
    if vocabulary:
        files.append("vocabulary.txt")
    return f"Saved to {out}: {', '.join(files)}, history.csv, metrics.json"
