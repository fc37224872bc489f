"""`keras_mm.training.train` under `tf.distribute.MirroredStrategy`."""

import json
import os
import subprocess
import sys

# Two logical CPUs must be made before TensorFlow starts: a fresh process.
SCRIPT = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
import keras
import numpy as np
from keras_mm import zoo
from keras_mm.training import train

devices = [d.name for d in tf.config.list_logical_devices("CPU")]
strategy = tf.distribute.MirroredStrategy(devices)
rng = np.random.default_rng(0)
x = {"audio": rng.normal(size=(64, 400)).astype("float32")}
y = (x["audio"][:, :200].std(1) > x["audio"][:, 200:].std(1)).astype("int32")
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
with strategy.scope():
    keras.utils.set_random_seed(0)
    model = zoo.build(
        "multimodal_classifier", modalities=("audio",), audio_length=400,
        num_classes=2, hidden_dim=8,
    )
    history = train(
        model, data, data, epochs=2, verbose=0,
        loss="binary_crossentropy",
    )
# Each replica holds its own copy of every variable: they must agree.
spread = max(
    float(np.max(np.abs(np.asarray(copy) - np.asarray(copies[0]))))
    for v in model.weights
    for copies in [strategy.experimental_local_results(v.value)]
    for copy in copies
)
copies = {
    len(strategy.experimental_local_results(v.value)) for v in model.weights
}
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "copies": sorted(copies),
    "loss": history.history["loss"],
    "spread": spread,
}))
"""


def test_train_runs_in_sync_on_two_mirrored_devices():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2
    assert out["copies"] == [2]
    assert all(0 < loss < 10 for loss in out["loss"])
    assert out["spread"] == 0.0
