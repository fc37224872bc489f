import numpy as np

from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.classifier_preprocessor import ClassifierPreprocessor
from keras_mm.log import log
from keras_mm.qa.answers import normalize_answer

# The target of an answer never seen in training: the loss skips it and
# accuracy counts it as wrong.
UNSEEN = -1


class QuestionAnsweringPreprocessor(ClassifierPreprocessor):
    """A classifier's preprocessing whose classes are answers.

    The inputs are read as `ClassifierPreprocessor` reads them (the
    `question` modality and the context's); the targets are the
    `answer` column, normalized (`keras_mm.qa.normalize_answer`), as ids
    of `class_names`: the training answers. An answer never seen in
    training gets the target -1, which the loss skips and accuracy
    counts as wrong.
    """

    task = "question_answering"

    def targets(self, manifest):
        index = {name: i for i, name in enumerate(self.class_names)}
        answers = [normalize_answer(a) for a in manifest.column("answer")]
        ids = np.array([index.get(a, UNSEEN) for a in answers], "int32")
        unseen = np.flatnonzero(ids == UNSEEN)
        if len(unseen):
            log(
                f"{manifest.path}: {len(unseen)} of {len(ids)} rows have an "
                "answer never seen in training (first: "
                f"{manifest.where(unseen[0])}, "
                f"'{answers[unseen[0]]}'); they count as wrong."
            )
        return ids


class AnswerPreprocessor(CaptionPreprocessor):
    """An answer generator's preprocessing: a captioner's, whose texts
    are the `answer` column, normalized (`keras_mm.qa.normalize_answer`),
    and whose conditioning inputs include the `question`.

    Args:
        answers: list of str or None. The distinct training answers,
            normalized, which evaluation tells apart from unseen ones.
        *args, **kwargs: as for `CaptionPreprocessor`.
    """

    task = "answer_generation"
    default_column = "answer"

    def __init__(self, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = None if answers is None else sorted(answers)

    def get_config(self):
        return {**super().get_config(), "answers": self.answers}

    def texts(self, manifest):
        return [normalize_answer(a) for a in manifest.column("answer")]
