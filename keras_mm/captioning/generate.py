import keras_hub
from keras import ops

from keras_mm.captioning.lstm_steps import LSTMCaptionerSteps
from keras_mm.captioning.transformer_steps import TransformerCaptionerSteps

SAMPLERS = {
    "greedy": lambda: keras_hub.samplers.GreedySampler(),
    "beam": lambda: keras_hub.samplers.BeamSampler(num_beams=4),
    "top_k": lambda: keras_hub.samplers.TopKSampler(k=5, seed=0),
}
STEPS = {
    "seed001_mmlm_captioner": LSTMCaptionerSteps,
    "transformer_captioner": TransformerCaptionerSteps,
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


def caption_steps(model):
    """The next-token functions for a zoo captioner."""
    if model.name not in STEPS:
        raise ValueError(
            f"Model '{model.name}' is not a captioner. Captioners: "
            f"{', '.join(STEPS)}"
        )
    return STEPS[model.name](model)


def generate(
    model, inputs, start_id, end_id, sampler="greedy", cached=True, steps=None
):
    """Generate caption token ids for a batch of images (and audio clips).

    Args:
        model: a zoo captioner.
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
        steps: the model's `caption_steps`, to reuse between calls.

    Returns:
        Int32 ids `(batch, sequence_length + 1)`: `[START]`, the generated
        tokens, then anything after `[END]`, which callers ignore.

    Example:
    >>> from keras_mm.zoo import transformer_captioner
    >>> model = transformer_captioner(
    ...     vocabulary_size=20, sequence_length=6, image_shape=(16, 16, 1)
    ... )
    >>> images = np.zeros((2, 16, 16, 1))
    >>> ids = generate(model, images, start_id=2, end_id=3, sampler="beam")
    >>> keras.ops.shape(ids)
    (2, 7)
    """
    steps = steps or caption_steps(model)
    if not isinstance(inputs, dict):
        inputs = {"image": inputs}
    if sorted(inputs) != sorted(steps.inputs):
        raise ValueError(
            f"Model '{model.name}' generates from {sorted(steps.inputs)}. "
            f"Received: {sorted(inputs)}"
        )
    batch = ops.shape(inputs["image"])[0]
    prompt = ops.concatenate(
        [
            ops.full((batch, 1), start_id, "int32"),
            ops.zeros((batch, steps.sequence_length), "int32"),
        ],
        axis=1,
    )
    if cached:
        next_fn, cache = steps.cached_next, steps.initial_cache(inputs)
    else:
        next_fn, cache = steps.uncached_next, steps.memory(inputs)
    return get_sampler(sampler)(
        next_fn,
        prompt,
        cache=cache,
        index=1,
        mask=ops.not_equal(prompt, 0),
        stop_token_ids=[end_id],
    )
