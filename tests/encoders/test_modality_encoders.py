"""Each modality's default encoder, as `multimodal_classifier` builds it.

`.ci/run` runs these on JAX too: the encoders are backend-agnostic.
"""

import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.modalities import get_modality
from keras_mm.modalities import list_modalities
from tests.helpers import forward
from tests.helpers import random_inputs

TABLE = [
    {"name": "x", "kind": "numeric", "mean": 1.0, "variance": 2.0},
    {"name": "c", "kind": "categorical", "categories": ["a", "b"]},
]
CONFIG = zoo.config(
    "multimodal_classifier",
    image_shape=(16, 16, 3),
    audio_length=800,
    vocabulary_size=30,
    sequence_length=6,
    hidden_dim=8,
    modality_config={
        "tabular": {"features": TABLE},
        "video": {"shape": [4, 16, 16, 3]},
    },
)


@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("name", list_modalities())
def test_the_default_encoder_reads_its_input(name, sequence):
    encoder = get_modality(name).encoder(CONFIG, sequence)
    assert [x.name for x in encoder.inputs] == [name]
    inputs = random_inputs(encoder, batch_size=2)[name]
    features = np.asarray(forward(encoder, inputs))
    # Vectors, or token sequences for the fusions that take them.
    assert features.ndim == (3 if sequence else 2)
    assert features.shape[0] == 2 and np.all(np.isfinite(features))
