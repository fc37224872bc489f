"""The model zoo: named multimodal models built by `build(name)`."""

from keras_mm.zoo.assemble import assemble
from keras_mm.zoo.captioner import Captioner
from keras_mm.zoo.ctc_speech_recognizer import CTCSpeechRecognizer
from keras_mm.zoo.dual_encoder import dual_encoder
from keras_mm.zoo.multimodal_classifier import multimodal_classifier
from keras_mm.zoo.registry import build
from keras_mm.zoo.registry import config
from keras_mm.zoo.registry import describe
from keras_mm.zoo.registry import list_models
from keras_mm.zoo.registry import model_task
from keras_mm.zoo.seed000_concat import seed000_concat
from keras_mm.zoo.seed001_mmlm import seed001_mmlm
from keras_mm.zoo.seed001_mmlm_captioner import MMLMCaptioner
from keras_mm.zoo.seed004_attention import seed004_attention
from keras_mm.zoo.transformer_captioner import TransformerCaptioner
from keras_mm.zoo.vqa_classifier import vqa_classifier
from keras_mm.zoo.vqa_generator import VQAGenerator

__all__ = [
    "CTCSpeechRecognizer",
    "Captioner",
    "MMLMCaptioner",
    "TransformerCaptioner",
    "VQAGenerator",
    "assemble",
    "build",
    "config",
    "dual_encoder",
    "describe",
    "list_models",
    "model_task",
    "multimodal_classifier",
    "seed000_concat",
    "seed001_mmlm",
    "seed004_attention",
    "vqa_classifier",
]
