"""Prepared data: a manifest's media decoded once, in sharded TFRecords.

`keras-mm prepare` writes a folder that `--data` takes in place of a
manifest. It holds `manifest.jsonl` (the rows, media paths made
absolute), `prepared.json` (the media shapes, the sampling rate and the
shard files) and `media-NNNNN-of-NNNNN.tfrecord` shards: one
`tf.train.Example` per row, in row order, each media column a float32
byte string. Media of any length (a speech recognizer's clips) go to
raw shards with an index instead (see `prepared_clips`). Cells (text,
labels) are read from `manifest.jsonl`; only the decoding of images and
audio is skipped. Folders are read with
`tf.io.gfile`, so they can live on any file system TensorFlow reads.
"""

import json
import posixpath

import numpy as np
import tensorflow as tf

from keras_mm.data.manifest import Manifest
from keras_mm.data.manifest import ManifestError
from keras_mm.data.prepared_clips import write_clips
from keras_mm.data.preprocessor import spec_bytes
from keras_mm.data.preprocessor import unless_absent
from keras_mm.log import log

INFO_FILE = "prepared.json"
MANIFEST_FILE = "manifest.jsonl"
FORMAT = 2
SHARD_MB = 128


def is_prepared(path):
    """Whether `path` is a folder written by `keras-mm prepare`."""
    return tf.io.gfile.exists(posixpath.join(str(path), INFO_FILE))


def write_prepared(preprocessor, manifest, directory, shard_mb=SHARD_MB):
    """Decode the media a preprocessor reads and write them to `directory`.

    Args:
        preprocessor: `keras_mm.data.Preprocessor`. Sets the media shapes
            (image size, audio length, sampling rate).
        manifest: `Manifest`. The rows; a bad media cell raises a
            `ManifestError` naming its row, as training would.
        directory: `pathlib.Path`. An existing, empty folder.
        shard_mb: float. About this many MB of media per shard.

    Returns:
        The number of shards written.
    """
    media = preprocessor.media()
    for reader in preprocessor.readers:
        if reader.name in media:
            reader.check(manifest, allow_empty=True)
    cells = {
        reader.name: reader.cells(manifest, allow_empty=True)
        for reader in preprocessor.readers
        if reader.name in media
    }

    def decode(row):
        return {
            name: unless_absent(row[name], load, shape)
            for name, (shape, load) in media.items()
        }

    rows = tf.data.Dataset.from_tensor_slices(cells)
    decoded = rows.map(decode, tf.data.AUTOTUNE, deterministic=True)
    info = {
        "format": FORMAT,
        "rows": len(manifest),
        "source": str(manifest.path),
        "media": preprocessor.media_identity(),
    }
    if any(None in shape for shape, _ in media.values()):
        info["shards"], info["shard_bytes"], info["clips"] = write_clips(
            decoded.as_numpy_iterator(),
            list(media),
            directory,
            shard_mb,
            len(manifest),
        )
    else:
        info["shards"] = _write_records(decoded, directory, shard_mb)
    with open(directory / MANIFEST_FILE, "w") as f:
        for index, row in enumerate(manifest.rows):
            row = {**row, **{name: cells[name][index] for name in media}}
            f.write(json.dumps(row) + "\n")
    (directory / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
    return len(info["shards"])


def _write_records(decoded, directory, shard_mb):
    """Fixed-shape rows to TFRecord shards; returns their file names."""
    num_rows = int(decoded.cardinality())
    row_bytes = spec_bytes(decoded.element_spec)
    per_shard = max(1, int(shard_mb * 2**20 // row_bytes))
    num_shards = -(-num_rows // per_shard)
    names = [
        f"media-{i:05d}-of-{num_shards:05d}.tfrecord" for i in range(num_shards)
    ]
    writer = None
    for index, row in enumerate(decoded.as_numpy_iterator()):
        if index % per_shard == 0:
            if writer:
                writer.close()
            shard = index // per_shard
            writer = tf.io.TFRecordWriter(str(directory / names[shard]))
            last = min(index + per_shard, num_rows)
            log(
                f"Writing shard {shard + 1} of {num_shards} "
                f"(rows {index + 1}-{last})"
            )
        writer.write(_example(row))
    writer.close()
    return names


def _example(row):
    feature = {
        name: tf.train.Feature(
            bytes_list=tf.train.BytesList(
                value=[np.asarray(x, "<f4").tobytes()]
            )
        )
        for name, x in row.items()
    }
    return tf.train.Example(
        features=tf.train.Features(feature=feature)
    ).SerializeToString()


def read_prepared(directory):
    """The `Manifest` of a prepared folder, reading its media from shards."""
    directory = str(directory)
    with tf.io.gfile.GFile(posixpath.join(directory, INFO_FILE)) as f:
        info = json.load(f)
    if info.get("format") != FORMAT:
        raise ValueError(
            f"{directory} was prepared by another keras_mm version (format "
            f"{info.get('format')}, this one reads {FORMAT}); run "
            "`keras-mm prepare` again."
        )
    path = posixpath.join(directory, MANIFEST_FILE)
    with tf.io.gfile.GFile(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    manifest = Manifest(rows, path)
    if len(rows) != info["rows"]:
        raise ManifestError(
            f"{path} has {len(rows)} rows, but {directory} prepared "
            f"{info['rows']}; run `keras-mm prepare` again."
        )
    sizes = info.get("shard_bytes", [None] * len(info["shards"]))
    for name, size in zip(info["shards"], sizes):
        shard = posixpath.join(directory, name)
        if not tf.io.gfile.exists(shard):
            raise ValueError(
                f"{directory} lacks its shard {name}; copy the whole "
                "folder, or run `keras-mm prepare` again."
            )
        if size is not None and tf.io.gfile.stat(shard).length != size:
            raise ValueError(
                f"{shard} holds {tf.io.gfile.stat(shard).length} bytes, "
                f"but prepare wrote {size}; copy the whole folder again, "
                "or run `keras-mm prepare` again."
            )
    manifest.prepared = Prepared(directory, info)
    # Checked when they were prepared; the files need not be here.
    manifest.validated = set(info["media"])
    return manifest


class Prepared:
    """The media shards of a prepared folder (see `read_prepared`)."""

    def __init__(self, directory, info):
        self.directory = directory
        self.info = info

    def shape(self, name):
        """The prepared shape of media column `name`, or None."""
        identity = self.info["media"].get(name)
        return None if identity is None else tuple(identity["shape"])

    def rows(self, manifest):
        """Where the rows of `manifest` (this folder's, or a subset of
        them) are among the prepared rows, from 0 (NumPy int64)."""
        return np.asarray(manifest.row_numbers, np.int64) - 1

    def check(self, preprocessor):
        """Raise a `ValueError` unless `preprocessor` reads the media
        prepared here (the same shapes and sampling rate)."""
        for name, identity in preprocessor.media_identity().items():
            prepared = self.info["media"].get(name)
            if prepared != identity:
                raise ValueError(
                    f"{self.directory} was prepared with {name} "
                    f"{_describe(prepared)}; this model reads {name} "
                    f"{_describe(identity)}. Run `keras-mm prepare` again "
                    "for this model."
                )

    def media(self, manifest, preprocessor):
        """Dataset of `{column: tensor}` for the rows of `manifest`, in order.

        `manifest` is the prepared one or a subset of it in row order.

        Raises:
            ValueError: if the preprocessor reads other media than those
                prepared (another shape or sampling rate).
        """
        self.check(preprocessor)
        wanted = preprocessor.media()
        files = [
            posixpath.join(self.directory, name) for name in self.info["shards"]
        ]
        records = tf.data.TFRecordDataset(files)
        indices = self.rows(manifest)
        if len(indices) != self.info["rows"]:
            if np.any(np.diff(indices) <= 0):
                raise ValueError(
                    "A subset of prepared rows must keep their order."
                )
            keep = np.zeros(self.info["rows"], bool)
            keep[indices] = True
            records = (
                records.enumerate()
                .filter(lambda i, _: tf.gather(keep, i))
                .map(lambda _, record: record)
            )
        features = {
            name: tf.io.FixedLenFeature([], tf.string) for name in wanted
        }

        def parse(record):
            parsed = tf.io.parse_single_example(record, features)
            return {
                name: tf.reshape(
                    tf.io.decode_raw(parsed[name], tf.float32), shape
                )
                for name, (shape, _) in wanted.items()
            }

        # Known cardinality: Keras then knows the steps of an epoch, and a
        # truncated shard fails instead of ending the epoch early.
        records = records.apply(
            tf.data.experimental.assert_cardinality(len(manifest))
        )
        return records.map(parse, tf.data.AUTOTUNE, deterministic=True)


def _describe(identity):
    """`of shape (8000,) at 8000 Hz`-like words for a media identity."""
    if identity is None:
        return "not prepared"
    words = [f"of shape {tuple(identity['shape'])}"]
    words += [f"{k} {v}" for k, v in identity.items() if k != "shape"]
    return ", ".join(words)
