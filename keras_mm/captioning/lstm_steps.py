import keras
from keras import ops


class LSTMCaptionerSteps:
    """Next-token functions for `seed001_mmlm_captioner`, for the samplers.

    The conditioning inputs are the image, and the audio clip if the model
    takes one: a dict with every model input but `"tokens"`. The cache is
    the LSTM state `(batch, 2, units)` (`h` and `c`): a cached step feeds
    token `index - 1` through one LSTM cell step. The uncached version
    reruns the LSTM over the whole prefix from the initial state at every
    step.

    Args:
        model: a `seed001_mmlm_captioner` model (built or loaded).
    """

    def __init__(self, model):
        self.inputs = sorted(set(model.input) - {"tokens"})
        self.initial_state = keras.Model(
            {name: model.input[name] for name in self.inputs},
            [model.get_layer(n).output for n in ("initial_h", "initial_c")],
        )
        self.embedding = model.get_layer("token_embedding")
        self.lstm = model.get_layer("lstm")
        self.logits = model.get_layer("logits")
        self.sequence_length = model.input["tokens"].shape[1]

    def memory(self, inputs):
        """The LSTM's initial state `[h, c]`, each `(batch, units)`."""
        return self.initial_state(inputs)

    def initial_cache(self, inputs):
        return ops.stack(self.memory(inputs), axis=1)

    def cached_next(self, prompt, cache, index):
        batch = ops.shape(prompt)[0]
        token = ops.slice(prompt, [0, index - 1], [batch, 1])
        x = self.embedding(token)[:, 0]
        output, (h, c) = self.lstm.cell(x, [cache[:, 0], cache[:, 1]])
        return self.logits(output), None, ops.stack([h, c], axis=1)

    def uncached_next(self, prompt, memory, index):
        x = self.embedding(prompt[:, : self.sequence_length])
        outputs = self.lstm(x, initial_state=list(memory))
        logits = self.logits(outputs)
        return ops.take(logits, index - 1, axis=1), None, memory
