from keras_mm import zoo
from keras_mm.data.captions import build_caption_vocabulary
from keras_mm.data.captions import caption_length
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.qa_preprocessor import AnswerPreprocessor
from keras_mm.qa.answers import normalize_answer
from keras_mm.qa.scores import answer_scores
from keras_mm.qa.scores import question_vocabulary
from keras_mm.qa.scores import training_answers
from keras_mm.tasks.captioning import CaptioningTask
from keras_mm.tasks.captioning import captions
from keras_mm.tasks.question_answering import QuestionAnsweringTask
from keras_mm.tasks.sizing import check_columns
from keras_mm.tasks.sizing import size_modalities
from keras_mm.tasks.task import saved_files

# Upper bound of the answers' WordPiece vocabulary.
ANSWER_VOCABULARY_SIZE = 1000


class AnswerGenerationTask(CaptioningTask):
    """Answers written token by token: a captioner conditioned on the
    question too (`question`, the context's columns and `answer`).

    The manifest is a question-answering one (see
    `QuestionAnsweringTask`); `keras-mm answer` writes the greedy
    answers and `evaluate` scores them as the answer classifiers' are
    scored. The SavedModel's `answer` (greedy) and `answer_beam`
    signatures take the context and the question as strings.
    """

    name = "answer_generation"
    noun = "answer generator"
    preprocessor = AnswerPreprocessor
    command = "answer"
    demo_data = "questions"
    training_steps = QuestionAnsweringTask.training_steps
    endpoints = {
        "answer": ("greedy", "answer"),
        "answer_beam": ("beam", "answer"),
    }
    text_noun = "answer"

    def fit_to(self, manifest, model, **options):
        """Build `model` with its answer vocabulary and length, and each
        modality sized as for an answer classifier (see
        `size_modalities`)."""
        answers = training_answers(manifest)
        vocabulary = build_caption_vocabulary(answers, ANSWER_VOCABULARY_SIZE)
        overrides, settings, found = size_modalities(
            manifest,
            model,
            options,
            answer_vocabulary_size=len(vocabulary),
            answer_length=caption_length(answers, vocabulary, minimum=2),
        )
        built = zoo.build(model, **overrides)
        check_columns(manifest, model, built, found)
        config = zoo.config(model, **overrides)
        modality_config = dict(config.get("modality_config") or {})
        if settings.get("vocabulary"):
            # The `text` context's words; the preprocessor's own
            # vocabulary is the answers'.
            text = {**modality_config.get("text", {})}
            modality_config["text"] = {
                **text,
                "vocabulary": settings["vocabulary"],
            }
        pre = self.preprocessor.from_model(
            built,
            vocabulary,
            sample_rate=config.get("sample_rate", DEFAULT_SAMPLE_RATE),
            modality_config=modality_config,
        )
        pre.answers = sorted(set(answers))
        return built, pre

    def question_words(self, preprocessor):
        return question_vocabulary(preprocessor)

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """The answer classifiers' scores (see `answer_scores`) of the
        greedy answers, with `unseen_answers`: the rows whose answer was
        never a training answer (the generator may still write it)."""
        self.check_drop(drop)
        predicted = self._answers(model, preprocessor, manifest, batch_size)
        answers = preprocessor.answers
        known = None if answers is None else set(answers)
        return answer_scores(predicted, manifest, known)

    def predict(self, model, preprocessor, manifest, options):
        """Rows `row,answer`, generated with `options["sampler"]`."""
        answers = self._answers(
            model,
            preprocessor,
            manifest,
            options.get("batch_size", 32),
            options.get("sampler", "greedy"),
        )
        return ["row", "answer"], [
            [row, answer] for row, answer in zip(manifest.row_numbers, answers)
        ]

    def _answers(self, model, pre, manifest, batch_size, sampler="greedy"):
        generated = captions(model, pre, manifest, sampler, batch_size)
        return [normalize_answer(text) for text in generated]

    def report(self, metrics, preprocessor, manifest, out):
        return (
            f"Validation accuracy: {metrics['accuracy']:.4f}\n"
            f"{saved_files(out, list(self.endpoints), vocabulary=True)}\n"
            f"Answer: keras-mm answer --model-dir {out} --data MANIFEST"
        )
