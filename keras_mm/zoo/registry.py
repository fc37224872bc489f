import inspect

from keras_mm import catalog
from keras_mm.zoo.ctc_speech_recognizer import CTCSpeechRecognizer
from keras_mm.zoo.dual_encoder import dual_encoder
from keras_mm.zoo.multimodal_classifier import multimodal_classifier
from keras_mm.zoo.seed000_concat import seed000_concat
from keras_mm.zoo.seed001_mmlm import seed001_mmlm
from keras_mm.zoo.seed001_mmlm_captioner import MMLMCaptioner
from keras_mm.zoo.seed004_attention import seed004_attention
from keras_mm.zoo.transformer_captioner import TransformerCaptioner
from keras_mm.zoo.vqa_classifier import vqa_classifier
from keras_mm.zoo.vqa_generator import VQAGenerator

# name: (builder, default overrides), one line per zoo entry. A
# captioner's builder is a `Captioner` class, which also decodes. The
# entry's task (see `keras_mm.tasks`: it trains, evaluates and exports the
# model) and description are its line in `keras_mm.catalog.MODELS`, which
# `keras-mm list` reads without TensorFlow.
MODELS = {
    "seed000_concat": (seed000_concat, {}),
    "seed001_mmlm": (seed001_mmlm, {}),
    "seed004_attention": (seed004_attention, {}),
    "multimodal_classifier": (multimodal_classifier, {}),
    "seed001_mmlm_captioner": (MMLMCaptioner, {}),
    "transformer_captioner": (TransformerCaptioner, {}),
    "dual_encoder": (dual_encoder, {}),
    "ctc_speech_recognizer": (CTCSpeechRecognizer, {}),
    "vqa_classifier": (vqa_classifier, {}),
    "vqa_generator": (VQAGenerator, {}),
}


def list_models(task=None):
    """Return the zoo's model names, in registry order.

    Args:
        task: str or None. Only models for this task.
    """
    tasks = sorted({model_task(name) for name in MODELS})
    if task is not None and task not in tasks:
        raise ValueError(f"Unknown task '{task}'. Tasks: {', '.join(tasks)}")
    return [name for name in MODELS if task in (None, model_task(name))]


def model_task(name):
    """Return the task of a zoo model: a name in `keras_mm.tasks`."""
    _entry(name)
    return catalog.MODELS[name][0]


def _entry(name):
    if name not in MODELS:
        raise ValueError(
            f"Unknown model '{name}'. Available models: {', '.join(MODELS)}"
        )
    return MODELS[name]


def describe(name):
    """Return a zoo model's one-line description (its docstring's first)."""
    _entry(name)
    return catalog.MODELS[name][1]


def config(name, **overrides):
    """Return a zoo model's full build config with `overrides` applied.

    Args:
        name: str. A name from `list_models()`.
        **overrides: Builder arguments to change.

    Returns:
        A dict of every builder argument and its value.
    """
    builder, defaults = _entry(name)
    params = {
        key: param
        for key, param in inspect.signature(builder).parameters.items()
        if param.kind is not param.VAR_KEYWORD
    }
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise ValueError(
            f"Model '{name}' has no argument(s) {unknown}. "
            f"Its arguments: {sorted(params)}"
        )
    merged = {key: param.default for key, param in params.items()}
    merged.update(defaults)
    merged.update(overrides)
    return merged


def build(name, **overrides):
    """Build a zoo model by name.

    Args:
        name: str. A name from `list_models()`.
        **overrides: Builder arguments replacing the defaults.

    Returns:
        A `keras.Model` taking a dict of inputs keyed by modality.

    Example:
    >>> model = build("seed004_attention", num_classes=3)
    >>> sorted(model.input.keys())
    ['audio', 'image', 'text']
    """
    return _entry(name)[0](**config(name, **overrides))
