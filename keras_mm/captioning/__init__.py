from keras_mm.captioning.generate import SAMPLERS
from keras_mm.captioning.generate import caption_steps
from keras_mm.captioning.generate import generate
from keras_mm.captioning.generate import get_sampler

__all__ = ["SAMPLERS", "caption_steps", "generate", "get_sampler"]
