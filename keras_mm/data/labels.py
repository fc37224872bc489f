import re

import numpy as np

from keras_mm.data.manifest import ManifestError

SEPARATOR = "|"
INTEGER = re.compile(r"-?[0-9]+")


def _values(label, multi_label):
    return label.split(SEPARATOR) if multi_label else [label]


def learn_class_names(manifest, multi_label=False):
    """Return the sorted class names of a manifest's `label` column.

    Integer labels sort numerically, names alphabetically. Multi-label rows
    separate their labels with `|`.
    """
    names = {
        value.strip()
        for label in manifest.column("label")
        for value in _values(label, multi_label)
    }
    if len(names) < 2:
        raise ManifestError(
            f"Manifest {manifest.path} has {len(names)} distinct label(s); "
            "a classifier needs at least 2."
        )
    for name in names:
        if name.isdigit() and not name.isascii():
            # "²" passes `isdigit` but not `int`: a typo, or a symbol?
            row = next(
                i
                for i, label in enumerate(manifest.column("label"))
                if name in map(str.strip, _values(label, multi_label))
            )
            raise ManifestError(
                f"{manifest.where(row)}: label '{name}' is written with "
                "digit characters other than 0-9; write the number with "
                "0-9, or use a name for the class."
            )
    if all(INTEGER.fullmatch(name) for name in names):
        return sorted(names, key=int)
    return sorted(names)


def encode_labels(manifest, class_names, multi_label=False):
    """Map a manifest's labels to training targets.

    Returns:
        float32 `(rows, 1)` for two classes, int32 `(rows,)` class ids for
        more, or float32 multi-hot `(rows, classes)` for multi-label.
    """
    index = {name: i for i, name in enumerate(class_names)}
    targets = np.zeros((len(manifest), len(class_names)), "float32")
    ids = np.zeros((len(manifest),), "int32")
    for row, label in enumerate(manifest.column("label")):
        for value in _values(label, multi_label):
            if value.strip() not in index:
                raise ManifestError(
                    f"{manifest.where(row)}: unknown label '{value}'. "
                    f"Known labels: {class_names}"
                )
            ids[row] = index[value.strip()]
            targets[row, ids[row]] = 1.0
    if multi_label:
        return targets
    if len(class_names) == 2:
        return ids[:, None].astype("float32")
    return ids
