import keras
import numpy as np

from keras_mm import zoo
from keras_mm.data import ClassifierPreprocessor
from keras_mm.data import learn_class_names
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.heads import head_kind
from keras_mm.tasks.archive import export_model
from keras_mm.tasks.sizing import check_columns
from keras_mm.tasks.sizing import size_modalities
from keras_mm.tasks.task import Task
from keras_mm.tasks.task import saved_files
from keras_mm.training.train import StopWhenPerfect


class ClassificationTask(Task):
    """Labels from any mix of image, audio and text (`label` column).

    Example:
    >>> from keras_mm.data import Manifest
    >>> rows = [{"text": f"a {w} one", "label": w} for w in ["red", "blue"]]
    >>> model, pre = ClassificationTask().fit_to(
    ...     Manifest(rows * 4, "train.csv"), "multimodal_classifier"
    ... )
    >>> sorted(model.input), pre.class_names
    (['text'], ['blue', 'red'])
    """

    name = "classification"
    noun = "classifier"
    preprocessor = ClassifierPreprocessor
    staged = True

    def fit_to(self, manifest, model, **options):
        """Build `model` sized to the data (see `Task.fit_to`).

        The head matches the number of classes, and each modality sizes
        its part (`Modality.size`: the vocabulary, the audio and text
        lengths, the table's columns); a model that takes `modalities`
        gets those the manifest has, unless `options` set them.

        Args:
            **options: builder arguments, and the options the modalities
                take (`features`: the columns of the `"tabular"` one).
        """
        class_names = self.class_names(manifest)
        overrides, settings, found = size_modalities(
            manifest, model, options, num_classes=len(class_names)
        )
        built = zoo.build(model, **overrides)
        check_columns(manifest, model, built, found)
        # The sizing the model was built with, not a scan of its layers.
        config = zoo.config(model, **overrides)
        pre = self.preprocessor.from_model(
            built,
            class_names,
            settings.get("vocabulary"),
            sample_rate=config.get("sample_rate", DEFAULT_SAMPLE_RATE),
            modality_config=config.get("modality_config"),
        )
        return built, pre

    def class_names(self, manifest):
        """The classes a manifest's rows are labelled with."""
        return learn_class_names(manifest)

    def check_model(self, model, preprocessor, directory):
        super().check_model(model, preprocessor, directory)
        names = preprocessor.class_names
        units = model.output.shape[-1]
        binary = head_kind(len(names), preprocessor.multi_label) == "binary"
        if units != (1 if binary else len(names)):
            raise ValueError(
                f"Bundle {directory}: preprocessing.json names "
                f"{len(names)} classes, but the model has {units} "
                "outputs; the files do not belong together."
            )

    def training_options(self, preprocessor):
        """The loss and metrics the head needs; stop at a perfect score.

        A single sigmoid unit (two classes) trains with binary
        cross-entropy, a softmax with sparse categorical cross-entropy
        and a multi-label head with binary cross-entropy over multi-hot
        targets; all report `accuracy` (multi-label also `auc`), which
        early stopping watches.
        """
        kind = head_kind(
            len(preprocessor.class_names), preprocessor.multi_label
        )
        if kind == "multiclass":
            loss = keras.losses.SparseCategoricalCrossentropy()
            metrics = ["accuracy"]
        else:
            loss = keras.losses.BinaryCrossentropy()
            metrics = [keras.metrics.BinaryAccuracy(name="accuracy")]
        if kind == "multi_label":
            metrics.append(keras.metrics.AUC(name="auc", multi_label=True))
        return {
            "loss": loss,
            "metrics": metrics,
            "monitor": "accuracy",
            "mode": "max",
            "callbacks": [StopWhenPerfect("accuracy")],
        }

    def describe(self, model, preprocessor):
        inputs = preprocessor.inputs.items()
        return (
            f"{super().describe(model, preprocessor)}, "
            f"{len(preprocessor.class_names)} classes, inputs "
            + ", ".join(f"{name} {tuple(shape)}" for name, shape in inputs)
        )

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        data = preprocessor.dataset(
            manifest, batch_size, cache=False, drop=tuple(drop)
        )
        metrics = model.evaluate(data, return_dict=True, verbose=0)
        return {key: float(value) for key, value in metrics.items()}

    def predict(self, model, preprocessor, manifest, options):
        """Rows `row,label,probability`: the most likely class per row."""
        data = preprocessor.dataset(
            manifest,
            options.get("batch_size", 32),
            labels=False,
            cache=False,
            drop=tuple(options.get("drop_modality") or ()),
        )
        probabilities = model.predict(data, verbose=0)
        rows = [
            [row, *_decide(probs, preprocessor)]
            for row, probs in zip(manifest.row_numbers, probabilities)
        ]
        return ["row", "label", "probability"], rows

    def export(self, model, preprocessor, directory):
        """`serving_default`: the inputs keyed by name (see `serving`).

        Each modality's signature input is the model's, except where
        its reader takes raw values (`tabular`: the cells as strings).
        """
        export_model(model, directory, preprocessor.serving())

    def serving_examples(self, model, preprocessor, manifest):
        data = preprocessor.dataset(
            manifest, len(manifest), labels=False, cache=False
        )
        inputs = {k: v.numpy() for k, v in next(iter(data)).items()}
        expected = model.predict(inputs, verbose=0)
        values = preprocessor.serving_values(manifest, inputs)
        return {"serving_default": (values, {"output_0": expected})}

    def report(self, metrics, preprocessor, manifest, out):
        chance = 1 / len(preprocessor.class_names)
        return (
            f"Validation accuracy: {metrics['accuracy']:.4f} "
            f"(chance: {chance:.4f})\n"
            f"{saved_files(out)}\n"
            f"Inspect: saved_model_cli show --dir {out}/saved_model --all"
        )


def _decide(probs, preprocessor):
    names = preprocessor.class_names
    if preprocessor.multi_label:
        chosen = np.flatnonzero(probs >= 0.5)
        return (
            "|".join(names[i] for i in chosen),
            "|".join(f"{probs[i]:.6f}" for i in chosen),
        )
    if len(probs) == 1:
        positive = bool(probs[0] >= 0.5)
        probability = probs[0] if positive else 1.0 - probs[0]
        return names[int(positive)], f"{probability:.6f}"
    best = int(np.argmax(probs))
    return names[best], f"{probs[best]:.6f}"
