"""The `keras-mm` argument parser: imports nothing heavy, so `--help` is fast.

Each command names its function as `"module:function"`; `main` imports it
only once the arguments are parsed.
"""

import argparse

from keras_mm.catalog import FUSIONS
from keras_mm.catalog import SAMPLERS
from keras_mm.modalities import list_modalities

DATA_HELP = (
    "A CSV/JSONL manifest, or `demo` (also `demo:redundant`, "
    "`demo:relation`, `demo:captions`, `demo:sound_captions`, "
    "`demo:speech`; see `list`)."
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-mm",
        description="Train, evaluate and export multimodal Keras models.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    list_parser = sub.add_parser("list", help="List the zoo's models.")
    list_parser.set_defaults(func="keras_mm.cli.listing:run_list")

    _add_train_parser(sub)

    for name, func, help_text in (
        ("evaluate", "run_evaluate", "Print metrics as one JSON line."),
        ("predict", "run_predict", "Write predictions as CSV."),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--model-dir", required=True, help="A trained bundle.")
        p.add_argument("--data", required=True, help=DATA_HELP)
        p.add_argument("--batch-size", type=int, default=32)
        p.add_argument(
            "--drop-modality",
            action="append",
            default=[],
            choices=list_modalities(),
            help="Mark this modality absent in every row (repeatable).",
        )
        if name == "evaluate":
            _add_speech_model(p)
        p.set_defaults(func=f"keras_mm.cli.commands:{func}")

    caption_parser = sub.add_parser(
        "caption", help="Write generated captions as CSV (captioners)."
    )
    caption_parser.add_argument("--model-dir", required=True)
    caption_parser.add_argument("--data", required=True, help=DATA_HELP)
    caption_parser.add_argument("--sampler", choices=SAMPLERS, default="greedy")
    caption_parser.add_argument("--batch-size", type=int, default=32)
    caption_parser.set_defaults(func="keras_mm.cli.commands:run_predict")

    transcribe_parser = sub.add_parser(
        "transcribe",
        help="Write each row's transcript as CSV (speech recognizers).",
    )
    transcribe_parser.add_argument("--model-dir", required=True)
    transcribe_parser.add_argument("--data", required=True, help=DATA_HELP)
    transcribe_parser.add_argument(
        "--beam-width",
        type=int,
        default=None,
        help="Without a word list, 1 (the default): greedy decoding; "
        "more: CTC beam search with this many beams. With one: the beams "
        "of its search (default 16).",
    )
    transcribe_parser.add_argument(
        "--lexicon",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Keep to the training transcripts' words (the default when "
        "training found it lowers the validation WER), or not. The "
        "SavedModel's `transcribe` decodes as --no-lexicon.",
    )
    transcribe_parser.add_argument("--batch-size", type=int, default=32)
    transcribe_parser.set_defaults(func="keras_mm.cli.commands:run_predict")

    answer_parser = sub.add_parser(
        "answer",
        help="Write each row's answer as CSV (question-answering models).",
    )
    answer_parser.add_argument("--model-dir", required=True)
    answer_parser.add_argument("--data", required=True, help=DATA_HELP)
    answer_parser.add_argument("--batch-size", type=int, default=32)
    _add_speech_model(answer_parser)
    answer_parser.set_defaults(func="keras_mm.cli.commands:run_predict")

    retrieve_parser = sub.add_parser(
        "retrieve",
        help="Top-k images of a manifest for a text, or texts for an "
        "image (CSV).",
    )
    retrieve_parser.add_argument("--model-dir", required=True)
    retrieve_parser.add_argument(
        "--index",
        dest="data",
        metavar="INDEX",
        required=True,
        help="Manifest of the images (or texts) to search.",
    )
    query = retrieve_parser.add_mutually_exclusive_group(required=True)
    query.add_argument("--query", help="A text: rank the index's images.")
    query.add_argument(
        "--query-image",
        help="An image file: rank the index's distinct texts (its `text` "
        "or `caption` column).",
    )
    retrieve_parser.add_argument("--k", type=int, default=5)
    retrieve_parser.add_argument("--batch-size", type=int, default=32)
    retrieve_parser.set_defaults(func="keras_mm.cli.commands:run_predict")

    prepare_parser = sub.add_parser(
        "prepare",
        help="Decode a manifest's media once, into TFRecord shards that "
        "--data takes in place of the manifest.",
    )
    prepare_parser.add_argument("--data", required=True, help=DATA_HELP)
    source = prepare_parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="Prepare for training this model.")
    source.add_argument(
        "--model-dir", help="Prepare for this trained bundle's model."
    )
    prepare_parser.add_argument(
        "--shard-mb",
        type=float,
        default=128,
        help="About this many MB of media per shard.",
    )
    prepare_parser.add_argument(
        "--frames",
        type=int,
        help="Frames sampled from each video clip, as `train --frames` "
        "(with --model).",
    )
    prepare_parser.add_argument("--out", required=True, help="Output folder.")
    prepare_parser.set_defaults(func="keras_mm.cli.prepare:run_prepare")

    export_parser = sub.add_parser(
        "export", help="Copy a bundle's model to a new SavedModel bundle."
    )
    export_parser.add_argument("--model-dir", required=True)
    export_parser.add_argument("--out", required=True)
    export_parser.set_defaults(func="keras_mm.cli.commands:run_export")
    return parser


def _add_speech_model(p):
    p.add_argument(
        "--speech-model",
        default=None,
        help="A speech recognizer bundle that transcribes spoken "
        "questions: rows whose `question` is empty and whose "
        "`question_audio` names an audio file (question answering).",
    )


def _add_train_parser(sub):
    p = sub.add_parser("train", help="Train a zoo model on a manifest.")
    p.add_argument("--model", required=True, help="A name from `list`.")
    p.add_argument("--data", default="demo", help=DATA_HELP)
    p.add_argument(
        "--val", help="Validation manifest (default: hold out 20%%)."
    )
    p.add_argument(
        "--epochs",
        type=int,
        help="Maximum epochs (default: enough for about 1500 training "
        "steps, 10 to 100 epochs; early stopping ends sooner).",
    )
    p.add_argument(
        "--fusion",
        choices=list(FUSIONS),
        help="Fusion method, for models that take one (see `list`).",
    )
    p.add_argument(
        "--modality-dropout",
        type=float,
        help="Drop whole modalities at this rate while training, so the "
        "model copes with missing ones (multimodal_classifier).",
    )
    p.add_argument(
        "--features",
        metavar="COL[,COL...]",
        help="Table columns of the manifest to read as the `tabular` "
        "modality (numbers standardized, other values as categories; "
        "`COL:categorical` or `COL:numeric` chooses).",
    )
    p.add_argument(
        "--frames",
        type=int,
        help="Frames sampled uniformly from each clip of the `video` "
        "modality (default 16).",
    )
    p.add_argument(
        "--patience",
        type=int,
        default=10,
        help="Stop after this many epochs without a better validation "
        "accuracy (loss for captioners and dual encoders); the best "
        "weights are kept.",
    )
    p.add_argument(
        "--init-from",
        metavar="MODEL_DIR",
        action="append",
        help="Staged training: start from the encoders of this trained "
        "bundle (those whose name and weight shapes match); repeat it to "
        "take each modality's encoder from its own model.",
    )
    p.add_argument(
        "--freeze",
        action="store_true",
        help="With --init-from: keep the copied layers fixed and train "
        "only the others.",
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--cache-mb",
        type=float,
        help="Keep the decoded media in memory when they fit in this many "
        "MB (default 512); otherwise they are read again every epoch, "
        "decoded in parallel with training.",
    )
    p.add_argument(
        "--learning-rate",
        type=float,
        default=1e-3,
        help="Peak learning rate of AdamW, after a 5%% warmup and before "
        "a cosine decay.",
    )
    p.add_argument(
        "--jit-compile",
        choices=("auto", "on", "off", "tune"),
        default="auto",
        help="XLA: `auto` (Keras' choice: on GPUs, not on CPUs), `on`, "
        "`off`, or `tune`: time a few training steps each way and keep "
        "the faster.",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="Output folder.")
    p.add_argument(
        "--resume",
        action="store_true",
        help="Continue the interrupted run to --out from its last "
        "completed epoch (same options); it ends as an uninterrupted run "
        "would.",
    )
    _add_process_options(p)
    p.set_defaults(func="keras_mm.cli.train:run_train")


def _add_process_options(p):
    g = p.add_argument_group(
        "several processes",
        "Data-parallel training on the JAX backend (Keras' DataParallel): "
        "each process trains on its share of every batch; process 0 "
        "writes the run's files. Keras' KERAS_DISTRIBUTION_NUM_PROCESSES, "
        "KERAS_DISTRIBUTION_PROCESS_ID and KERAS_DISTRIBUTION_JOB_ADDRESSES "
        "may stand for the last three options.",
    )
    g.add_argument(
        "--local-processes",
        type=int,
        metavar="N",
        help="Start N processes on this machine and train in all of them.",
    )
    g.add_argument(
        "--num-processes", type=int, metavar="N", help="Processes in the run."
    )
    g.add_argument(
        "--process-id",
        type=int,
        metavar="I",
        help="This process's number, 0 to N-1.",
    )
    g.add_argument(
        "--coordinator",
        metavar="HOST:PORT",
        help="Where process 0 listens (any free port on its host); --out "
        "must be on storage that every process sees.",
    )
