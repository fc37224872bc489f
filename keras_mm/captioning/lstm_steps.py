import keras
from keras import ops


class LSTMCaptionerSteps:
    """Next-token functions for `seed001_mmlm_captioner`, for the samplers.

    The conditioning inputs are the image, and the audio clip if the model
    takes one: a dict with every model input but `"tokens"`. Their fused
    vector starts the LSTM and joins every step's input. The cache is the
    LSTM state `(batch, 2, units)` (`h` and `c`) and the fused vector
    `(batch, embedding_dim)`: a cached step feeds token `index - 1` through
    one LSTM cell step. The uncached version reruns the LSTM over the whole
    prefix from the initial state at every step.

    Args:
        model: a `seed001_mmlm_captioner` model (built or loaded).
    """

    def __init__(self, model):
        self.inputs = sorted(set(model.input) - {"tokens"})
        self.conditioning = keras.Model(
            {name: model.input[name] for name in self.inputs},
            [
                model.get_layer(name).output
                for name in ("fusion", "initial_h", "initial_c")
            ],
        )
        self.embedding = model.get_layer("token_embedding")
        self.lstm = model.get_layer("lstm")
        self.logits = model.get_layer("logits")
        self.sequence_length = model.input["tokens"].shape[1]

    def memory(self, inputs):
        """The fused vector and the LSTM's initial `h` and `c`.

        Shapes `(batch, embedding_dim)`, `(batch, units)`, `(batch, units)`.
        """
        return tuple(self.conditioning(inputs))

    def initial_cache(self, inputs):
        fused, h, c = self.memory(inputs)
        return ops.stack([h, c], axis=1), fused

    def cached_next(self, prompt, cache, index):
        state, fused = cache
        batch = ops.shape(prompt)[0]
        token = ops.slice(prompt, [0, index - 1], [batch, 1])
        x = ops.concatenate([self.embedding(token)[:, 0], fused], axis=-1)
        output, (h, c) = self.lstm.cell(x, [state[:, 0], state[:, 1]])
        return self.logits(output), None, (ops.stack([h, c], axis=1), fused)

    def uncached_next(self, prompt, memory, index):
        fused, h, c = memory
        x = self.embedding(prompt[:, : self.sequence_length])
        repeated = ops.repeat(fused[:, None], self.sequence_length, axis=1)
        x = ops.concatenate([x, repeated], axis=-1)
        outputs = self.lstm(x, initial_state=[h, c])
        logits = self.logits(outputs)
        return ops.take(logits, index - 1, axis=1), None, memory
