"""Every registered task through one harness (see `run_task_test`)."""

import pytest

from keras_mm.tasks import get_task
from keras_mm.tasks import list_tasks
from tests.helpers import run_task_test


@pytest.mark.parametrize("name", list_tasks())
def test_task(name, tmp_path):
    run_task_test(get_task(name), tmp_path)
