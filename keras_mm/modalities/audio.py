"""The `audio` modality: sound files of any common format, as waveforms."""

import numpy as np

from keras_mm.data.audio import audio_info
from keras_mm.data.audio import check_audio
from keras_mm.data.audio import load_audio
from keras_mm.data.audio import soundless
from keras_mm.data.manifest import ManifestError
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.encoders import spectrogram_audio_encoder
from keras_mm.encoders import waveform_audio_encoder
from keras_mm.modalities.modality import MediaReader
from keras_mm.modalities.modality import Modality

MAX_SECONDS = 4.0
MAX_FILES = 256


class AudioReader(MediaReader):
    """Clips resampled to the saved `sample_rate`, cropped or padded.

    A cell naming a video file with no audio stream is read as audio
    absent where the model allows it (`allow_empty`), and named in an
    error otherwise.
    """

    def check(self, manifest, allow_empty=False):
        self.cells(manifest, allow_empty)
        super().check(manifest, allow_empty)

    def cells(self, manifest, allow_empty=False):
        cells = manifest.column(self.name, allow_empty=allow_empty)
        if manifest.prepared:
            return cells  # `prepare` read soundless videos as absent.
        cells = list(cells)
        for row, cell in enumerate(cells):
            if cell and soundless(cell):
                if not allow_empty:
                    raise ManifestError(
                        f"{manifest.where(row)}: video file {cell} has no "
                        "audio stream, and this model needs audio in "
                        "every row."
                    )
                cells[row] = ""
        return cells

    def identity(self):
        return {"sample_rate": self.settings["sample_rate"]}


class AudioModality(Modality):
    """Audio files in the `audio` column (WAV, FLAC, OGG, Opus, MP3).

    A cell may also name a video file: its soundtrack (first audio
    stream) is the clip.

    Clips are mixed to mono, resampled to the model's `sample_rate` and
    cropped or zero-padded to its `audio_length`, which sizing sets to
    hold 95% of the training clips (at most 4 s). The encoder is a
    log-mel CNN (`audio_encoder="spectrogram"`) or a Conv1D over the
    waveform (`"waveform"`).
    """

    name = "audio"
    media = True
    reader_class = AudioReader

    def size(self, manifest, config, options):
        rate = config.get("sample_rate", DEFAULT_SAMPLE_RATE)
        length = suggest_audio_length(manifest, rate)
        if length is None and self.name in manifest.columns:
            # No clip could be read: the checks name them; one second.
            length = rate
        return ({} if length is None else {"audio_length": length}), {}

    def encoder(self, config, sequence):
        kind = config["audio_encoder"]
        pooling = None if sequence else config["pooling"]
        if kind == "spectrogram":
            return spectrogram_audio_encoder(
                config["audio_length"],
                config["sample_rate"],
                filters=(32, 64),
                pooling=pooling,
                normalization=config["normalization"],
                augmentation=config["augmentation"],
            )
        if kind == "waveform":
            pooling = "avg" if pooling == "positional" else pooling
            return waveform_audio_encoder(
                config["audio_length"],
                filters=(32, 32),
                pool_size=8,
                pooling=pooling,
            )
        raise ValueError(
            "Expected `audio_encoder` to be 'spectrogram' or 'waveform'. "
            f"Received: {kind}"
        )

    def check_file(self, path):
        if not soundless(path):  # Absent audio: `AudioReader.cells`.
            check_audio(path)

    def load(self, path, shape, settings):
        return load_audio(path, shape[0], settings["sample_rate"])


def suggest_audio_length(manifest, sample_rate, quantile=0.95):
    """Samples that hold `quantile` of a manifest's clips (at most 4 s).

    Durations come from the headers of up to 256 files, or from the
    audio of a prepared manifest (`keras-mm prepare`); empty cells (no
    audio in that row) are skipped.

    Returns:
        An int of at least 256, or None if no clip could be read.
    """
    prepared = manifest.prepared and manifest.prepared.shape("audio")
    if prepared:
        # Prepared audio has its length, and its files need not be here.
        return prepared[0]
    if "audio" not in manifest.columns:
        return None
    paths = [p for p in manifest.column("audio", allow_empty=True) if p]
    seconds = [_duration(path) for path in paths[:MAX_FILES]]
    seconds = [s for s in seconds if s]
    if not seconds:
        return None
    top = min(np.quantile(seconds, quantile), MAX_SECONDS)
    return max(int(round(top * sample_rate)), 256)


def _duration(path):
    # Unreadable files are reported, with their row, by the pipeline checks.
    try:
        rate, frames = audio_info(path)
        return frames / rate
    except (OSError, ValueError, ZeroDivisionError):
        return None


AUDIO = AudioModality()
