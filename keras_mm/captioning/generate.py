import keras_hub
from keras import ops

from keras_mm.zoo.captioner import Captioner

SAMPLERS = {
    "greedy": lambda: keras_hub.samplers.GreedySampler(),
    "beam": lambda: keras_hub.samplers.BeamSampler(num_beams=4),
    "top_k": lambda: keras_hub.samplers.TopKSampler(k=5, seed=0),
}


def get_sampler(sampler):
    """A keras-hub sampler from a name in `SAMPLERS` or an instance."""
    if isinstance(sampler, keras_hub.samplers.Sampler):
        return sampler
    if sampler not in SAMPLERS:
        raise ValueError(
            f"Unknown sampler '{sampler}'. Available: {', '.join(SAMPLERS)}"
        )
    return SAMPLERS[sampler]()


def check_captioner(model):
    """Raise a `ValueError` unless `model` is a zoo `Captioner`."""
    if not isinstance(model, Captioner):
        raise ValueError(
            f"Model '{model.name}' is not a captioner: expected a "
            "`keras_mm.zoo.Captioner` (a zoo captioner, built or loaded). "
            f"Received: {type(model).__name__}"
        )


def generate(model, inputs, start_id, end_id, sampler="greedy", cached=True):
    """Generate caption token ids for a batch of images (and audio clips).

    Args:
        model: a zoo `Captioner`, built or loaded.
        inputs: float tensor `(batch, height, width, channels)` of images,
            or a dict of the model's inputs other than `"tokens"`:
            `{"image": ...}`, plus `"audio"` for a captioner built with
            audio.
        start_id: int. The `[START]` token id.
        end_id: int. The `[END]` token id; a sequence stops there.
        sampler: str or `keras_hub.samplers.Sampler`. `"greedy"`,
            `"beam"` or `"top_k"`.
        cached: bool. Reuse each step's state (the default) instead of
            recomputing the whole prefix at every step.

    Returns:
        Int32 ids `(batch, sequence_length + 1)`: `[START]`, the generated
        tokens, then anything after `[END]`, which callers ignore.

    Example:
    >>> from keras_mm.zoo import TransformerCaptioner
    >>> model = TransformerCaptioner(
    ...     vocabulary_size=20, sequence_length=6, image_shape=(16, 16, 1)
    ... )
    >>> images = np.zeros((2, 16, 16, 1))
    >>> ids = generate(model, images, start_id=2, end_id=3, sampler="beam")
    >>> keras.ops.shape(ids)
    (2, 7)
    """
    check_captioner(model)
    if not isinstance(inputs, dict) and len(model.conditioning_inputs) == 1:
        inputs = {model.conditioning_inputs[0]: inputs}
    if sorted(inputs) != model.conditioning_inputs:
        raise ValueError(
            f"Model '{model.name}' generates from "
            f"{model.conditioning_inputs}. Received: {sorted(inputs)}"
        )
    batch = ops.shape(next(iter(inputs.values())))[0]
    prompt = ops.concatenate(
        [
            ops.full((batch, 1), start_id, "int32"),
            ops.zeros((batch, model.sequence_length), "int32"),
        ],
        axis=1,
    )
    if cached:
        next_fn, cache = model.cached_next, model.initial_cache(inputs)
    else:
        next_fn, cache = model.uncached_next, model.memory(inputs)
    return get_sampler(sampler)(
        next_fn,
        prompt,
        cache=cache,
        index=1,
        mask=ops.not_equal(prompt, 0),
        stop_token_ids=[end_id],
    )
