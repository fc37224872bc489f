"""The run folder `.NAME.run` beside `--out`: options, data fingerprint,
backup; what `--resume` continues."""

import dataclasses
import json
import pathlib
import shutil

from keras_mm.log import log
from keras_mm.training.resume import completed_epochs

RUN_FILE = "run.json"
DATA_FILE = "data.json"
# Options that do not change what a run computes.
NOT_COMPARED = {"out", "resume", "process_id", "coordinator"}


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

    Args:
        args: `keras_mm.workflow.TrainingOptions`.

    Returns:
        The run folder.
    """
    folder = run_folder(args.out)
    options = {
        key: value
        for key, value in sorted(dataclasses.asdict(args).items())
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


def check_data(out, resume, manifests):
    """Keep the data's fingerprint in the run folder; on resume, compare.

    Args:
        out: the run's `--out`.
        resume: bool. Whether the run continues an interrupted one.
        manifests: dict of `Manifest` by role (`"training"`,
            `"validation"`).

    Raises:
        ValueError: on resume, saying what changed since the interrupted
            run: a row count, the cells of a row, or its media files.
    """
    path = run_folder(out) / DATA_FILE
    now = {role: m.fingerprint() for role, m in manifests.items()}
    if resume and path.is_file():
        before = json.loads(path.read_text())
        for role, manifest in manifests.items():
            change = _change(manifest, before.get(role), now[role])
            if change:
                raise ValueError(
                    f"--resume: the {role} data changed since the "
                    f"interrupted run: {change}. Resume with the same data, "
                    "or train without --resume."
                )
        return
    path.write_text(json.dumps(now) + "\n")


def _change(manifest, before, now):
    """What differs between two fingerprints of `manifest`, or None."""
    if before is None:
        return "it was not part of that run"
    if len(before["rows"]) != len(now["rows"]):
        return (
            f"{manifest.path} gives {len(now['rows'])} rows (it gave "
            f"{len(before['rows'])})"
        )
    for what, key in (("its cells", "cells"), ("a media file", "files")):
        changed = [
            i for i, (a, b) in enumerate(zip(before[key], now[key])) if a != b
        ]
        if changed:
            more = f" and {len(changed) - 1} other rows" * (len(changed) > 1)
            return f"{manifest.where(changed[0])}{more}: {what} changed"
    if before["rows"] != now["rows"]:
        return f"{manifest.path} gives other rows"
    return None
