"""A question-answering manifest's checks and its answers' scores."""

import collections

import numpy as np

from keras_mm.data.manifest import ManifestError
from keras_mm.qa.answers import normalize_answer
from keras_mm.qa.answers import vqa_accuracy

# Reference answers in the optional `answers` column are separated so.
SEPARATOR = "|"


def training_answers(manifest):
    """The normalized `answer` of every row of a training manifest.

    Raises:
        ManifestError: the manifest has no questions, a row has none,
            or an answer is empty once normalized.
    """
    if not any(manifest.column("question", allow_empty=True)):
        raise ManifestError(
            f"Manifest {manifest.path} has no questions: a "
            "question-answering model needs a `question` column."
        )
    manifest.column("question")  # One line for a row without one.
    answers = [normalize_answer(a) for a in manifest.column("answer")]
    for row, answer in enumerate(answers):
        if not answer:
            raise ManifestError(
                f"{manifest.where(row)}: the answer is empty (after "
                "normalization, which drops articles and punctuation)."
            )
    return answers


def question_vocabulary(preprocessor):
    """The words of an answerer's questions (the `question` modality's
    saved vocabulary)."""
    return preprocessor.modality_config["question"]["vocabulary"]


def answer_scores(predicted, manifest, known=None):
    """Scores of predicted answers against a manifest's.

    Args:
        predicted: list of str. One normalized answer per row.
        manifest: `Manifest` with `answer` (and optionally `answers`,
            references separated by `|`, and `question_type`).
        known: set of str or None. The normalized training answers.

    Returns:
        A dict: the exact-match `accuracy`; `vqa_accuracy` with an
        `answers` column; per `question_type` both as `accuracy/TYPE`
        and `vqa_accuracy/TYPE`, and its `rows/TYPE`; `unseen_answers`:
        the rows whose answer was never seen in training.
    """
    answers = [normalize_answer(a) for a in manifest.column("answer")]
    scores = {"accuracy": [float(p == a) for p, a in zip(predicted, answers)]}
    if "answers" in manifest.columns:
        references = [
            cell.split(SEPARATOR) for cell in manifest.column("answers")
        ]
        scores["vqa_accuracy"] = [
            vqa_accuracy(p, r) for p, r in zip(predicted, references)
        ]
    metrics = {name: float(np.mean(v)) for name, v in scores.items()}
    if known is not None:
        metrics["unseen_answers"] = sum(a not in known for a in answers)
    if "question_type" in manifest.columns:
        groups = collections.defaultdict(list)
        for row, kind in enumerate(manifest.column("question_type")):
            groups[kind].append(row)
        for kind, rows in sorted(groups.items()):
            for name, values in scores.items():
                metrics[f"{name}/{kind}"] = float(
                    np.mean([values[r] for r in rows])
                )
            metrics[f"rows/{kind}"] = len(rows)
    return metrics
