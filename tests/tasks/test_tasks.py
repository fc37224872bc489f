"""Registered tasks through one harness (see `run_task_test`)."""

import pathlib

import pytest

from keras_mm.tasks import get_task
from keras_mm.tasks import list_tasks
from tests.helpers import run_task_test

ROOT = pathlib.Path(__file__).parents[2]
# Tasks whose own module trains a bundle with `keras-mm train` and checks
# every step of the harness on it, and more (output rows, evaluation,
# resume, shards, each signature in a process without keras_mm): running
# the harness on them too would train and export each twice. Any other
# task, a new one included, and classification (the harness's reference)
# go through the harness.
CLI_MODULES = {
    "captioning": "tests/cli/test_caption_cli.py",
    "retrieval": "tests/cli/test_retrieval_cli.py",
    "speech_recognition": "tests/speech/test_speech_cli.py",
    "question_answering": "tests/qa/test_qa_cli.py",
    "answer_generation": "tests/qa/test_qa_cli.py",
}


@pytest.mark.parametrize(
    "name", [name for name in list_tasks() if name not in CLI_MODULES]
)
def test_task(name, tmp_path):
    run_task_test(get_task(name), tmp_path)


def test_tasks_left_to_their_cli_module_have_one():
    assert set(CLI_MODULES) <= set(list_tasks())
    for path in CLI_MODULES.values():
        assert (ROOT / path).is_file(), path
