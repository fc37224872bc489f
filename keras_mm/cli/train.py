"""`keras-mm train`: its flags, mapped onto `train_bundle`."""

import dataclasses

from keras_mm.workflow import TrainingOptions
from keras_mm.workflow import train_bundle


def run_train(args):
    result = train_bundle(
        **{
            field.name: getattr(args, field.name)
            for field in dataclasses.fields(TrainingOptions)
        }
    )
    if result is not None:
        print(result.summary)
