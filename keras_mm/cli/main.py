import argparse
import os
import sys

from keras_mm.captioning import SAMPLERS
from keras_mm.cli import commands
from keras_mm.cli.captioning import run_caption
from keras_mm.cli.manifests import DATA_HELP
from keras_mm.cli.options import check_options
from keras_mm.cli.retrieval import run_retrieve
from keras_mm.cli.train import add_train_parser
from keras_mm.modalities import MODALITIES


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-mm",
        description="Train, evaluate and export multimodal Keras models.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    list_parser = sub.add_parser("list", help="List the zoo's models.")
    list_parser.set_defaults(func=commands.run_list)

    add_train_parser(sub)

    for name, func, help_text in (
        ("evaluate", commands.run_evaluate, "Print metrics as one JSON line."),
        ("predict", commands.run_predict, "Write predictions as CSV."),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--model-dir", required=True, help="A trained bundle.")
        p.add_argument("--data", required=True, help=DATA_HELP)
        p.add_argument("--batch-size", type=int, default=32)
        p.add_argument(
            "--drop-modality",
            action="append",
            default=[],
            choices=MODALITIES,
            help="Mark this modality absent in every row (repeatable).",
        )
        p.set_defaults(func=func)

    caption_parser = sub.add_parser(
        "caption", help="Write generated captions as CSV (captioners)."
    )
    caption_parser.add_argument("--model-dir", required=True)
    caption_parser.add_argument("--data", required=True, help=DATA_HELP)
    caption_parser.add_argument(
        "--sampler", choices=list(SAMPLERS), default="greedy"
    )
    caption_parser.add_argument("--batch-size", type=int, default=32)
    caption_parser.set_defaults(func=run_caption)

    retrieve_parser = sub.add_parser(
        "retrieve",
        help="Top-k images of a manifest for a text, or texts for an "
        "image (CSV).",
    )
    retrieve_parser.add_argument("--model-dir", required=True)
    retrieve_parser.add_argument(
        "--index",
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
    retrieve_parser.set_defaults(func=run_retrieve)

    export_parser = sub.add_parser(
        "export", help="Copy a bundle's model to a new SavedModel bundle."
    )
    export_parser.add_argument("--model-dir", required=True)
    export_parser.add_argument("--out", required=True)
    export_parser.set_defaults(func=commands.run_export)
    return parser


def main(argv=None):
    """Run `keras-mm`; return the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    try:
        check_options(args)
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("keras-mm: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if os.environ.get("KERAS_MM_TRACEBACK"):
            raise
        message = " ".join(str(e).split()) or type(e).__name__
        notes = " ".join(getattr(e, "__notes__", []))
        if not isinstance(e, (ValueError, OSError)):
            message = f"{type(e).__name__}: {message}"
        print(f"keras-mm: error: {message} {notes}".rstrip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
