import keras

from keras_mm.training import compile_model
from keras_mm.training.resume import TrainingState
from keras_mm.training.resume import completed_epochs
from tests.training.test_train import dataset
from tests.training.test_train import tiny_model


def test_backups_take_at_most_their_share_of_training(tmp_path):
    keras.utils.set_random_seed(0)
    model = tiny_model(3, augmentation=False)
    compile_model(model)
    data = dataset(model, 3)
    # Any epoch outlasts a billionth of a backup; none a billion backups.
    for name, max_share, backed_up in (("every", 1e9, 3), ("first", 1e-9, 1)):
        state = TrainingState(tmp_path / name, max_share=max_share)
        model.fit(data, epochs=3, callbacks=[state], verbose=0)
        assert completed_epochs(tmp_path / name) == backed_up
