from keras_mm import zoo
from keras_mm.data.preprocessor import read_config
from keras_mm.tasks.answer_generation import AnswerGenerationTask
from keras_mm.tasks.captioning import CaptioningTask
from keras_mm.tasks.classification import ClassificationTask
from keras_mm.tasks.question_answering import QuestionAnsweringTask
from keras_mm.tasks.retrieval import RetrievalTask
from keras_mm.tasks.speech_recognition import SpeechRecognitionTask

# name: task. Zoo entries name their task; bundles save it.
TASKS = {}


def register_task(task):
    """Add a `Task` instance to the registry, under `task.name`.

    Returns:
        The task, so that a module can write `TASK = register_task(...)`.
    """
    TASKS[task.name] = task
    return task


for _task in (
    ClassificationTask(),
    CaptioningTask(),
    RetrievalTask(),
    SpeechRecognitionTask(),
    QuestionAnsweringTask(),
    AnswerGenerationTask(),
):
    register_task(_task)


def list_tasks():
    """The registered task names, in registration order."""
    return list(TASKS)


def get_task(name):
    """The registered `Task` called `name`.

    Example:
    >>> get_task("captioning").command
    'caption'
    """
    if name not in TASKS:
        raise ValueError(f"Unknown task '{name}'. Tasks: {', '.join(TASKS)}")
    return TASKS[name]


def task_of(model):
    """The `Task` of a zoo model name."""
    return get_task(zoo.model_task(model))


def fit_to(manifest, model, **options):
    """Build zoo model `model` sized to a manifest, with its preprocessor.

    The model's task does the sizing (see `Task.fit_to`).

    Args:
        manifest: `keras_mm.data.Manifest`. Training rows.
        model: str. A zoo model name.
        **options: builder arguments to set.

    Returns:
        `(model, preprocessor)`.

    Example:
    >>> from keras_mm.data import Manifest
    >>> rows = [{"text": f"a {w} one", "label": w} for w in ["red", "blue"]]
    >>> manifest = Manifest(rows * 4, "train.csv")
    >>> model, pre = fit_to(manifest, "multimodal_classifier", fusion="gated")
    >>> model.output.shape, pre.inputs["text"]
    ((None, 1), (4,))
    """
    return task_of(model).fit_to(manifest, model, **options)


def load_preprocessor(directory):
    """Read the preprocessor a bundle was saved with, whatever its task.

    Bundles written before tasks were saved by name are classifiers'.
    """
    config, vocabulary = read_config(directory)
    task = get_task(config.get("task") or "classification")
    return task.preprocessor.from_config(config, vocabulary)
