import numpy as np

from keras_mm.encoders import FrameMask
from keras_mm.speech.transcribe import window_logits


class StepReader:
    """A stand-in recognizer whose step `j` of a window outputs the first
    sample of that step: stitched windows must then count up one step at
    a time, with no step doubled or lost."""

    frame_mask = FrameMask(10, 2)

    def steps(self, lengths):
        return self.frame_mask.steps(np.asarray(lengths))

    def predict_on_batch(self, batch):
        audio = batch["audio"]
        steps = int(np.asarray(self.steps([audio.shape[1]]))[0])
        first = np.zeros((len(audio), steps, 1), np.float32)
        for j in range(steps):
            if j * 20 < audio.shape[1]:
                first[:, j, 0] = audio[:, j * 20]
        return first


def test_windows_join_without_doubled_or_lost_steps():
    model = StepReader()
    for samples in (1000, 1234, 5000, 20):
        audio = np.arange(samples, dtype=np.float32)
        logits = window_logits(model, audio, window=200, batch_size=3)
        steps = int(np.asarray(model.steps([samples]))[0])
        assert len(logits) == steps
        expected = np.arange(steps) * 20.0
        valid = expected < samples
        np.testing.assert_array_equal(logits[valid, 0], expected[valid])
