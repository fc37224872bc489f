"""Validation error rates during training, and the blank-only failure."""

import keras
import numpy as np

from keras_mm.log import log
from keras_mm.speech.error_rates import error_rates
from keras_mm.speech.transcribe import transcripts

# Epochs of falling loss with only empty transcripts before it is reported.
BLANK_EPOCHS = 5


class TranscriptionErrors(keras.callbacks.Callback):
    """Adds `val_cer` and `val_wer` to the logs at the end of every epoch.

    The validation clips are transcribed greedily; early stopping, which
    runs after the task's callbacks, can then watch `val_cer`. When every
    validation transcript is empty for `BLANK_EPOCHS` epochs in a row
    while the loss falls, the model is stuck emitting only CTC's blank:
    this is logged, with what to try.

    Args:
        preprocessor: the `SpeechPreprocessor`.
        manifest: `Manifest`. The validation rows, with transcripts.
        batch_size: int. Clips per batch.
    """

    def __init__(self, preprocessor, manifest, batch_size=32):
        super().__init__()
        self.preprocessor = preprocessor
        self.manifest = manifest
        self.batch_size = batch_size
        self.references = manifest.column(preprocessor.transcript_column)
        self.blank_epochs = 0
        self.first_loss = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        hypotheses = transcripts(
            self.model,
            self.preprocessor,
            self.manifest,
            batch_size=self.batch_size,
        )
        logs.update(
            {
                f"val_{k}": v
                for k, v in error_rates(self.references, hypotheses).items()
            }
        )
        loss = logs.get("loss")
        self.first_loss = self.first_loss if self.first_loss else loss
        empty = not any(hypotheses)
        self.blank_epochs = self.blank_epochs + 1 if empty else 0
        if self.blank_epochs >= BLANK_EPOCHS and loss < self.first_loss:
            log(blank_only_message(self.blank_epochs, self.first_loss, loss))


def blank_only_message(epochs, first_loss, loss):
    """The warning for a model that writes only empty transcripts."""
    return (
        f"Warning: every validation transcript has been empty for {epochs} "
        f"epochs while the loss fell from {first_loss:.3f} to {loss:.3f}: "
        "the model outputs only CTC's blank. This phase is normal early "
        "on; if it lasts, train longer (--epochs), raise "
        "--learning-rate, or check that the transcripts match the audio."
    )


def share_empty(hypotheses):
    """The share of empty transcripts."""
    return float(np.mean([not h for h in hypotheses]))
