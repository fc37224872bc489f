"""Tasks: classification, captioning, retrieval, speech recognition,
question answering (answers chosen or written), and how to add one.

A task knows what its models learn from a manifest: it sizes a zoo model
to the training rows, trains it with its loss and metrics, evaluates,
predicts and writes the SavedModel signatures of its bundles. The command
line and the bundle code look tasks up by name and call them.
"""

from keras_mm.tasks.registry import fit_to
from keras_mm.tasks.registry import get_task
from keras_mm.tasks.registry import list_tasks
from keras_mm.tasks.registry import load_preprocessor
from keras_mm.tasks.registry import register_task
from keras_mm.tasks.registry import task_of
from keras_mm.tasks.task import Task

__all__ = [
    "Task",
    "fit_to",
    "get_task",
    "list_tasks",
    "load_preprocessor",
    "register_task",
    "task_of",
]
