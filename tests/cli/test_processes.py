import csv
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from keras_mm.cli.main import main
from tests.data.media import write_csv
from tests.helpers import small_demo

TRAIN = (
    "train --model seed000_concat --data {data} --val {val} --epochs 5 "
    "--batch-size 16 --out {out}"
)


def history(bundle):
    with open(bundle / "history.csv") as f:
        return {
            key: [float(row[key]) for row in rows]
            for rows in [list(csv.DictReader(f))]
            for key in ("loss", "val_loss")
        }


def process_ids(out, index):
    """PIDs of process `index` of the run to `out`."""
    wanted = f"--process-id\0{index}\0"
    pids = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_text()
        except OSError:
            continue
        if wanted in command and str(out) in command:
            pids.append(int(proc.name))
    return pids


@pytest.mark.long
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_two_processes_train_and_resume_after_a_kill(tmp_path, capfd):
    """A run in two processes, one of them killed, resumed to a bundle.

    That its loss curve is one process's, but for run-to-run noise, is
    measured by `benchmarks/multi_process.py` (a test run would cost as
    much again).
    """
    # 48 training and 16 validation rows. With 5 epochs, the 4 after the
    # first backup leave time for the kill.
    rows = small_demo(tmp_path)
    data = write_csv(tmp_path / "train.csv", rows[:48])
    val = write_csv(tmp_path / "val.csv", rows[48:])
    two = tmp_path / "two"
    command = TRAIN.format(data=data, val=val, out=two) + " --local-processes 2"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "keras_mm", *command.split()],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    state = tmp_path / ".two.run" / "state.json"
    deadline = time.time() + 300
    while time.time() < deadline and launcher.poll() is None:
        if state.is_file() and json.loads(state.read_text())["epochs"] >= 1:
            break
        time.sleep(0.05)
    victims = process_ids(two, 1)
    assert launcher.poll() is None and victims, "the run ended too soon"
    os.kill(victims[0], signal.SIGKILL)
    _, errors = launcher.communicate(timeout=120)
    assert launcher.returncode == 1
    assert (
        errors.strip()
        .splitlines()[-1]
        .startswith(
            "keras-mm: error: Process 1 of 2 was killed (SIGKILL); the other "
            "processes were stopped. The run is backed up after epoch"
        )
    )
    assert not two.exists() and not process_ids(two, 0)

    assert main(f"{command} --resume".split()) == 0
    assert "Resuming the run" in capfd.readouterr().err
    curves = history(two)
    assert len(curves["loss"]) == 5
    assert curves["loss"][-1] < curves["loss"][0]
    assert main(["evaluate", "--model-dir", str(two), "--data", str(val)]) == 0
    evaluated = json.loads(capfd.readouterr().out)
    saved = json.loads((two / "metrics.json").read_text())
    assert saved["epochs"] == 5
    assert evaluated["accuracy"] == pytest.approx(saved["accuracy"], abs=0.07)
    assert evaluated["loss"] == pytest.approx(saved["loss"], rel=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "demo",
        "small",
        "train.csv",
        "two",
        "val.csv",
    ]


@pytest.mark.parametrize(
    "options, error",
    [
        ("--local-processes 0", "--local-processes must be at least 1"),
        ("--local-processes 2 --num-processes 2", "starts its own processes"),
        ("--num-processes 2", "go together"),
        (
            "--num-processes 2 --process-id 2 --coordinator h:1",
            "--process-id must be below --num-processes (2)",
        ),
        ("--local-processes 3", "--batch-size (16) must be a multiple"),
        ("--local-processes 2 --jit-compile tune", "could choose differently"),
        (
            "--num-processes 2 --process-id 0 --coordinator h:1",
            "needs the JAX backend",
        ),
    ],
)
def test_bad_process_options_are_named(options, error, tmp_path, capsys):
    command = TRAIN.format(data="demo", val="demo", out=tmp_path / "out")
    assert main(f"{command} {options}".split()) == 1
    assert error in capsys.readouterr().err.strip().splitlines()[-1]
    assert not list(tmp_path.iterdir())
