import numpy as np

from keras_mm.data.speech_preprocessor import SpeechPreprocessor
from keras_mm.speech.callbacks import BLANK_EPOCHS
from keras_mm.speech.callbacks import TranscriptionErrors
from keras_mm.zoo import CTCSpeechRecognizer
from tests.speech.test_speech_preprocessor import speech_manifest


def callback_writing(tmp_path, winner):
    """The callback on a model whose id `winner` wins every step."""
    manifest = speech_manifest(tmp_path, [(1.0, "go"), (0.8, "stop")])
    pre = SpeechPreprocessor([" ", "g", "o", "p", "s", "t"], 8000, 80)
    model = CTCSpeechRecognizer(
        7, 8000, num_mel_bins=16, filters=4, rnn_units=8, rnn_layers=1
    )
    kernel, bias = model.get_layer("logits").get_weights()
    bias[winner] = 100.0
    model.get_layer("logits").set_weights([kernel, bias])
    callback = TranscriptionErrors(pre, manifest)
    callback.set_model(model)
    return callback


def test_a_model_that_writes_only_blanks_is_reported(tmp_path, capsys):
    callback = callback_writing(tmp_path, 0)  # The blank.
    for epoch in range(BLANK_EPOCHS):
        logs = {"loss": 10.0 - epoch}
        callback.on_epoch_end(epoch, logs)
        assert logs["val_cer"] == 1.0 and logs["val_wer"] == 1.0
        warned = "the model outputs only CTC's blank" in capsys.readouterr().err
        assert warned == (epoch == BLANK_EPOCHS - 1)


def test_transcripts_that_are_not_empty_are_not_reported(tmp_path, capsys):
    callback = callback_writing(tmp_path, 2)  # "g" for every clip.
    for epoch in range(BLANK_EPOCHS + 1):
        logs = {"loss": 10.0 - epoch}
        callback.on_epoch_end(epoch, logs)
    assert "blank" not in capsys.readouterr().err
    assert np.isclose(logs["val_wer"], 1.0) and logs["val_cer"] < 1.0
