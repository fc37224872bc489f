import csv
import hashlib
import io
import json
import os
import pathlib

import numpy as np

from keras_mm.modalities import is_media
from keras_mm.modalities import list_modalities


class ManifestError(ValueError):
    """Bad manifest content: names the manifest, and the row where known."""


class Manifest:
    """Rows of a CSV or JSONL manifest, with their 1-based row numbers.

    Columns are named after the modalities (`image` and `audio` hold
    file paths, `text` a text; see `keras_mm.modalities`), plus `label`
    and any columns a modality names (`--features`); others are kept but
    ignored. Relative media paths resolve against the manifest's folder.

    Args:
        rows: list of dict. One dict of column values per row.
        path: str or `pathlib.Path`. The manifest file (names it in errors
            and anchors relative paths).
        row_numbers: list of int or None. Row numbers in the file.
        lines: list of int or None. The line of each row, where rows and
            lines differ (JSONL with blank lines), for error messages.

    Example:
    >>> rows = [{"text": f"a {w} one", "label": w} for w in ["red", "blue"] * 5]
    >>> train, val = Manifest(rows, "train.csv").split(0.2, seed=0)
    >>> len(train), len(val)
    (8, 2)

    `Manifest.read("data/train.csv")` reads a CSV or JSONL file.
    """

    def __init__(self, rows, path, row_numbers=None, lines=None):
        self.rows = rows
        self.path = pathlib.Path(path)
        self.row_numbers = row_numbers or list(range(1, len(rows) + 1))
        self.lines = lines
        self.validated = set()
        # `keras_mm.data.prepared.Prepared`: the decoded media of the rows
        # of a `keras-mm prepare` folder, read instead of the files.
        self.prepared = None

    @classmethod
    def read(cls, path):
        """Read a `.csv` or `.jsonl` manifest; raise on missing or empty."""
        path = pathlib.Path(path)
        if not path.is_file():
            raise ManifestError(f"Manifest not found: {path}")
        lines = None
        if path.suffix.lower() in (".jsonl", ".json"):
            rows, lines = _read_jsonl(path)
        else:
            rows = _read_csv(path)
        if not rows:
            raise ManifestError(f"Manifest {path} has no rows.")
        return cls(rows, path, lines=lines)

    def __len__(self):
        return len(self.rows)

    @property
    def columns(self):
        return set().union(*(row.keys() for row in self.rows))

    def where(self, index):
        """Describe row `index` for error messages."""
        where = f"{self.path}, row {self.row_numbers[index]}"
        if self.lines is not None:
            where += f" (line {self.lines[index]})"
        return where

    def column(self, name, allow_empty=False):
        """Return a column's values as strings; raise if it is missing.

        Empty cells raise too, unless `allow_empty`, where they stay `""`.
        Media paths are resolved to absolute paths.
        """
        if name not in self.columns:
            raise ManifestError(
                f'Manifest {self.path} has no "{name}" column. '
                f"Columns found: {sorted(self.columns)}"
            )
        values, media = [], is_media(name)
        for index, row in enumerate(self.rows):
            value = row.get(name)
            if isinstance(value, (list, dict)):
                kind = "array" if isinstance(value, list) else "object"
                raise ManifestError(
                    f'{self.where(index)}: the "{name}" field is a JSON '
                    f"{kind}; expected a string or a number."
                )
            value = "" if value is None else str(value).strip()
            if not value and not allow_empty:
                raise ManifestError(
                    f'{self.where(index)}: the "{name}" cell is empty.'
                )
            if value and media:
                value = str((self.path.parent / value).absolute())
            values.append(value)
        return values

    def fingerprint(self):
        """A digest of each row's cells and of its media files' stats.

        `--resume` compares it with the interrupted run's, so a changed
        label, path or file (its size or modification time) is noticed.

        Returns:
            A dict of lists, one entry per row: `"rows"` (row numbers),
            `"cells"` and `"files"` (short hex digests).
        """
        columns = self.columns
        media = [n for n in list_modalities() if n in columns and is_media(n)]
        columns = [self.column(name, allow_empty=True) for name in media]
        paths = list(zip(*columns)) if media else [()] * len(self)
        cells, files = [], []
        for row, row_paths in zip(self.rows, paths):
            cells.append(_digest(json.dumps(row, sort_keys=True, default=str)))
            files.append(_digest(" ".join(map(_file_stat, row_paths))))
        return {"rows": self.row_numbers, "cells": cells, "files": files}

    def subset(self, indices):
        subset = Manifest(
            [self.rows[i] for i in indices],
            self.path,
            [self.row_numbers[i] for i in indices],
            None if self.lines is None else [self.lines[i] for i in indices],
        )
        # Its rows' files passed the checks their columns passed here.
        subset.validated = set(self.validated)
        if self.prepared is not None:
            subset.prepared = self.prepared
        return subset

    def split(self, fraction, seed=0):
        """Split into `(train, validation)`, holding out `fraction` of rows.

        Rows are shuffled with `seed`; when there is a `label` column every
        label keeps the same share in both parts where it can.
        """
        rng = np.random.default_rng(seed)
        labels = [str(row.get("label", "")) for row in self.rows]
        held_out = []
        for label in sorted(set(labels)):
            members = [i for i, value in enumerate(labels) if value == label]
            rng.shuffle(members)
            held_out += members[: int(round(len(members) * fraction))]
        if not held_out or len(held_out) == len(self):
            raise ManifestError(
                f"Manifest {self.path} has too few rows ({len(self)}) to hold "
                f"out {fraction:.0%} for validation; pass a validation "
                "manifest instead."
            )
        held = set(held_out)
        train = [i for i in range(len(self)) if i not in held]
        return self.subset(train), self.subset(sorted(held_out))


def _digest(text):
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _file_stat(path):
    if not path:
        return "-"
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _text(path):
    """The manifest's text; a UTF-8 byte-order mark is dropped."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ManifestError(
            f"{path}, line {line}: byte 0x{data[e.start]:02x} is not UTF-8; "
            "save the manifest as UTF-8."
        ) from None


def _read_csv(path):
    lines = io.StringIO(_text(path), newline="")
    # csv.reader counts physical lines: a quoted cell may span several.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        header = [name.strip() for name in header]
        duplicates = sorted({n for n in header if header.count(n) > 1})
        if duplicates:
            raise ManifestError(
                f"{path}, header: duplicate column name(s) {duplicates}."
            )
        rows = []
        row_number, first = 0, reader.line_num + 1
        for fields in reader:
            lines_read = f"line {first}"
            if reader.line_num > first:
                lines_read = f"lines {first}-{reader.line_num}"
            first = reader.line_num + 1
            if not fields:
                continue
            row_number += 1
            if len(fields) != len(header):
                raise ManifestError(
                    f"{path}, row {row_number} ({lines_read}): "
                    f"{len(fields)} fields, but the header has "
                    f'{len(header)}; is a quote (") or a comma missing '
                    "or extra?"
                )
            rows.append(dict(zip(header, fields)))
    except csv.Error as e:
        raise ManifestError(
            f"{path}, row {row_number + 1} (from line {first}): {e}; is a "
            'quote (") unbalanced?'
        ) from None
    return rows


def _read_jsonl(path):
    """`(rows, lines)`: the objects of a JSONL file and their lines."""
    rows, lines = [], []
    for line_number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as e:
            raise ManifestError(
                f"{path}, line {line_number}: invalid JSON ({e.msg})."
            ) from None
        except KeyError as e:
            raise ManifestError(
                f'{path}, line {line_number}: the key "{e.args[0]}" appears '
                "more than once; each field must be given once."
            ) from None
        if not isinstance(row, dict):
            raise ManifestError(
                f"{path}, line {line_number}: expected a JSON object. "
                f"Received: {type(row).__name__}"
            )
        rows.append(row)
        lines.append(line_number)
    return rows, lines


def _unique_keys(pairs):
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise KeyError(key)
    return dict(pairs)
