import collections

import numpy as np
import tensorflow as tf

from keras_mm import zoo
from keras_mm.data.audio import audio_info
from keras_mm.data.prepared_clips import clip_lengths
from keras_mm.data.speech_preprocessor import SpeechPreprocessor
from keras_mm.log import log
from keras_mm.modalities import get_modality
from keras_mm.modalities.modality import check_files
from keras_mm.speech.callbacks import TranscriptionErrors
from keras_mm.speech.callbacks import share_empty
from keras_mm.speech.characters import learn_characters
from keras_mm.speech.error_rates import error_rates
from keras_mm.speech.lexicon import learn_words
from keras_mm.speech.transcribe import decodings
from keras_mm.speech.transcribe import transcripts
from keras_mm.tasks.archive import export_archive
from keras_mm.tasks.speech_export import transcriber
from keras_mm.tasks.task import Task
from keras_mm.tasks.task import model_options
from keras_mm.tasks.task import saved_files
from keras_mm.training import compile_model
from keras_mm.training.processes import shard

# The rate a recognizer is built for: the training clips' most common
# rate, at most this (speech carries little above 8 kHz).
MAX_SAMPLE_RATE = 16000
# Clips up to this many times the longest training clip are transcribed
# whole; longer ones in windows (at least `MIN_WINDOW_SECONDS`).
WINDOW_FACTOR = 2
MIN_WINDOW_SECONDS = 8.0


class SpeechRecognitionTask(Task):
    """Transcripts of speech: `audio` files and a `transcript` column.

    The alphabet is the training transcripts' characters (lower-cased);
    the model writes those, and other characters in a reference are
    errors it cannot avoid. `keras-mm transcribe` writes one transcript
    per row; `evaluate` gives the word and character error rates.
    """

    name = "speech_recognition"
    noun = "speech recognizer"
    preprocessor = SpeechPreprocessor
    command = "transcribe"
    demo_data = "speech"
    training_steps = 2200

    def fit_to(self, manifest, model, **options):
        """Build `model` for the training transcripts' characters.

        The sampling rate is the training clips' most common one, at
        most 16 kHz, unless `options` set `sample_rate`.
        """
        overrides = model_options(model, options)
        transcripts = manifest.column("transcript")
        characters = learn_characters(transcripts)
        rates, seconds = _headers(manifest)
        if "sample_rate" not in overrides:
            common = collections.Counter(rates).most_common(1)[0][0]
            overrides["sample_rate"] = min(common, MAX_SAMPLE_RATE)
        built = zoo.build(
            model, vocabulary_size=len(characters) + 1, **overrides
        )
        window = max(MIN_WINDOW_SECONDS, WINDOW_FACTOR * max(seconds))
        pre = SpeechPreprocessor.from_model(
            built, characters, window, words=learn_words(transcripts)
        )
        return built, pre

    def training_options(self, preprocessor):
        """The model's own CTC loss; early stopping on `val_cer`, which
        `validation_callbacks` adds to the logs (on the validation loss
        in a run of several processes)."""
        if shard()[1] > 1:
            return {"loss": None}
        return {"loss": None, "monitor": "cer", "mode": "min"}

    def validation_callbacks(self, preprocessor, manifest):
        """Validation CER and WER (greedy) at every epoch, in a run of one
        process (transcribing needs the whole model in one process)."""
        if shard()[1] > 1:
            log(
                "Several processes: validation CER and WER are computed "
                "at the end only; early stopping watches the validation "
                "loss."
            )
            return []
        return [TranscriptionErrors(preprocessor, manifest)]

    def describe(self, model, preprocessor):
        return (
            f"{super().describe(model, preprocessor)}, "
            f"{len(preprocessor.characters)} characters, "
            f"{preprocessor.sample_rate} Hz"
        )

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """CTC loss, WER and CER on a transcribed manifest.

        `wer` and `cer` use the bundle's decoding (its word list, if
        training kept one; else greedy); `greedy_wer`, `greedy_cer`,
        `lexicon_wer` and `lexicon_cer` each decoding.
        """
        self.check_drop(drop)
        scores = _scores(model, preprocessor, manifest, batch_size)
        return _metrics(model, preprocessor, manifest, batch_size, scores)

    def evaluate_trained(self, model, preprocessor, manifest):
        """`evaluate`, after choosing the decoding on the validation rows:
        the training words' `Lexicon` is kept when it lowers the WER of
        greedy decoding."""
        scores = _scores(model, preprocessor, manifest)
        greedy, words = scores["greedy"]["wer"], scores["lexicon"]["wer"]
        preprocessor.lexicon = words < greedy
        log(
            f"Validation WER {greedy:.4f} greedy, {words:.4f} keeping to "
            f"the {len(preprocessor.words)} training words: transcription "
            + (
                "keeps to them (--no-lexicon does not)."
                if preprocessor.lexicon
                else "is greedy (--lexicon keeps to them)."
            )
        )
        return _metrics(model, preprocessor, manifest, 32, scores)

    def predict(self, model, preprocessor, manifest, options):
        """Rows `audio,transcript`, in manifest order."""
        texts = transcripts(
            model,
            preprocessor,
            manifest,
            options.get("beam_width"),
            options.get("batch_size", 32),
            preprocessor.word_list(options.get("lexicon")),
        )
        cells = [row.get("audio") for row in manifest.rows]
        return ["audio", "transcript"], [list(p) for p in zip(cells, texts)]

    def export(self, model, preprocessor, directory):
        """A `transcribe` signature (also `serving_default`): float32
        waveforms `(batch, samples)` at the bundle's rate to `transcript`
        strings, greedy."""
        archive = export_archive(model)
        spec = tf.TensorSpec((None, None), tf.float32, name="audio")
        archive.add_endpoint(
            "transcribe", transcriber(model, preprocessor), [{"audio": spec}]
        )
        archive.write_out(str(directory), verbose=False)

    def serving_examples(self, model, preprocessor, manifest):
        """`transcribe` on the rows' clips padded to the longest one."""
        clips = [
            preprocessor.waveform(manifest, i) for i in range(len(manifest))
        ]
        audio = np.zeros((len(clips), max(map(len, clips))), np.float32)
        for i, clip in enumerate(clips):
            audio[i, : len(clip)] = clip
        texts = transcriber(model, preprocessor)({"audio": audio})
        texts = [t.decode() for t in texts["transcript"].numpy()]
        return {"transcribe": ({"audio": audio}, {"transcript": texts})}

    def report(self, metrics, preprocessor, manifest, out):
        return (
            f"Validation WER: {metrics['wer']:.4f}, CER: "
            f"{metrics['cer']:.4f}\n"
            f"{saved_files(out, ['transcribe'])}\n"
            f"Transcribe: keras-mm transcribe --model-dir {out} --data "
            "MANIFEST"
        )

    def token_ids(self, preprocessor):
        return len(preprocessor.characters) + 1

    def check_model(self, model, preprocessor, directory):
        outputs = model.output.shape[-1]
        if outputs != self.token_ids(preprocessor):
            raise ValueError(
                f"Bundle {directory}: its preprocessing gives "
                f"{len(preprocessor.characters)} characters, but the "
                f"model writes {outputs - 1}; they do not belong together."
            )


def _scores(model, preprocessor, manifest, batch_size=32):
    """`{"greedy": ..., "lexicon": ...}`: `wer`, `cer` and `empty` of
    each decoding (the lexicon only if the preprocessor has words), from
    one run of the model."""
    references = manifest.column(preprocessor.transcript_column)
    lexicons = {"greedy": None}
    if preprocessor.words:
        lexicons["lexicon"] = preprocessor.word_list(True)
    found = decodings(
        model, preprocessor, manifest, list(lexicons.values()), None, batch_size
    )
    return {
        name: {
            **error_rates(references, hypotheses),
            "empty": share_empty(hypotheses),
        }
        for name, hypotheses in zip(lexicons, found)
    }


def _metrics(model, preprocessor, manifest, batch_size, scores):
    """The CTC loss and the bundle's decoding's scores, then greedy's."""
    if not model.compiled:
        compile_model(model, loss=None)
    data = preprocessor.dataset(manifest, batch_size)
    metrics = {"loss": float(model.evaluate(data, verbose=0))}
    metrics.update(scores["lexicon" if preprocessor.lexicon else "greedy"])
    for name, values in scores.items():
        metrics.update({f"{name}_{k}": values[k] for k in ("wer", "cer")})
    if scores["greedy"]["empty"] == 1.0:
        log(
            "Warning: every transcript is empty: the model outputs only "
            "CTC's blank (trained too briefly, or on transcripts that do "
            "not match the audio)."
        )
    return metrics


def _headers(manifest):
    """Sampling rates and durations (s) of a manifest's clips."""
    if manifest.prepared is not None:  # Resampled by `keras-mm prepare`.
        rate = manifest.prepared.info["media"]["audio"]["sample_rate"]
        rows = manifest.prepared.rows(manifest)
        samples = clip_lengths(manifest.prepared, "audio", rows)
        return [rate] * len(samples), list(samples / rate)
    check_files(manifest, get_modality("audio"))
    rates, seconds = [], []
    for path in manifest.column("audio"):
        rate, frames = audio_info(path)
        rates.append(rate)
        seconds.append(frames / rate)
    return rates, seconds
