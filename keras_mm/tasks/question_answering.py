import keras
import tensorflow as tf

from keras_mm.data import ManifestError
from keras_mm.data.qa_preprocessor import QuestionAnsweringPreprocessor
from keras_mm.qa.scores import answer_scores
from keras_mm.qa.scores import question_vocabulary
from keras_mm.qa.scores import training_answers
from keras_mm.tasks.archive import export_model
from keras_mm.tasks.classification import ClassificationTask
from keras_mm.tasks.task import saved_files
from keras_mm.training.train import StopWhenPerfect


class QuestionAnsweringTask(ClassificationTask):
    """Answers to questions about a context: `question`, the context's
    columns (`image`, `audio`, `text`, ...) and `answer`.

    The answers seen in training are the classes (normalized as the VQA
    evaluation does: `keras_mm.qa.normalize_answer`). `keras-mm answer`
    writes one answer per row; `evaluate` gives the exact-match
    accuracy, the VQA accuracy against the `answers` column (several
    references separated by `|`) when there is one, and each
    `question_type`'s when that column is there.
    """

    name = "question_answering"
    noun = "question-answering model"
    preprocessor = QuestionAnsweringPreprocessor
    command = "answer"
    demo_data = "questions"
    # Measured on the benchmark's questions about real digits (with
    # `hidden_dim=64` and 64x64x3 images): 1500 steps gave 0.39
    # accuracy, 6000 steps 0.59 (still rising).
    training_steps = 6000
    staged = False

    def class_names(self, manifest):
        names = sorted(set(training_answers(manifest)))
        if len(names) < 2:
            raise ManifestError(
                f"Manifest {manifest.path} has {len(names)} distinct "
                "answer(s); a model that chooses answers needs at least 2."
            )
        return names

    def check_model(self, model, preprocessor, directory):
        units = model.output.shape[-1]
        if units != len(preprocessor.class_names):
            raise ValueError(
                f"Bundle {directory}: preprocessing.json names "
                f"{len(preprocessor.class_names)} answers, but the model "
                f"has {units} outputs; the files do not belong together."
            )

    def training_options(self, preprocessor):
        """A softmax over the training answers; answers never seen in
        training (target -1) are left out of the loss and count as wrong
        in `accuracy`, which early stopping watches."""
        return {
            "loss": keras.losses.SparseCategoricalCrossentropy(ignore_class=-1),
            "metrics": ["accuracy"],
            "monitor": "accuracy",
            "mode": "max",
            "callbacks": [StopWhenPerfect("accuracy")],
        }

    def describe(self, model, preprocessor):
        return (
            super().describe(model, preprocessor).replace("classes", "answers")
        )

    def question_words(self, preprocessor):
        return question_vocabulary(preprocessor)

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """Exact-match `accuracy` of the answers; `vqa_accuracy` against
        the `answers` column if there is one; for each `question_type`
        (if there is that column) both as `accuracy/TYPE` and
        `vqa_accuracy/TYPE`, and its `rows/TYPE`; `unseen_answers`: the
        rows whose answer was never seen in training."""
        predicted = self._answers(
            model, preprocessor, manifest, batch_size, drop
        )
        return answer_scores(predicted, manifest, set(preprocessor.class_names))

    def predict(self, model, preprocessor, manifest, options):
        """Rows `row,answer,probability`: the likeliest answer per row."""
        header, rows = super().predict(model, preprocessor, manifest, options)
        return ["row", "answer", "probability"], rows

    def _answers(self, model, preprocessor, manifest, batch_size, drop=()):
        options = {"batch_size": batch_size, "drop_modality": drop}
        _, rows = super().predict(model, preprocessor, manifest, options)
        return [answer for _, answer, _ in rows]

    def export(self, model, preprocessor, directory):
        """`answer` (also `serving_default`): the context inputs and the
        `question` as strings to the `answer` strings and their
        `probability`."""
        names = tf.constant(preprocessor.class_names)

        def outputs(probabilities):
            best = tf.argmax(probabilities, axis=-1)
            return {
                "answer": tf.gather(names, best),
                "probability": tf.reduce_max(probabilities, axis=-1),
            }

        export_model(
            model, directory, preprocessor.serving(), "answer", outputs
        )

    def serving_examples(self, model, preprocessor, manifest):
        data = preprocessor.dataset(
            manifest, len(manifest), labels=False, cache=False
        )
        inputs = {k: v.numpy() for k, v in next(iter(data)).items()}
        expected = self._answers(model, preprocessor, manifest, len(manifest))
        values = preprocessor.serving_values(manifest, inputs)
        return {"answer": (values, {"answer": expected})}

    def report(self, metrics, preprocessor, manifest, out):
        return (
            f"Validation accuracy: {metrics['accuracy']:.4f} "
            f"({len(preprocessor.class_names)} answers)\n"
            f"{saved_files(out, ['answer'])}\n"
            f"Answer: keras-mm answer --model-dir {out} --data MANIFEST"
        )
