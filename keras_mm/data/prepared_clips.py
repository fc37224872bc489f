"""Prepared media of any length: raw float32 shards and a row index.

A speech recognizer reads clips in an order planned from their lengths,
so its prepared media need random access, which TFRecords do not give.
`keras-mm prepare` writes such media to `media-NNNNN-of-NNNNN.f32`
files, each row's samples after the previous row's (little-endian
float32, about `shard_mb` MB a file, then 4 zero bytes), and indexes
them in `prepared.json`: `"clips": {column: {"shard": [...], "offset":
[...], "samples": [...]}}`, one entry per row (offsets in bytes), and
`"shard_bytes"`, each file's size. `tf.data.FixedLengthRecordDataset`
then reads a row at its offset.
"""

import posixpath

import numpy as np
import tensorflow as tf

from keras_mm.log import log


def write_clips(rows, names, directory, shard_mb, num_rows):
    """Write decoded rows to raw shards in `directory`.

    Args:
        rows: iterable of `{column: NumPy array}`, in row order.
        names: list of str. The media columns.
        directory: `pathlib.Path`. An existing, empty folder.
        shard_mb: float. About this many MB of media per shard.
        num_rows: int. Rows in `rows` (for the progress lines).

    Returns:
        `(shard file names, their sizes in bytes, index)`, the index as
        in the module's doc.
    """
    limit = shard_mb * 2**20
    index = {name: {"shard": [], "offset": [], "samples": []} for name in names}
    parts, sizes, file, offset = [], [], None, 0
    for row, values in enumerate(rows):
        if file is None or offset >= limit:
            if file is not None:
                sizes.append(_close(file, offset))
            parts.append(directory / f"media-{len(parts):05d}.part")
            file, offset = open(parts[-1], "wb"), 0
            log(
                f"Writing shard {len(parts)} (from row {row + 1} of {num_rows})"
            )
        for name in names:
            data = np.asarray(values[name], "<f4").tobytes()
            index[name]["shard"].append(len(parts) - 1)
            index[name]["offset"].append(offset)
            index[name]["samples"].append(len(data) // 4)
            file.write(data)
            offset += len(data)
    sizes.append(_close(file, offset))
    shards = [
        f"media-{i:05d}-of-{len(parts):05d}.f32" for i in range(len(parts))
    ]
    for part, shard in zip(parts, shards):
        part.rename(directory / shard)
    return shards, sizes, index


def _close(file, size):
    """Close a shard of `size` bytes after its trailer; return its size.

    The trailer lets an empty clip at the end read one sample, as every
    record must hold some.
    """
    file.write(b"\0" * 4)
    file.close()
    return size + 4


def clip_lengths(prepared, name, rows):
    """Samples of column `name`'s clips at prepared rows `rows` (NumPy)."""
    return np.asarray(prepared.info["clips"][name]["samples"])[rows]


def read_clips(prepared, name, rows):
    """The clips of column `name` at the prepared rows that `rows` yields.

    Args:
        prepared: `keras_mm.data.prepared.Prepared`.
        name: str. A media column.
        rows: `tf.data.Dataset` of int64 prepared row numbers (from 0).

    Returns:
        A `tf.data.Dataset` of float32 clips, one per row, in order; a
        truncated or missing shard fails instead of ending it early.
    """
    index = prepared.info["clips"][name]
    files = tf.constant(
        [posixpath.join(prepared.directory, s) for s in prepared.info["shards"]]
    )
    shard = tf.constant(index["shard"], tf.int64)
    offset = tf.constant(index["offset"], tf.int64)
    samples = tf.constant(index["samples"], tf.int64)
    sizes = tf.constant(prepared.info["shard_bytes"], tf.int64)

    def read(row):
        count = samples[row]
        # A record holds at least one sample; an empty clip reads one and
        # keeps none. The rest of the file is the record's footer.
        size = 4 * tf.maximum(count, 1)
        record = tf.data.FixedLengthRecordDataset(
            files[shard[row]],
            size,
            header_bytes=offset[row],
            footer_bytes=sizes[shard[row]] - offset[row] - size,
        )
        return record.take(1).map(
            lambda data: tf.io.decode_raw(data, tf.float32)[:count]
        )

    # One clip per row: the interleave keeps the rows' order.
    clips = rows.interleave(
        read,
        cycle_length=4,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return clips.apply(
        tf.data.experimental.assert_cardinality(rows.cardinality())
    )


def read_clip(prepared, name, row):
    """One prepared clip as a float32 NumPy array (any file system)."""
    index = prepared.info["clips"][name]
    shard = prepared.info["shards"][index["shard"][row]]
    path = posixpath.join(prepared.directory, shard)
    with tf.io.gfile.GFile(path, "rb") as f:
        f.seek(index["offset"][row])
        data = f.read(4 * index["samples"][row])
    return np.frombuffer(data, "<f4").astype(np.float32)
