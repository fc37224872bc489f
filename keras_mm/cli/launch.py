"""`keras-mm train --local-processes N`: one run in N local processes.

Each process is `keras-mm train` with the same options and
`--num-processes N --process-id I --coordinator 127.0.0.1:PORT`, on the
JAX backend. Process 0 prints and writes as a single process would; the
others' output goes to a temporary log, shown if they fail. When one
process fails or is killed, the others are stopped: the run's backup
stays for `--resume`.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from keras_mm.log import log


def run_local_processes(args):
    """Run `args` (a `train` with `--local-processes N`) in N processes."""
    count = args.local_processes
    argv = _without_local_processes(args.argv)
    port = _free_port()
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    noun = "process" if count == 1 else "processes"
    log(f"Training in {count} {noun} on the JAX backend...")
    with tempfile.TemporaryDirectory(prefix="keras-mm-processes-") as logs:
        processes, outputs = [], []
        try:
            for index in range(count):
                command = [
                    sys.executable,
                    "-m",
                    "keras_mm",
                    *argv,
                    "--num-processes",
                    str(count),
                    "--process-id",
                    str(index),
                    "--coordinator",
                    f"127.0.0.1:{port}",
                ]
                output = None
                if index:
                    output = open(os.path.join(logs, f"{index}.log"), "w")
                    outputs.append(output)
                processes.append(
                    subprocess.Popen(
                        command,
                        env=environment,
                        stdout=output,
                        stderr=output and subprocess.STDOUT,
                    )
                )
            failed = _wait(processes)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            for output in outputs:
                output.close()
        if failed is not None:
            _raise_failure(args, failed, processes[failed], logs)


def _wait(processes, grace=5.0):
    """Wait for all; the index of the process that failed first, if any.

    The others get `grace` seconds to fail too: a process killed by a
    signal is then named before those that lost it, and a bad option or
    manifest, which fails every process, is named by process 0, which
    printed it.
    """
    while True:
        codes = [process.poll() for process in processes]
        if all(code == 0 for code in codes):
            return None
        if any(codes):
            break
        time.sleep(0.2)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    codes = [process.returncode or 0 for process in processes]
    killed = [index for index, code in enumerate(codes) if code < 0]
    if killed:
        return killed[0]
    return 0 if codes[0] else next(i for i, c in enumerate(codes) if c)


def _raise_failure(args, index, process, logs):
    code = process.returncode
    if code < 0:
        what = f"was killed ({signal.Signals(-code).name})"
    elif index == 0:
        what = "failed (its error is above)"
    else:
        with open(os.path.join(logs, f"{index}.log")) as f:
            lines = [line.strip() for line in f if line.strip()]
        what = f"failed: {lines[-1] if lines else f'exit status {code}'}"
    # Imported here: the launcher starts its processes without TensorFlow.
    from keras_mm.training.resume import completed_epochs
    from keras_mm.workflow.run_folder import run_folder

    done = completed_epochs(run_folder(args.out))
    backup = (
        f" The run is backed up after epoch {done}: run the same command "
        "with --resume to continue it."
        if done
        else ""
    )
    raise ChildProcessError(
        f"Process {index} of {args.local_processes} {what}; the other "
        f"processes were stopped.{backup}"
    )


def _without_local_processes(argv):
    """`argv` without its `--local-processes N` (or `=N`)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--local-processes":
            skip = True
        elif not arg.startswith("--local-processes="):
            kept.append(arg)
    return kept


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
