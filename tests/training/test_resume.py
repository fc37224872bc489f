import time

import keras
import pytest

from keras_mm.training import train
from keras_mm.training.resume import TrainingState
from keras_mm.training.resume import completed_epochs
from tests.helpers import classifier_options
from tests.helpers import compile_classifier
from tests.training.test_train import dataset
from tests.training.test_train import tiny_model


def test_backups_take_at_most_their_share_of_training(tmp_path):
    keras.utils.set_random_seed(0)
    model = tiny_model(3, augmentation=False)
    compile_classifier(model)
    data = dataset(model, 3)
    # Any epoch outlasts a billionth of a backup; none a billion backups.
    for name, max_share, backed_up in (("every", 1e9, 3), ("first", 1e-9, 1)):
        state = TrainingState(tmp_path / name, max_share=max_share)
        model.fit(data, epochs=3, callbacks=[state], verbose=0)
        assert completed_epochs(tmp_path / name) == backed_up


class FailAtSecondEpoch(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            raise RuntimeError("killed")


def test_a_failed_run_leaves_no_backup_still_writing(tmp_path, monkeypatch):
    write = TrainingState._write

    def slow_write(self, *args):
        time.sleep(1.0)
        write(self, *args)

    monkeypatch.setattr(TrainingState, "_write", slow_write)
    model = tiny_model(3, augmentation=False)
    data = dataset(model, 3)
    with pytest.raises(RuntimeError, match="killed"):
        train(
            model,
            data,
            epochs=3,
            out_dir=tmp_path,
            resumable=True,
            callbacks=[FailAtSecondEpoch()],
            verbose=0,
            loss=classifier_options(model)["loss"],
        )
    # The first epoch's backup is whole when `train` returns, not written
    # later into whatever the folder has become.
    assert completed_epochs(tmp_path) == 1
    assert (tmp_path / "state-1.npy").is_file()
