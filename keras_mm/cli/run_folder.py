import json
import pathlib
import shutil

from keras_mm.log import log
from keras_mm.training.resume import completed_epochs

RUN_FILE = "run.json"
# Options that do not change what a run computes.
NOT_COMPARED = {
    "func",
    "out",
    "resume",
    "command",
    "argv",
    "process_id",
    "coordinator",
}


def run_folder(out):
    """The working folder of a training run to `out`: `.NAME.run` beside it.

    It holds the backup that `--resume` continues from, the best weights
    and the history, and is removed once the bundle is in place.
    """
    out = pathlib.Path(out).absolute()
    return out.parent / f".{out.name}.run"


def start_run(args):
    """Continue (`--resume`) or start the run folder for `args.out`.

    Without `--resume`, an interrupted run's folder is discarded, saying so;
    with it, the run must exist and have the same options.

    Returns:
        The run folder.
    """
    folder = run_folder(args.out)
    options = {
        key: value
        for key, value in sorted(vars(args).items())
        if key not in NOT_COMPARED
    }
    options = json.loads(json.dumps(options, default=str))
    if args.resume:
        path = folder / RUN_FILE
        if not path.is_file():
            raise ValueError(
                f"--resume: there is no interrupted run to {args.out} to "
                f"continue (no {folder})."
            )
        saved = json.loads(path.read_text())
        changed = [k for k in options if saved.get(k) != options[k]]
        if changed:
            raise ValueError(
                "--resume: the interrupted run had other options: "
                + ", ".join(
                    f"--{k.replace('_', '-')} {saved.get(k)} (now {options[k]})"
                    for k in changed
                )
                + ". Resume with the same options, or train without --resume."
            )
        done = completed_epochs(folder)
        log(f"Resuming the run in {folder} after epoch {done}.")
        return folder
    if folder.exists() and not (folder / RUN_FILE).is_file():
        raise ValueError(
            f"{folder} exists but is not a keras-mm run folder (no "
            f"{RUN_FILE}); move it away or choose another --out."
        )
    if folder.exists():
        log(
            f"Discarding the interrupted run in {folder} (train with --resume "
            "to continue it instead)."
        )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / RUN_FILE).write_text(json.dumps(options, indent=1) + "\n")
    return folder
