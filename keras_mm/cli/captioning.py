"""`keras-mm train` for captioners, `caption`, and captioner evaluation."""

import csv
import sys

import keras
import numpy as np
import tensorflow as tf

from keras_mm import zoo
from keras_mm.captioning import caption_steps
from keras_mm.captioning import generate
from keras_mm.captioning import get_sampler
from keras_mm.captioning.bleu import bleu4
from keras_mm.captioning.diversity import collapse_warning
from keras_mm.captioning.metrics import TokenAccuracy
from keras_mm.captioning.metrics import caption_loss
from keras_mm.cli.fit import fit_and_save
from keras_mm.cli.fit import make_datasets
from keras_mm.cli.manifests import log
from keras_mm.cli.manifests import read_manifest
from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.captions import build_caption_vocabulary
from keras_mm.data.manifest import ManifestError
from keras_mm.data.sizing import suggest_lengths
from keras_mm.export import load_bundle
from keras_mm.export.bundle import SAVED_MODEL_DIR

CAPTION_COLUMNS = ("caption", "text")


def caption_column(manifest, prefer="caption"):
    """The manifest's caption column: `prefer` if present, else the other."""
    for column in sorted(CAPTION_COLUMNS, key=lambda c: c != prefer):
        if column in manifest.columns:
            return column
    raise ManifestError(
        f"Manifest {manifest.path} has no caption column: expected one of "
        f"{list(CAPTION_COLUMNS)}. Columns found: {sorted(manifest.columns)}"
    )


def caption_length(captions, vocabulary):
    """Decoder length for 95% of the captions' tokens plus `[END]`, 8-64."""
    # Eager keras-hub tokenizers return lists of ids.
    pieces = CaptionTokenizer(vocabulary, 1).tokenizer(tf.constant(captions))
    lengths = [len(ids) for ids in pieces]
    return int(np.clip(np.percentile(lengths, 95) + 1, 8, 64))


def build_captioner(name, train_manifest, vocabulary_size=1000):
    """Build `name` with a vocabulary and caption length fitted to the data.

    A captioner that can hear (`audio_length` in its config) gets an
    `"audio"` input when the manifest has an `audio` column.
    """
    column = caption_column(train_manifest)
    captions = train_manifest.column(column)
    vocabulary = build_caption_vocabulary(captions, vocabulary_size)
    options = {}
    if "audio" in train_manifest.columns:
        accepted = zoo.config(name)
        if "audio_length" in accepted:
            lengths = suggest_lengths(train_manifest, accepted["sample_rate"])
            # Unreadable clips leave no length; the pipeline names them.
            options["audio_length"] = lengths.get(
                "audio_length", accepted["sample_rate"]
            )
        else:
            hears = [
                m
                for m in zoo.list_models("captioning")
                if "audio_length" in zoo.config(m)
            ]
            log(
                f"Model {name} captions images only; the audio column is "
                f"ignored (captioners that hear: {', '.join(hears)})."
            )
    model = zoo.build(
        name,
        vocabulary_size=len(vocabulary),
        sequence_length=caption_length(captions, vocabulary),
        **options,
    )
    return model, CaptionPreprocessor.from_model(model, vocabulary, column)


def compile_captioner(model, learning_rate=1e-3, jit_compile="auto"):
    model.compile(
        keras.optimizers.Adam(learning_rate),
        caption_loss(),
        metrics=[TokenAccuracy()],
        jit_compile=jit_compile,
    )


def generate_captions(model, preprocessor, manifest, sampler, batch_size=32):
    """Generated caption strings for every manifest row, in order."""
    tokenizer = preprocessor.tokenizer
    steps = caption_steps(model)
    sampler = get_sampler(sampler)

    @tf.function
    def run(inputs):
        return generate(
            model,
            inputs,
            tokenizer.start_id,
            tokenizer.end_id,
            sampler,
            steps=steps,
        )

    captions = []
    for batch in preprocessor.dataset(manifest, batch_size, captions=False):
        captions += tokenizer.detokenize(run(batch))
    return captions


def evaluate_captioner(model, preprocessor, manifest, batch_size=32):
    """Loss, token accuracy and greedy BLEU-4 on a captioned manifest."""
    if not model.compiled:
        compile_captioner(model)
    data = preprocessor.dataset(manifest, batch_size)
    metrics = model.evaluate(data, return_dict=True, verbose=0)
    metrics = {key: float(value) for key, value in metrics.items()}
    references = [
        " ".join(c.lower().split())
        for c in manifest.column(preprocessor.caption_column)
    ]
    hypotheses = generate_captions(
        model, preprocessor, manifest, "greedy", batch_size
    )
    metrics["bleu4"] = bleu4(references, hypotheses)
    warning = collapse_warning(references, hypotheses)
    if warning:
        log(warning)
    return metrics


def write_caption_csv(manifest, captions):
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["row", "caption"])
    for row, caption in zip(manifest.row_numbers, captions):
        writer.writerow([row, caption])


def run_train_captioner(args, train_manifest, val_manifest, epochs):
    """The captioning branch of `keras-mm train`."""
    keras.utils.set_random_seed(args.seed)
    model, preprocessor = build_captioner(args.model, train_manifest)
    data = make_datasets(
        args, preprocessor, train_manifest, val_manifest, epochs
    )
    log(
        f"Model {args.model}: {model.count_params():,} parameters, "
        f"{len(preprocessor.vocabulary)} caption tokens, captions up to "
        f"{preprocessor.sequence_length} tokens, conditioned on "
        + " and ".join(preprocessor.modalities)
    )

    def evaluate():
        log("Generating validation captions for BLEU-4...")
        return evaluate_captioner(model, preprocessor, val_manifest)

    metrics = fit_and_save(
        args,
        model,
        preprocessor,
        data,
        epochs,
        evaluate,
        loss=caption_loss(),
        metrics=[TokenAccuracy()],
    )
    print(
        f"Validation BLEU-4: {metrics['bleu4']:.4f}, token accuracy: "
        f"{metrics['token_accuracy']:.4f}\n"
        f"Saved to {args.out}: model.keras, {SAVED_MODEL_DIR}/ (signatures "
        "generate, generate_beam, generate_top_k), preprocessing.json, "
        "vocabulary.txt, history.csv, metrics.json\n"
        f"Caption: keras-mm caption --model-dir {args.out} --data MANIFEST"
    )


def run_caption(args):
    model, preprocessor = load_bundle(args.model_dir)
    if not isinstance(preprocessor, CaptionPreprocessor):
        raise ValueError(f"The model in {args.model_dir} is not a captioner.")
    manifest = read_manifest(args.data)
    captions = generate_captions(
        model, preprocessor, manifest, args.sampler, args.batch_size
    )
    write_caption_csv(manifest, captions)
