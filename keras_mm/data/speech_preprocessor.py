import numpy as np
import tensorflow as tf

from keras_mm.data.audio import audio_info
from keras_mm.data.manifest import ManifestError
from keras_mm.data.prepared_clips import clip_lengths
from keras_mm.data.prepared_clips import read_clip
from keras_mm.data.prepared_clips import read_clips
from keras_mm.data.preprocessor import Preprocessor
from keras_mm.speech.characters import Characters
from keras_mm.speech.lexicon import Lexicon

# Clips are padded to a multiple of this many seconds, so that a batch
# takes one of a few shapes (each new one is traced, or compiled on JAX).
PAD_SECONDS = 0.25
# Rows in one pool whose clips are sorted by length before batching.
POOL_BATCHES = 50
# Training takes clips up to this long; transcription takes any length.
MAX_TRAINING_SECONDS = 30.0
# Speed change while training: the clip is resampled by a factor drawn in
# [1 - SPEED, 1 + SPEED], which changes its tempo and pitch.
SPEED = 0.1
# Noise while training: white noise at 10 to 40 dB below the clip.
NOISE_DB = (10.0, 40.0)


class SpeechPreprocessor(Preprocessor):
    """Audio files and transcripts to batches for a CTC speech recognizer.

    Batches are `({"audio", "audio_length"}, labels)`: waveforms at
    `sample_rate` padded with zeros to the batch's longest clip (rounded
    up to 0.25 s), their true lengths in samples, and the transcripts'
    character ids padded with the blank (id 0). Rows are grouped by
    length: each epoch shuffles the rows, sorts pools of 50 batches by
    clip length, cuts them into batches and shuffles the batches, so a
    batch holds clips of similar length without a fixed order.

    Args:
        characters: list of str. The alphabet (see `learn_characters`).
        sample_rate: int. Sampling rate the audio is resampled to.
        hop_length: int. Samples between the model's spectrogram frames.
        subsampling: int. Frames per output step of the model.
        window_seconds: float. Clips longer than this are transcribed in
            overlapping windows of this length (see `keras_mm.speech`).
        transcript_column: str. The manifest's transcript column.
        vocabulary: unused (the characters are the vocabulary).
        words: list of str or None. The training transcripts' words.
        lexicon: bool. Whether transcription keeps to `words` by default
            (see `Lexicon`); training sets it when that lowers the
            validation WER.
    """

    task = "speech_recognition"

    def __init__(
        self,
        characters,
        sample_rate=16000,
        hop_length=160,
        subsampling=2,
        window_seconds=8.0,
        transcript_column="transcript",
        vocabulary=None,
        words=None,
        lexicon=False,
    ):
        super().__init__(None, sample_rate)
        self.characters = Characters(characters)
        self.hop_length = int(hop_length)
        self.subsampling = int(subsampling)
        self.window_seconds = float(window_seconds)
        self.transcript_column = transcript_column
        self.words = None if words is None else list(words)
        self.lexicon = bool(lexicon)
        self.readers = [self.reader("audio", (None,))]

    @classmethod
    def from_model(cls, model, characters, window_seconds=8.0, words=None):
        """A preprocessor for a `CTCSpeechRecognizer` and its alphabet."""
        return cls(
            characters,
            model.arguments["sample_rate"],
            model.frame_mask.hop_length,
            model.frame_mask.subsampling,
            window_seconds,
            words=words,
        )

    def word_list(self, use=None):
        """The `Lexicon` transcription keeps to, or None.

        Args:
            use: bool or None. None: the bundle's choice (`lexicon`);
                True: the word list (an error if the bundle has none);
                False: none.
        """
        use = self.lexicon if use is None else use
        if use and not self.words:
            raise ValueError(
                "This recognizer has no word list (it was trained on "
                "transcripts without words, or by an older keras_mm)."
            )
        return Lexicon(self.words, self.characters) if use else None

    def steps(self, samples):
        """The model's output steps for clips of `samples` (NumPy)."""
        frames = 1 + np.asarray(samples) // self.hop_length
        return -(-frames // self.subsampling)

    def lengths(self, manifest):
        """Each row's clip length in samples at `sample_rate`, from headers
        (or from the index of a prepared manifest)."""
        if manifest.prepared is not None:
            manifest.prepared.check(self)
            rows = manifest.prepared.rows(manifest)
            return clip_lengths(manifest.prepared, "audio", rows)
        lengths = []
        for index, path in enumerate(manifest.column("audio")):
            try:
                rate, frames = audio_info(path)
            except (OSError, ValueError) as e:
                raise ManifestError(f"{manifest.where(index)}: {e}") from None
            lengths.append(int(round(frames * self.sample_rate / rate)))
        return np.array(lengths, np.int64)

    def check(self, manifest, transcripts=True, training=False):
        """Raise `ManifestError` naming the row of a bad cell.

        Checks every file (as the classifiers do), and with `transcripts`
        that each clip gives the model enough steps for its transcript
        (CTC needs one per character, and one more between repeats).
        With `training`, clips longer than 30 s are refused.

        Returns:
            The clip lengths, in samples.
        """
        self.readers[0].check(manifest)
        lengths = self.lengths(manifest)
        if training:
            _check_durations(manifest, lengths / self.sample_rate)
        if transcripts:
            self._check_steps(manifest, lengths)
        return lengths

    def dataset(
        self,
        manifest,
        batch_size=32,
        shuffle=False,
        seed=None,
        epochs=None,
        shard=None,
        transcripts=True,
        augment=None,
        **unused,
    ):
        """The `tf.data` pipeline of a manifest, grouped by clip length.

        Args:
            manifest: `Manifest` with `audio` (and transcript) cells.
            batch_size: int. Batch size (of all processes together).
            shuffle: bool. Group and shuffle as for training (see the
                class); otherwise batches follow `order(manifest)`.
            seed: int or None. Seed of the shuffles and augmentation.
            epochs: `(first, last)` or None. With `shuffle`: hold these
                epochs, each shuffled by the seed and its number, as
                `keras_mm.data.batches` does (a resumed run sees the
                batches an uninterrupted one would).
            shard: `(index, count)` or None. This process's share of
                every batch (rows `index`, `index + count`, ...).
            transcripts: bool. Yield `(inputs, labels)`; `False`: inputs.
            augment: bool or None. Change speed and add noise (None: when
                shuffling).
            **unused: the other preprocessors' options (`cache_mb`...):
                files are read again every epoch, in parallel.

        Returns:
            A prefetching `tf.data.Dataset` of batches.
        """
        lengths = self.check(manifest, transcripts, training=shuffle)
        augment = shuffle if augment is None else augment
        count = 1 if shard is None else shard[1]
        if batch_size % count:
            raise ValueError(
                f"The batch size ({batch_size}) must be a multiple of the "
                f"number of processes ({count})."
            )
        # Batches of row indices, each with the number its first row has
        # among the rows of all epochs (which seeds its augmentation).
        groups, numbers = [], []
        if shuffle:
            first, last = epochs or (0, 1)
            for epoch in range(first, last):
                epoch_groups = length_groups(
                    lengths, batch_size, count, [seed or 0, epoch]
                )
                start = epoch * len(epoch_groups) * batch_size
                groups += epoch_groups
                numbers += [
                    start + i * batch_size for i in range(len(epoch_groups))
                ]
        else:
            order = self.order(manifest, lengths)
            groups = [
                order[i : i + batch_size]
                for i in range(0, len(order), batch_size)
            ]
            numbers = list(range(0, len(order), batch_size))
        pad = int(PAD_SECONDS * self.sample_rate)
        stretch = 1 + SPEED if augment else 1
        # The fastest speed change keeps every transcript's steps.
        needed = self._needed_samples(manifest, transcripts)
        shortest = np.maximum(1 - SPEED, needed / lengths)
        rows, sizes = [], []
        for group, number in zip(groups, numbers):
            longest = int(np.ceil(lengths[group].max() * stretch / pad)) * pad
            positions = number + np.arange(len(group))
            if shard is not None:
                group = group[shard[0] :: count]
                positions = positions[shard[0] :: count]
            rows += [
                (position, row, longest, shortest[row])
                for position, row in zip(positions, group)
            ]
            sizes.append(len(group))
        return self._pipeline(
            manifest, rows, sizes, transcripts, augment, seed or 0
        )

    def _check_steps(self, manifest, lengths):
        texts = manifest.column(self.transcript_column)
        steps = self.steps(lengths)
        step_ms = 1000 * self.hop_length * self.subsampling / self.sample_rate
        for index, text in enumerate(texts):
            ids = self.characters.ids(text)
            needed = _needed_steps(ids)
            if needed > steps[index]:
                seconds = lengths[index] / self.sample_rate
                raise ManifestError(
                    f"{manifest.where(index)}: the clip ({seconds:.2f} s) is "
                    f"too short for its transcript: its {len(ids)} "
                    f"characters need {needed} steps of {step_ms:.0f} ms, "
                    f"the clip gives {steps[index]}."
                )

    def waveform(self, manifest, row):
        """One row's whole clip, a float32 NumPy array at `sample_rate`."""
        if manifest.prepared is not None:
            prepared_row = manifest.prepared.rows(manifest)[row]
            return read_clip(manifest.prepared, "audio", prepared_row)
        path = manifest.column("audio")[row]
        return self.readers[0].load(tf.constant(path)).numpy()

    def _needed_samples(self, manifest, transcripts):
        """Samples each row's transcript needs (0 without transcripts)."""
        if not transcripts:
            return np.zeros(len(manifest))
        texts = manifest.column(self.transcript_column)
        steps = np.array([_needed_steps(self.characters.ids(t)) for t in texts])
        return (steps * self.subsampling) * self.hop_length

    def order(self, manifest, lengths=None):
        """Row order of unshuffled batches: by clip length, then row."""
        if lengths is None:
            lengths = self.lengths(manifest)
        return np.argsort(lengths, kind="stable")

    def _pipeline(self, manifest, rows, sizes, transcripts, augment, seed):
        if transcripts:
            texts = manifest.column(self.transcript_column)
            labels, label_lengths = self.characters.batch(texts)
        else:
            labels = np.zeros((len(manifest), 1), np.int32)
            label_lengths = np.zeros(len(manifest), np.int32)
        labels = tf.constant(labels)
        label_lengths = tf.constant(label_lengths)

        def decode(rows, audio):
            position, row, longest, shortest = rows
            if augment:
                audio = _augment(audio, shortest, [seed, position])
            longest = tf.cast(longest, tf.int32)
            audio = audio[:longest]
            length = tf.shape(audio)[0]
            audio = tf.pad(audio, [[0, longest - length]])
            return audio, length, labels[row], label_lengths[row]

        def finish(audio, length, label, label_length):
            inputs = {"audio": audio, "audio_length": length}
            if not transcripts:
                return inputs
            return inputs, label[:, : tf.reduce_max(label_length)]

        position, index, longest, shortest = (np.array(v) for v in zip(*rows))
        ds = tf.data.Dataset.from_tensor_slices(
            (
                position,
                index,
                longest,
                shortest.astype(np.float32),
            )
        )
        clips = self._clips(manifest, ds.map(lambda _, row, *unused: row))
        ds = tf.data.Dataset.zip(ds, clips)
        ds = ds.map(decode, tf.data.AUTOTUNE, deterministic=True)
        # The batches planned: all full but the last one of an unshuffled
        # pass; the rows of one batch share a padded length.
        ds = ds.batch(sizes[0])
        ds = ds.map(finish, tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)

    def _clips(self, manifest, rows):
        """The clips of `rows` (a dataset of row indices), in order."""
        if manifest.prepared is not None:
            prepared = tf.constant(manifest.prepared.rows(manifest))
            rows = rows.map(lambda row: tf.gather(prepared, row))
            return read_clips(manifest.prepared, "audio", rows)
        paths = tf.constant(manifest.column("audio"))
        load = self.readers[0].load
        return rows.map(
            lambda row: load(paths[row]), tf.data.AUTOTUNE, deterministic=True
        )

    def get_config(self):
        return {
            "characters": list(self.characters.characters),
            "hop_length": self.hop_length,
            "subsampling": self.subsampling,
            "window_seconds": self.window_seconds,
            "transcript_column": self.transcript_column,
            "words": self.words,
            "lexicon": self.lexicon,
            **super().get_config(),
        }


def length_groups(lengths, batch_size, count, seed):
    """One epoch's batches of row indices, grouped by clip length.

    The rows are shuffled; pools of `POOL_BATCHES` batches are sorted by
    length and cut into batches, whose order is shuffled. The epoch has
    as many batches as `keras_mm.workflow.make_datasets` counts steps:
    `ceil((rows // count) / (batch_size // count))`; the last batch is
    filled with rows drawn again, so every batch is full.

    Example:
    >>> groups = length_groups(np.array([5, 1, 4, 2, 3]), 2, 1, [0, 0])
    >>> len(groups), sorted(len(g) for g in groups)
    (3, [2, 2, 2])
    """
    rng = np.random.default_rng(seed)
    num_rows = len(lengths)
    steps = -(-(num_rows // count) // (batch_size // count))
    rows = rng.permutation(num_rows)[: steps * batch_size]
    missing = steps * batch_size - len(rows)
    rows = np.concatenate([rows, rng.choice(num_rows, missing)])
    pool = POOL_BATCHES * batch_size
    groups = []
    for start in range(0, len(rows), pool):
        chunk = rows[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        groups += [
            chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)
        ]
    return [groups[i] for i in rng.permutation(len(groups))]


def _augment(audio, shortest, seed):
    """A training clip at another speed, with noise (seeded, in-graph).

    The length changes by a factor drawn in `[shortest, 1 + SPEED]`.
    """
    seed = tf.stack([tf.cast(s, tf.int64) for s in seed])
    seeds = tf.random.experimental.stateless_split(seed, 3)
    factor = tf.random.stateless_uniform((), seeds[0], 0.0, 1.0)
    factor = shortest + factor * (1 + SPEED - shortest)
    size = tf.cast(tf.shape(audio)[0], tf.float32)
    length = tf.maximum(tf.cast(tf.round(size * factor), tf.int32), 1)
    audio = tf.image.resize(audio[:, None, None], (length, 1))[:, 0, 0]
    level = tf.sqrt(tf.reduce_mean(tf.square(audio)) + 1e-12)
    db = tf.random.stateless_uniform((), seeds[1], *NOISE_DB)
    noise = tf.random.stateless_normal(tf.shape(audio), seeds[2])
    return audio + noise * level * 10 ** (-db / 20)


def _needed_steps(ids):
    return len(ids) + sum(a == b for a, b in zip(ids, ids[1:]))


def _check_durations(manifest, seconds):
    for index, duration in enumerate(seconds):
        if duration > MAX_TRAINING_SECONDS:
            raise ManifestError(
                f"{manifest.where(index)}: the clip is {duration:.1f} s "
                f"long; training takes clips of up to "
                f"{MAX_TRAINING_SECONDS:.0f} s (cut it into phrases with "
                "their transcripts). Transcription takes any length."
            )
