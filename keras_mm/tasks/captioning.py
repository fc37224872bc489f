import keras
import numpy as np
import tensorflow as tf

from keras_mm import zoo
from keras_mm.captioning import check_captioner
from keras_mm.captioning import generate
from keras_mm.captioning import get_sampler
from keras_mm.captioning.bleu import bleu4
from keras_mm.captioning.diversity import collapse_warning
from keras_mm.captioning.metrics import TokenAccuracy
from keras_mm.captioning.metrics import caption_loss
from keras_mm.data import CaptionPreprocessor
from keras_mm.data.captions import build_caption_vocabulary
from keras_mm.data.captions import caption_column
from keras_mm.data.captions import caption_length
from keras_mm.data.preprocessor import DEFAULT_SAMPLE_RATE
from keras_mm.log import log
from keras_mm.modalities import get_modality
from keras_mm.modalities import list_modalities
from keras_mm.tasks.captioning_export import CAPTION_ENDPOINTS
from keras_mm.tasks.captioning_export import generation_archive
from keras_mm.tasks.sizing import modality_options
from keras_mm.tasks.task import Task
from keras_mm.tasks.task import model_options
from keras_mm.tasks.task import saved_files
from keras_mm.training import compile_model
from keras_mm.training.train import compile_options


class CaptioningTask(Task):
    """Captions for images (and sounds), from a `caption` or `text` column.

    Models are zoo `Captioner`s; bundles generate with the keras-hub
    samplers, in Python (`keras-mm caption`) and in their SavedModel.
    """

    name = "captioning"
    noun = "captioner"
    preprocessor = CaptionPreprocessor
    command = "caption"
    demo_data = "captions"
    # Signature name: (sampler, name of the strings it returns); the
    # first is greedy, which `serving_examples` checks.
    endpoints = CAPTION_ENDPOINTS
    text_noun = "caption"

    def fit_to(self, manifest, model, vocabulary_size=1000, **options):
        """Build `model` with a vocabulary and caption length fit to the data.

        The media modalities of the manifest size the captioner's
        conditioning: one that can hear (`audio_length` in its config)
        gets an `"audio"` input when the manifest has an `audio` column.

        Args:
            vocabulary_size: int. Upper bound of the WordPiece vocabulary.
        """
        taken = modality_options(options)
        overrides = model_options(model, options)
        column = caption_column(manifest)
        captions = manifest.column(column)
        vocabulary = build_caption_vocabulary(captions, vocabulary_size)
        sized = _conditioning(model, manifest, overrides, taken)
        for key, value in sized.items():
            overrides.setdefault(key, value)  # Explicit options win.
        overrides.update(
            vocabulary_size=len(vocabulary),
            sequence_length=caption_length(captions, vocabulary),
        )
        built = zoo.build(model, **overrides)
        config = zoo.config(model, **overrides)
        pre = CaptionPreprocessor.from_model(
            built,
            vocabulary,
            column,
            sample_rate=config.get("sample_rate") or DEFAULT_SAMPLE_RATE,
            modality_config=config.get("modality_config"),
        )
        return built, pre

    def training_options(self, preprocessor):
        return {"loss": caption_loss(), "metrics": [TokenAccuracy()]}

    def describe(self, model, preprocessor):
        return (
            f"{super().describe(model, preprocessor)}, "
            f"{len(preprocessor.vocabulary)} {self.text_noun} tokens, "
            f"{self.text_noun}s up to {preprocessor.sequence_length} "
            "tokens, conditioned on " + " and ".join(preprocessor.modalities)
        )

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """Loss, token accuracy and greedy BLEU-4 on a captioned manifest."""
        self.check_drop(drop)
        if not model.compiled:
            options = self.training_options(preprocessor)
            compile_model(model, **compile_options(options))
        data = preprocessor.dataset(manifest, batch_size)
        metrics = model.evaluate(data, return_dict=True, verbose=0)
        metrics = {key: float(value) for key, value in metrics.items()}
        references = [
            " ".join(c.lower().split())
            for c in manifest.column(preprocessor.caption_column)
        ]
        log("Generating captions for BLEU-4...")
        hypotheses = captions(model, preprocessor, manifest, "greedy")
        metrics["bleu4"] = bleu4(references, hypotheses)
        inputs = [n for n in model.conditioning_inputs if n != "presence"]
        warning = collapse_warning(references, hypotheses, inputs)
        if warning:
            log(warning)
        return metrics

    def predict(self, model, preprocessor, manifest, options):
        """Rows `row,caption`, generated with `options["sampler"]`."""
        generated = captions(
            model,
            preprocessor,
            manifest,
            options.get("sampler", "greedy"),
            options.get("batch_size", 32),
        )
        rows = [list(pair) for pair in zip(manifest.row_numbers, generated)]
        return ["row", "caption"], rows

    def export(self, model, preprocessor, directory):
        """One signature per entry of `endpoints` (see
        `generation_archive`)."""
        archive = generation_archive(model, preprocessor, self.endpoints)
        archive.write_out(str(directory), verbose=False)

    def serving_examples(self, model, preprocessor, manifest):
        """The first (greedy, deterministic) signature: token ids and
        texts."""
        data = preprocessor.dataset(manifest, len(manifest), captions=False)
        inputs = {k: v.numpy() for k, v in next(iter(data)).items()}
        tokenizer = preprocessor.tokenizer
        name, (sampler, output) = next(iter(self.endpoints.items()))
        ids = generate(
            model,
            inputs,
            tokenizer.start_id,
            tokenizer.end_id,
            get_sampler(sampler),
        )
        texts = tokenizer.detokenize(ids)
        return {
            name: (
                preprocessor.serving_values(manifest, inputs),
                {"token_ids": np.asarray(ids), output: np.array(texts)},
            )
        }

    def report(self, metrics, preprocessor, manifest, out):
        signatures = list(self.endpoints)
        return (
            f"Validation BLEU-4: {metrics['bleu4']:.4f}, token accuracy: "
            f"{metrics['token_accuracy']:.4f}\n"
            f"{saved_files(out, signatures, vocabulary=True)}\n"
            f"Caption: keras-mm caption --model-dir {out} --data MANIFEST"
        )

    def token_ids(self, preprocessor):
        return len(preprocessor.vocabulary)  # Reserved tokens included.

    def check_model(self, model, preprocessor, directory):
        super().check_model(model, preprocessor, directory)
        if not isinstance(model, zoo.Captioner):
            raise ValueError(
                f"Bundle {directory} holds a captioner saved by keras_mm "
                "0.1, which this version cannot generate with; its "
                "saved_model/ still serves. Train it again with "
                f"`keras-mm train --model {model.name} ...`."
            )


def captions(model, preprocessor, manifest, sampler, batch_size=32):
    """Generated caption strings for every manifest row, in order."""
    check_captioner(model)
    tokenizer = preprocessor.tokenizer
    sampler = get_sampler(sampler)

    data = preprocessor.dataset(manifest, batch_size, captions=False)

    def run(inputs):
        return generate(
            model, inputs, tokenizer.start_id, tokenizer.end_id, sampler
        )

    if keras.backend.backend() == "tensorflow":
        # The signature's batch size is None: the last, smaller batch
        # does not trace the decoding loop a second time.
        run = tf.function(run, input_signature=[data.element_spec])
    generated = []
    for batch in data:
        if keras.backend.backend() != "tensorflow":
            batch = {name: x.numpy() for name, x in batch.items()}
        generated += tokenizer.detokenize(run(batch))
    return generated


def _conditioning(model, manifest, overrides, options):
    """The builder arguments the manifest's media modalities size.

    A captioner that takes `modalities` gets those it reads.
    """
    accepted = zoo.config(model, **overrides)
    sized, names = {}, []
    for name in list_modalities():
        modality = get_modality(name)
        if not modality.media or name not in manifest.columns:
            continue
        found, _ = modality.size(manifest, {**accepted, **sized}, options)
        taken = {k: v for k, v in found.items() if k in accepted}
        if found and not taken:
            others = [
                m
                for m in zoo.list_models("captioning")
                if set(found) <= set(zoo.config(m))
            ]
            log(
                f"Model {model} is not conditioned on {name}; the {name} "
                f"column is ignored (captioners that take it: "
                f"{', '.join(others)})."
            )
        sized.update(taken)
        if taken:
            names.append(name)
    if names and "modalities" in accepted and "modalities" not in overrides:
        sized["modalities"] = tuple(names)
    return sized
