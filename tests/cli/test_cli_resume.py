import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from keras_mm.cli.main import main
from keras_mm.data import make_demo_dataset
from tests.data.media import write_csv
from tests.helpers import assert_same_weights
from tests.helpers import small_demo

# Tests of this module share trained bundles: one worker runs them all.
pytestmark = [pytest.mark.xdist_group("test_cli_resume"), pytest.mark.long]

TRAIN = (
    "train --model multimodal_classifier --data {demo} --epochs 4 "
    "--batch-size 16 --out {out}"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo_dataset(tmp_path_factory.mktemp("data"), 64, seed=6)


def cli(command, **paths):
    return main(command.format(**paths).split())


def kill_after_epoch(command, state, epochs):
    """Start `keras-mm COMMAND`; SIGKILL it once `epochs` are backed up."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "keras_mm", *command.split()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if (
            state.is_file()
            and json.loads(state.read_text())["epochs"] >= epochs
        ):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_killed_run_resumes_to_the_same_weights(tmp_path, capsys):
    full, part = tmp_path / "full", tmp_path / "part"
    demo = write_csv(tmp_path / "small.csv", small_demo(tmp_path))
    assert cli(TRAIN, demo=demo, out=full) == 0
    command = TRAIN.format(demo=demo, out=part)
    # Short epochs are not all backed up (see `TrainingState`): killed
    # after the first backup, the run resumes from epoch 1, 2 or 3.
    kill_after_epoch(command, tmp_path / ".part.run" / "state.json", 1)
    assert not part.exists()
    assert cli(command + " --resume") == 0
    assert "Resuming the run" in capsys.readouterr().err
    assert_same_weights(full, part)
    history = (part / "history.csv").read_text().splitlines()
    assert history == (full / "history.csv").read_text().splitlines()
    assert json.loads((part / "metrics.json").read_text())["epochs"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "demo",
        "full",
        "part",
        "small",
        "small.csv",
    ]


def test_a_stale_run_is_not_silently_reused(demo, tmp_path, capsys):
    out = tmp_path / "out"
    run = tmp_path / ".out.run"
    run.mkdir()
    (run / "run.json").write_text('{"model": "seed000_concat"}')
    assert cli(TRAIN + " --resume", demo=demo, out=out) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--resume: the interrupted run had other options:" in error
    assert "--model seed000_concat (now multimodal_classifier)" in error
    assert cli(TRAIN.replace("4", "1"), demo=demo, out=out) == 0
    assert "Discarding the interrupted run" in capsys.readouterr().err
    assert not run.exists()


def test_resume_needs_an_interrupted_run(demo, tmp_path, capsys):
    assert cli(TRAIN + " --resume", demo=demo, out=tmp_path / "out") == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "no interrupted run" in error


def test_resume_refuses_data_that_changed(demo, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("keras_mm.workflow.fit.train", interrupted)
    shutil.copytree(demo.parent, tmp_path / "data")
    data = tmp_path / "data" / "data.csv"
    (data.parent / demo.name).rename(data)
    out = tmp_path / "out"
    assert cli(TRAIN, demo=data, out=out) == 130
    resume = TRAIN + " --resume"
    # The same data: resumed (and interrupted again).
    assert cli(resume, demo=data, out=out) == 130
    assert "Resuming the run" in capsys.readouterr().err
    # Every label reversed; same paths, same options.
    lines = data.read_text().splitlines()
    labels = [line.rsplit(",", 1) for line in lines[1:]]
    reversed_labels = [label for _, label in labels][::-1]
    rows = [
        f"{cells},{label}" for (cells, _), label in zip(labels, reversed_labels)
    ]
    data.write_text("\n".join([lines[0], *rows]) + "\n")
    assert cli(resume, demo=data, out=out) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--resume: the training data changed since the interrupted" in error
    assert "data.csv, row" in error and "its cells changed" in error
    # Back to the original rows, but one image rewritten.
    data.write_text("\n".join(lines) + "\n")
    image = data.parent / "images" / "00003.png"
    image.write_bytes(image.read_bytes() + b"\0")
    assert cli(resume, demo=data, out=out) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "data.csv, row 4" in error and "a media file changed" in error
    # One row fewer.
    data.write_text("\n".join(lines[:-1]) + "\n")
    assert cli(resume, demo=data, out=out) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "gives 50 rows (it gave 51)" in error
