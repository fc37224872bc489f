"""Output folders: what keras_mm may replace, and replacing it safely.

`--out` is replaced only when it is absent, empty or a keras_mm bundle
that holds nothing else: `MARKER` lists the bundle's own files, and a
bundle folder with any other file in it is not replaced. A run holds a
lock beside it, writes into a `.NAME.partial-*` folder and swaps that in
with two renames; whatever an interrupted run left beside `--out` is
restored or removed by the next.
"""

import contextlib
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import socket
import sys
import tempfile
import time

MARKER = ".keras_mm_bundle"
# Raised when a bundle changes so that older keras_mm cannot read it; 2:
# preprocessing.json names its task, captioners are `Captioner` models.
BUNDLE_FORMAT = 2
# What a bundle (or `prepare` folder) whose marker lists no files, from
# keras_mm before the list, may hold.
_UNLISTED = re.compile(
    r"model\.keras|saved_model|preprocessing\.json|vocabulary\.txt|"
    r"history\.csv|metrics\.json|prepared\.json|manifest\.jsonl|"
    r"media-\d{5}-of-\d{5}\.tfrecord"
)
_HELD = set()


def marker(files=()):
    """The content of `MARKER`: the format, who wrote it, and its files.

    Args:
        files: the names of the bundle's own files and folders.
    """
    try:
        version = importlib.metadata.version("keras_mm")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "format": BUNDLE_FORMAT,
        "keras_mm": version,
        "files": sorted(files),
    }


def _log(message):
    print(message, file=sys.stderr, flush=True)


def foreign_files(path):
    """Names in the folder `path` that keras_mm did not write there.

    Every name of a folder without `MARKER`; in a bundle, those that its
    marker does not list.
    """
    path = pathlib.Path(path)
    names = {p.name for p in path.iterdir()}
    try:
        written = json.loads((path / MARKER).read_text())
    except FileNotFoundError:
        return sorted(names)
    except (OSError, ValueError):
        written = {}
    if not isinstance(written, dict):
        written = {}
    if "files" in written:
        return sorted(names - {MARKER, *written["files"]})
    return sorted(n for n in names - {MARKER} if not _UNLISTED.fullmatch(n))


def check_output(path):
    """Raise `ValueError` unless keras_mm may replace `path`.

    It may when `path` does not exist (and can be made), is an empty
    folder, or is a bundle holding only the files its marker lists.
    """
    path = pathlib.Path(path)
    flag = f"--out {path}"
    if path.is_symlink():
        raise ValueError(
            f"{flag} is a symbolic link (to {os.readlink(path)}); keras-mm "
            "replaces --out by renaming, which would replace the link. Give "
            "the folder it points to, or another --out."
        )
    if not path.exists():
        check_parents(path)
        return
    if not path.is_dir():
        raise ValueError(
            f"{flag} is a file, not a folder; keras-mm writes a new "
            "folder and replaces only its own bundles. Choose another --out."
        )
    names = foreign_files(path)
    if not names:
        return
    if not (path / MARKER).is_file():
        raise ValueError(
            f"{flag} is a folder that holds other files (not a "
            "keras-mm bundle); keras-mm will not replace it. Choose a new "
            "or empty folder."
        )
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise ValueError(
        f"{flag} is a keras-mm bundle that also holds files keras-mm did "
        f"not write ({shown}); keras-mm will not replace it. Move those "
        "files out of it, or choose another --out."
    )


def check_parents(path):
    """Raise `ValueError` if a folder `path` could not be made: a file is
    where one of its parent folders would be."""
    for parent in pathlib.Path(path).absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise ValueError(
                f"--out {path}: {parent} is a file, so no folder can be "
                "made inside it. Choose another --out."
            )


def _sibling(path, kind):
    return path.parent / f".{path.name}.{kind}"


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def output_lock(path):
    """Hold `.NAME.lock` beside `path`; refuse if another run holds it.

    The lock names its run (pid, host, start, command). A lock left by a
    process of this host that no longer runs is taken over.
    """
    path = pathlib.Path(path).absolute()
    if path in _HELD:  # Re-entrant: export inside a train run.
        yield
        return
    check_parents(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _sibling(path, "lock")
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv),
    }
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            try:
                other = json.loads(lock.read_text())
            except (OSError, ValueError):
                other = {}
            mine = other.get("host") == owner["host"]
            if mine and not _alive(int(other.get("pid", 0))):
                _log(f"Taking over the lock of a run that ended: {lock}")
                lock.unlink(missing_ok=True)
                continue
            raise RuntimeError(
                f"Another keras-mm run is writing to {path}: pid "
                f"{other.get('pid', '?')} on {other.get('host', '?')}, "
                f"started {other.get('started', '?')} "
                f"({other.get('command', '?')}). Wait for it to end, or "
                f"delete {lock} if it is gone."
            ) from None
    else:
        raise RuntimeError(f"Could not take the lock {lock}.")
    with os.fdopen(fd, "w") as f:
        json.dump(owner, f)
    _HELD.add(path)
    try:
        yield
    finally:
        _HELD.discard(path)
        lock.unlink(missing_ok=True)


def interrupted_swap(path):
    """Whether a swap to `path` was cut, leaving `.NAME.old-*` beside it."""
    path = pathlib.Path(path).absolute()
    return path.parent.is_dir() and any(path.parent.glob(f".{path.name}.old-*"))


def recover(path):
    """Restore or remove what an interrupted run left beside `path`.

    A `.NAME.old-*` folder is the previous bundle of a swap that was cut
    between its two renames: it is restored if `path` is missing. Other
    `.old-*` and `.partial-*` leftovers are removed. Each step is logged.
    """
    path = pathlib.Path(path).absolute()
    if not path.parent.is_dir():
        return
    olds = sorted(path.parent.glob(f".{path.name}.old-*"))
    partials = sorted(path.parent.glob(f".{path.name}.partial-*"))
    if olds and not path.exists():
        olds[-1].rename(path)
        _log(f"Restored the previous bundle {path} from an interrupted swap.")
        olds = olds[:-1]
    for leftover in olds + partials:
        shutil.rmtree(leftover, ignore_errors=True)
        _log(f"Removed {leftover}, left by an interrupted run.")


@contextlib.contextmanager
def prepared_output(path):
    """Lock `path`, recover leftovers and check it may be replaced."""
    with output_lock(path):
        recover(path)
        check_output(path)
        yield


@contextlib.contextmanager
def staging_directory(target):
    """Yield a fresh folder that replaces `target` only on success.

    The folder is created beside `target`; when the `with` block finishes
    it gets `MARKER` and is renamed to `target`, whose previous bundle is
    renamed away first and deleted last. If the block raises, `target` is
    untouched and the partial folder is kept for inspection (the error
    names it); the next run to `target` removes it.

    Example:

    ```python
    with staging_directory("saved_models/demo") as tmp:
        write_bundle(model, preprocessor, tmp)
    ```
    """
    target = pathlib.Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(
        tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-")
    )
    staging.chmod(0o755)  # mkdtemp makes it private; a bundle is not.
    try:
        yield staging
    except BaseException as e:
        if hasattr(e, "add_note"):
            e.add_note(f"Partial output kept in {staging}")
        raise
    files = [p.name for p in staging.iterdir()]
    (staging / MARKER).write_text(json.dumps(marker(files)) + "\n")
    swap(staging, target)


def swap(staging, target):
    """Rename `staging` to `target`; a `target` bundle is replaced.

    At every instant either `target` or `.NAME.old-*` holds the previous
    bundle, and `recover` restores the latter. `target` is checked again
    (`check_output`) first: a file put into it while the run worked
    stops the swap, and the new bundle is kept in `staging`.
    """
    try:
        check_output(target)
    except ValueError as e:
        e.add_note(f"The new bundle is kept in {staging}")
        raise
    old = target.parent / f".{target.name}.old-{staging.name.split('-')[-1]}"
    if target.exists():
        if any(target.iterdir()):
            target.rename(old)
        else:
            target.rmdir()
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
