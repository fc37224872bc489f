from keras_mm.captioning.generate import SAMPLERS
from keras_mm.captioning.generate import check_captioner
from keras_mm.captioning.generate import generate
from keras_mm.captioning.generate import get_sampler

__all__ = ["SAMPLERS", "check_captioner", "generate", "get_sampler"]
