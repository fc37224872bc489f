"""Every `>>>` example in keras_mm's docstrings runs and prints as shown."""

import doctest
import importlib
import pkgutil

import keras
import numpy as np
import pytest

import keras_mm

# Model code is Keras-only: its examples also run on JAX (see .ci/run).
BACKEND_NEUTRAL = (
    "keras_mm.encoders",
    "keras_mm.fusion",
    "keras_mm.heads",
    "keras_mm.zoo",
)
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(keras_mm.__path__, "keras_mm.")
    if not info.name.endswith("__main__")
    and (
        keras.backend.backend() == "tensorflow"
        or info.name.startswith(BACKEND_NEUTRAL)
    )
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    # The examples use the module's own names, `np` and `keras`.
    globs = {**vars(module), "np": np, "keras": keras}
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    for test in finder.find(module, name, globs=globs):
        # Only the module's own objects, not the names it imports.
        if test.filename == module.__file__:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring examples failed"
