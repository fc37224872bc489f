import functools

import tensorflow as tf


def batches(
    dataset,
    buffer_size,
    batch_size,
    shuffle=False,
    seed=None,
    epochs=None,
    decode=None,
    shard=None,
):
    """Batch a dataset of rows, shuffled the way training needs.

    Args:
        dataset: `tf.data.Dataset`. One element per row.
        buffer_size: int. Rows in the shuffle buffer: all of `dataset`'s
            for a full shuffle.
        batch_size: int. Batch size.
        shuffle: bool. Shuffle the rows.
        seed: int or None. Shuffle seed.
        epochs: `(first, last)` or None. With `shuffle`, the dataset then
            holds epochs `first` to `last - 1`, each one pass shuffled by
            the seed and its epoch number alone, so a run resumed at epoch
            `first` sees the batches an uninterrupted run would. Without,
            the rows are reshuffled at every iteration.
        decode: function of one row, or None. Mapped (in parallel, order
            kept) after shuffling and before batching.
        shard: `(index, count)` or None. Keep this process's share of
            every batch, for data-parallel training in `count` processes:
            rows `index`, `index + count`, ... of each pass, in batches of
            `batch_size // count`, so that batch `i` of all processes
            together is batch `i` of one process. The last `len % count`
            rows of each (shuffled) pass are left out, so that every
            process has as many rows.

    Example:
    >>> import tensorflow as tf
    >>> rows = tf.data.Dataset.range(4)
    >>> ds = batches(rows, 4, 4, shuffle=True, seed=1, epochs=(0, 3))
    >>> [sorted(b.numpy().tolist()) for b in ds]
    [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]]
    >>> resumed = batches(rows, 4, 4, shuffle=True, seed=1, epochs=(2, 3))
    >>> same = [b.numpy().tolist() for b in ds][2:]
    >>> [b.numpy().tolist() for b in resumed] == same
    True
    >>> halves = [batches(rows, 4, 4, shard=(i, 2)) for i in range(2)]
    >>> [b.numpy().tolist() for half in halves for b in half]
    [[0, 2], [1, 3]]
    """

    size = batch_size
    if shard is not None:
        index, count = shard
        if batch_size % count:
            raise ValueError(
                f"The batch size ({batch_size}) must be a multiple of the "
                f"number of processes ({count})."
            )
        size = batch_size // count
        even = int(dataset.cardinality()) // count * count

    def finish(rows):
        if shard is not None:
            rows = rows.take(even).shard(count, index)
        if decode is not None:
            rows = rows.map(decode, tf.data.AUTOTUNE, deterministic=True)
        return rows.batch(size)

    if not shuffle:
        return finish(dataset)
    if epochs is None:
        return finish(dataset.shuffle(buffer_size, seed=seed))
    seed = 0 if seed is None else seed
    passes = [
        finish(
            dataset.shuffle(
                buffer_size,
                seed=seed * 100_003 + epoch,
                reshuffle_each_iteration=False,
            )
        )
        for epoch in range(*epochs)
    ]
    if not passes:
        return finish(dataset.take(0))
    # Concatenation is lazy: each pass starts when the previous one ends,
    # reading the same cache.
    return functools.reduce(lambda a, b: a.concatenate(b), passes)
