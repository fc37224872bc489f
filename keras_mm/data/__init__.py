"""Data: manifests (CSV/JSONL) to `tf.data` pipelines of named inputs."""

from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.classifier_preprocessor import ClassifierPreprocessor
from keras_mm.data.demo import demo_classes
from keras_mm.data.demo import demo_datasets
from keras_mm.data.demo import demo_manifest
from keras_mm.data.demo import make_demo_dataset
from keras_mm.data.labels import encode_labels
from keras_mm.data.labels import learn_class_names
from keras_mm.data.manifest import Manifest
from keras_mm.data.manifest import ManifestError
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.data.retrieval_preprocessor import RetrievalPreprocessor
from keras_mm.data.text import build_vocabulary

__all__ = [
    "CaptionPreprocessor",
    "ClassifierPreprocessor",
    "DEFAULT_SAMPLE_RATE",
    "Manifest",
    "ManifestError",
    "Preprocessor",
    "RetrievalPreprocessor",
    "build_vocabulary",
    "demo_classes",
    "demo_manifest",
    "demo_datasets",
    "encode_labels",
    "learn_class_names",
    "make_demo_dataset",
]
