import keras
import numpy as np

from keras_mm.training.early_stopping import EarlyStopping


def run(history, patience=2):
    """Feed `(val_accuracy, val_loss)` per epoch; return the callback.

    The model's one weight is the epoch number, so the restored weight
    says which epoch was kept.
    """
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    stopping = EarlyStopping(
        "val_accuracy", patience=patience, mode="max", restore_best_weights=True
    )
    model.stop_training = False
    stopping.set_model(model)
    stopping.on_train_begin()
    for epoch, (accuracy, loss) in enumerate(history):
        model.set_weights([np.full((1, 1), epoch), np.zeros(1)])
        logs = {"val_accuracy": accuracy, "val_loss": loss}
        stopping.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    stopping.on_train_end()
    return stopping, int(model.get_weights()[0][0, 0])


def test_it_waits_while_the_loss_improves():
    # A lucky early accuracy, then a plateau below it while the loss
    # falls, then a better accuracy: Keras' callback stops at epoch 2
    # and keeps epoch 0.
    history = [(0.8, 1.0), (0.6, 0.9), (0.6, 0.8), (0.7, 0.7), (0.9, 0.6)]
    stopping, kept = run(history)
    assert stopping.stopped_epoch == 0 and kept == 4


def test_it_stops_when_neither_improves():
    history = [(0.8, 1.0), (0.7, 1.1), (0.7, 1.2), (0.9, 0.5)]
    stopping, kept = run(history)
    assert stopping.stopped_epoch == 2 and kept == 0


def test_the_lower_loss_breaks_ties():
    history = [(0.9, 0.5), (0.9, 0.3), (0.9, 0.4), (0.8, 0.35)]
    stopping, kept = run(history, patience=5)
    assert kept == 1 and stopping.best_loss == 0.3
