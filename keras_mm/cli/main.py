import importlib
import os
import sys

from keras_mm.cli.options import check_options
from keras_mm.cli.parser import build_parser

# Jobs that need no TensorFlow, so they start at once: listing, and the
# launcher of `train --local-processes`, whose processes import their own.
LIGHT = ("keras_mm.cli.listing", "keras_mm.cli.launch")


def main(argv=None):
    """Run `keras-mm`; return the exit status (0 on success)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        check_options(args)
        if getattr(args, "local_processes", None):
            args.func = "keras_mm.cli.launch:run_local_processes"
        module, _, name = args.func.partition(":")
        if module not in LIGHT:
            quiet_tensorflow()
        return getattr(importlib.import_module(module), name)(args) or 0
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


def quiet_tensorflow():
    """Import TensorFlow without its start-up notices on stderr.

    `TF_CPP_MIN_LOG_LEVEL` silences TensorFlow's own logging, but not the
    absl and CUDA-probe lines printed while TensorFlow loads and first
    looks for devices, so stderr is pointed at /dev/null meanwhile.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        import tensorflow as tf

        tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


if __name__ == "__main__":
    sys.exit(main())
