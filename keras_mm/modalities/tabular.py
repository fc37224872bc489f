"""The `tabular` modality: numeric and categorical manifest columns.

`--features age,breed,weight` (`features=[...]` in Python) names the
columns. A column whose training cells are all numbers is numeric (its
mean and variance standardize it), any other is categorical (its
training values, most frequent first, are its categories); `age:categorical`
or `code:numeric` chooses. An empty cell is a missing value, which the
encoder marks with a learned vector of its own. The model takes one
float32 row `(columns,)`: numbers (NaN where missing) and category ids
(`StringLookup`: 0 missing, 1 unseen, then the categories); the
SavedModel takes the raw cells as strings.
"""

import collections
import math

import keras
import numpy as np
import tensorflow as tf

from keras_mm.data.manifest import ManifestError
from keras_mm.encoders import tabular_encoder
from keras_mm.modalities.modality import Modality
from keras_mm.modalities.modality import Reader

KINDS = ("numeric", "categorical")
MAX_CATEGORIES = 1000


class TabularReader(Reader):
    """Table cells to a float32 row; raw strings for the SavedModel."""

    def __init__(self, modality, shape, settings):
        super().__init__(modality, shape, settings)
        self.features = settings["features"]
        self.lookups = [
            _lookup(f) if f["kind"] == "categorical" else None
            for f in self.features
        ]

    def check(self, manifest, allow_empty=False):
        self.cells(manifest)

    def cells(self, manifest, allow_empty=False):
        columns = []
        for feature, lookup in zip(self.features, self.lookups):
            values = manifest.column(feature["name"], allow_empty=True)
            if lookup is None:
                columns.append(_numbers(manifest, feature["name"], values))
            else:
                ids = lookup(np.array(values, dtype=object))
                columns.append(keras.ops.convert_to_numpy(ids))
        return np.stack(columns, axis=1).astype("float32")

    def empty(self, num_rows):
        row = [np.nan if lookup is None else 0.0 for lookup in self.lookups]
        return np.tile(np.array(row, "float32"), (num_rows, 1))

    def present(self, cells):
        # A row lacks the table when every one of its cells is missing.
        given = [
            ~np.isnan(cells[:, i]) if lookup is None else cells[:, i] != 0
            for i, lookup in enumerate(self.lookups)
        ]
        return list(np.any(given, axis=0))

    def serving(self):
        spec = tf.TensorSpec((None, len(self.features)), "string", "tabular")

        def transform(cells):
            columns = []
            for i, lookup in enumerate(self.lookups):
                column = tf.strings.strip(cells[:, i])
                if lookup is None:
                    column = tf.strings.to_number(
                        tf.where(column == "", "nan", column)
                    )
                else:
                    column = tf.cast(lookup(column), "float32")
                columns.append(column)
            return tf.stack(columns, axis=1)

        return spec, transform, [lookup for lookup in self.lookups if lookup]

    def serving_values(self, manifest, model_input):
        columns = [
            manifest.column(f["name"], allow_empty=True) for f in self.features
        ]
        rows = [[cell.encode() for cell in row] for row in zip(*columns)]
        return np.array(rows, dtype=object).reshape(-1, len(columns))


class TabularModality(Modality):
    """Columns named by `features`, encoded by `tabular_encoder`.

    Example:
    >>> from keras_mm.data import Manifest
    >>> rows = [{"age": "3", "pet": "cat"}, {"age": "", "pet": "dog"}]
    >>> overrides, _ = TABULAR.size(
    ...     Manifest(rows, "pets.csv"), {}, {"features": ["age", "pet"]}
    ... )
    >>> [f["kind"] for f in overrides["modality_config"]["tabular"]["features"]]
    ['numeric', 'categorical']
    """

    name = "tabular"
    options = ("features",)
    column = False
    reader_class = TabularReader

    def found(self, manifest, options):
        return bool(options.get("features"))

    def size(self, manifest, config, options):
        features = [
            _feature(manifest, *_parse(name))
            for name in _names(options["features"])
        ]
        modality_config = dict(config.get("modality_config") or {})
        modality_config["tabular"] = {"features": features}
        return {"modality_config": modality_config}, {}

    def encoder(self, config, sequence):
        return tabular_encoder(
            config["modality_config"]["tabular"]["features"],
            hidden_dim=config["hidden_dim"],
            sequence=sequence,
        )


def _names(features):
    """`features` as a list of names: a list, or a comma-separated str."""
    if isinstance(features, str):
        features = features.split(",")
    names = [name.strip() for name in features]
    if not all(names) or len(set(names)) != len(names):
        raise ValueError(
            "Expected --features to name distinct columns, separated by "
            f"commas. Received: {','.join(names)}"
        )
    return names


def _parse(name):
    """`(column, kind or None)` of `age` or `age:categorical`."""
    column, _, kind = name.rpartition(":")
    if column and kind in KINDS:
        return column, kind
    return name, None


def _feature(manifest, name, kind):
    if name not in manifest.columns:
        raise ManifestError(
            f'--features names "{name}", but manifest {manifest.path} has '
            f"no such column. Columns found: {sorted(manifest.columns)}"
        )
    values = [v for v in manifest.column(name, allow_empty=True) if v]
    if not values:
        raise ManifestError(
            f'Manifest {manifest.path}: the "{name}" column named by '
            "--features is empty in every row."
        )
    if kind is None:
        kind = "numeric" if all(map(_is_number, values)) else "categorical"
    if kind == "categorical":
        counts = collections.Counter(values).most_common(MAX_CATEGORIES)
        categories = sorted(counts, key=lambda c: (-c[1], c[0]))
        return {
            "name": name,
            "kind": kind,
            "categories": [c for c, _ in categories],
        }
    numbers = _numbers(manifest, name, manifest.column(name, allow_empty=True))
    return {
        "name": name,
        "kind": kind,
        "mean": float(np.nanmean(numbers)),
        "variance": float(np.nanvar(numbers)),
    }


def _is_number(value):
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _numbers(manifest, name, values):
    """Float32 values of a numeric column, NaN where a cell is empty."""
    numbers = np.full(len(values), np.nan, "float32")
    for row, value in enumerate(values):
        if not value:
            continue
        if not _is_number(value):
            raise ManifestError(
                f'{manifest.where(row)}: the "{name}" cell "{value}" is not '
                "a number, and the column is numeric (its training cells "
                f"were); give a number, leave it empty, or train with "
                f"--features {name}:categorical."
            )
        numbers[row] = float(value)
    return numbers


def _lookup(feature):
    # "" (missing) is the mask token, id 0; unseen values are id 1.
    lookup = keras.layers.StringLookup(
        vocabulary=feature["categories"], mask_token="", num_oov_indices=1
    )
    lookup.build((None,))  # An export tracks only built layers.
    return lookup


TABULAR = TabularModality()
