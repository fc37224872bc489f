import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest

from keras_mm.export import check_output
from keras_mm.export import prepared_output
from keras_mm.export import staging_directory
from keras_mm.export.output_folder import MARKER
from keras_mm.export.output_folder import output_lock


def a_bundle(path, content="old"):
    path.mkdir()
    (path / "model.keras").write_text(content)
    (path / MARKER).write_text("{}")
    return path


def test_output_may_be_absent_empty_or_a_bundle(tmp_path):
    check_output(tmp_path / "new")
    check_output(tmp_path / "new" / "deeper")
    (tmp_path / "empty").mkdir()
    check_output(tmp_path / "empty")
    check_output(a_bundle(tmp_path / "bundle"))


@pytest.mark.parametrize(
    "marker",
    ["{}", '{"format": 2, "files": ["model.keras"]}'],
    ids=["format 2 without a file list", "with a file list"],
)
def test_a_bundle_holding_a_users_files_is_not_replaced(marker, tmp_path):
    bundle = a_bundle(tmp_path / "bundle")
    (bundle / MARKER).write_text(marker)
    (bundle / "predictions.csv").write_text("row,label\n")
    (bundle / "notes.md").write_text("mine")
    with pytest.raises(ValueError) as e:
        check_output(bundle)
    assert "did not write (notes.md, predictions.csv)" in str(e.value)


def test_the_marker_lists_the_bundles_own_files(tmp_path):
    target = tmp_path / "out"
    with staging_directory(target) as staging:
        (staging / "model.keras").write_text("new")
        (staging / "saved_model").mkdir()
    written = json.loads((target / MARKER).read_text())
    assert written["files"] == ["model.keras", "saved_model"]
    check_output(target)


def test_out_messages_name_the_actual_problem(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="notes.txt is a file, so no folder"):
        check_output(tmp_path / "notes.txt" / "model")
    with pytest.raises(ValueError, match="notes.txt is a file, so no folder"):
        with output_lock(tmp_path / "notes.txt" / "model"):
            pass
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    with pytest.raises(ValueError, match="is a symbolic link"):
        check_output(tmp_path / "link")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_output_refuses_other_folders_and_files(tmp_path):
    (tmp_path / "data.csv").write_text("image,label\n")
    with pytest.raises(ValueError, match="holds other files"):
        check_output(tmp_path)
    with pytest.raises(ValueError, match="is a file"):
        check_output(tmp_path / "data.csv")
    # Without the marker, a bundle's file names are only a user's files.
    for names in (
        ("model.keras", "preprocessing.json", "notes.txt"),
        ("model.keras", "preprocessing.json", "history.csv"),
    ):
        mine = tmp_path / names[-1].replace(".", "_")
        mine.mkdir()
        for name in names:
            (mine / name).write_text("x")
        with pytest.raises(ValueError, match="holds other files"):
            check_output(mine)


def test_staging_swaps_in_a_marked_bundle(tmp_path):
    target = a_bundle(tmp_path / "out")
    with staging_directory(target) as staging:
        (staging / "model.keras").write_text("new")
    assert (target / "model.keras").read_text() == "new"
    assert "format" in json.loads((target / MARKER).read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("cut", [1, 2])
def test_an_interrupted_swap_is_recovered(cut, tmp_path, monkeypatch):
    # Kill the swap at its first rename (old bundle away) or its second
    # (new bundle in): the previous bundle must survive or be restored.
    target = a_bundle(tmp_path / "out")
    renames = []
    original = pathlib.Path.rename

    def rename(self, to):
        renames.append(self)
        if len(renames) == cut:
            raise KeyboardInterrupt("killed")
        return original(self, to)

    monkeypatch.setattr(pathlib.Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        with staging_directory(target) as staging:
            (staging / "model.keras").write_text("new")
    monkeypatch.setattr(pathlib.Path, "rename", original)
    assert (target / "model.keras").exists() == (cut == 1)
    with prepared_output(target):
        assert (target / "model.keras").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_leftovers_are_named_when_removed(tmp_path, capsys):
    target = a_bundle(tmp_path / "out")
    (tmp_path / ".out.partial-abc").mkdir()
    with prepared_output(target):
        pass
    assert "Removed" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_is_refused_and_named(tmp_path):
    target = tmp_path / "out"
    with output_lock(target):
        with output_lock(target):  # The same run may re-enter.
            pass
        code = (
            "import sys\nfrom keras_mm.export.output_folder import "
            f"output_lock\nwith output_lock({str(target)!r}): pass\n"
        )
        other = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True
        )
        assert other.returncode != 0
        assert f"pid {os.getpid()}" in other.stderr
        assert "Another keras-mm run is writing to" in other.stderr
    assert not (tmp_path / ".out.lock").exists()


def test_a_dead_runs_lock_is_taken_over(tmp_path, capsys):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
    )
    lock = tmp_path / ".out.lock"
    lock.write_text(
        json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()})
    )
    with output_lock(tmp_path / "out"):
        pass
    assert "Taking over" in capsys.readouterr().err
