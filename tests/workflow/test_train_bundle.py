import dataclasses
import inspect

import pytest

from keras_mm.cli.parser import build_parser
from keras_mm.workflow import TrainingOptions
from keras_mm.workflow import train_bundle


def test_every_train_flag_is_an_argument_of_the_python_call():
    # `keras-mm train` only maps its flags onto `train_bundle`.
    args = build_parser().parse_args(["train", "--model", "m", "--out", "o"])
    cli_only = {"func", "command", "local_processes"}
    flags = set(vars(args)) - cli_only
    fields = {field.name for field in dataclasses.fields(TrainingOptions)}
    assert flags == fields
    assert set(inspect.signature(train_bundle).parameters) == fields
    for field in dataclasses.fields(TrainingOptions):
        if field.default is not dataclasses.MISSING:
            assert getattr(args, field.name) == field.default, field.name


@pytest.mark.parametrize(
    "option, message",
    [
        ({"cache_mb": -5}, "--cache-mb must be a finite number"),
        ({"epochs": 0}, "--epochs must be at least 1"),
        ({"learning_rate": float("nan")}, "--learning-rate must be"),
        ({"num_processes": 2}, "go together"),
        ({"freeze": True}, "--freeze needs --init-from"),
    ],
)
def test_bad_options_stop_before_any_work(option, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        train_bundle("seed000_concat", tmp_path / "out", **option)
    assert list(tmp_path.iterdir()) == []
