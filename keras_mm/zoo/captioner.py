import keras


class Captioner(keras.Model):
    """Base of the zoo's captioners: a functional model that decodes itself.

    As in keras-hub's `CausalLM`, a captioner builds its functional graph
    in its constructor, keeps the layers generation needs as attributes,
    and implements the next-token functions keras-hub samplers call
    (`keras_mm.captioning.generate` drives them):

    - `memory(inputs)`: what the conditioning inputs give every step;
    - `initial_cache(inputs)`: the cache before the first token;
    - `cached_next(prompt, cache, index)`: `(logits, None, cache)` for
      position `index` from token `index - 1` and the cache;
    - `uncached_next(prompt, memory, index)`: the same from the whole
      prefix, which exists to check and measure the cache.

    Subclasses pass their inputs (with `"tokens"`) and next-token logits
    to `super().__init__`, then their constructor arguments
    (`constructor_arguments(locals())`), which `get_config` returns.
    """

    def __init__(self, inputs, outputs, arguments, **kwargs):
        super().__init__(inputs, outputs, **kwargs)
        self.arguments = dict(arguments)

    @property
    def conditioning_inputs(self):
        """The input names generation reads: every one but `"tokens"`."""
        return sorted(set(self.input) - {"tokens"})

    @property
    def sequence_length(self):
        """Caption tokens the decoder reads."""
        return self.input["tokens"].shape[1]

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            **self.arguments,
        }


def constructor_arguments(local_variables):
    """A constructor's arguments, from `locals()` at its start."""
    return {
        key: value
        for key, value in local_variables.items()
        if key not in ("self", "kwargs", "__class__")
    }
