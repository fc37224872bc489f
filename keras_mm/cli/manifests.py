import pathlib
import sys

from keras_mm.data import Manifest
from keras_mm.data import demo_manifest
from keras_mm.data.demo import TASKS


def log(message):
    print(message, file=sys.stderr, flush=True)


def read_manifest(spec, default_demo="factorial"):
    """Read the manifest `spec` names: a file, `demo` or `demo:TASK`.

    An existing file wins over the demo names; plain `demo` is the demo
    task `default_demo`.
    """
    name, _, task = spec.partition(":")
    if name != "demo" or pathlib.Path(spec).exists():
        return Manifest.read(spec)
    task = task or default_demo
    if task not in TASKS:
        raise ValueError(
            f"Unknown demo data '{spec}'. Available: "
            + ", ".join(f"demo:{t}" for t in TASKS)
        )
    log(f"Preparing the demo dataset '{task}' (generated once, then cached)...")
    return Manifest.read(demo_manifest(task=task))
