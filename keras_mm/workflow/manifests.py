import pathlib

from keras_mm.data import Manifest
from keras_mm.data import demo_manifest
from keras_mm.data.demo import DATASETS
from keras_mm.data.prepared import is_prepared
from keras_mm.data.prepared import read_prepared
from keras_mm.log import log


def read_manifest(spec, default_demo="factorial"):
    """Read the manifest `spec` names: a file, `demo` or `demo:DATASET`.

    An existing file wins over the demo names; plain `demo` is the demo
    dataset `default_demo`. A folder written by `keras-mm prepare` (on
    any file system `tf.io.gfile` reads) is its prepared manifest.
    """
    if is_prepared(spec):
        return read_prepared(spec)
    if pathlib.Path(spec).is_dir():
        raise ValueError(
            f"--data {spec} is a folder without prepared.json: pass a "
            "manifest file, or a folder written by `keras-mm prepare`."
        )
    name, _, dataset = spec.partition(":")
    if name != "demo" or pathlib.Path(spec).exists():
        return Manifest.read(spec)
    dataset = dataset or default_demo
    if dataset not in DATASETS:
        raise ValueError(
            f"Unknown demo data '{spec}'. Available: "
            + ", ".join(f"demo:{d}" for d in DATASETS)
        )
    log(
        f"Preparing the demo dataset '{dataset}' (generated once, then "
        "cached)..."
    )
    return Manifest.read(demo_manifest(dataset=dataset))
