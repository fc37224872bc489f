import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests compile hundreds of tiny XLA programs (every eager JAX op, every
# `jit_compile=True` step), where LLVM's optimisation is most of the
# compile time and none of the run time: 285 s to 190 s for the JAX part.
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
# Under `pytest -n N`, thread pools as wide as the machine in each worker
# oversubscribe the cores with tiny ops: one thread per worker on 2 cores
# ran the zoo, fusion and captioning tests in 0.88-0.96 of the time, and
# the JAX part in 0.93-0.94 (two interleaved rounds each, 2026-12-08).
WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if WORKERS > 1:
    THREADS = str(max(1, (os.cpu_count() or 1) // WORKERS))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", THREADS)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", THREADS)
    if THREADS == "1":
        os.environ["XLA_FLAGS"] += (
            " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        )


def pytest_collection_modifyitems(items):
    # Long tests first: with `-n 2`, one that starts last keeps its worker
    # busy while the other, done, waits.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


# The speech recognizer that `tests/speech/test_speech_cli.py` tests and
# `tests/qa/test_qa_cli.py` hears spoken questions with, trained once for
# both: their tests share one worker (`tests.helpers.SPEECH_GROUP`).
@pytest.fixture(scope="session")
def speech_demo(tmp_path_factory):
    from keras_mm.data.demo_speech import write_speech_demo

    return write_speech_demo(tmp_path_factory.mktemp("speech"), 40, seed=3)


@pytest.fixture(scope="session")
def speech_bundle(speech_demo, tmp_path_factory):
    from keras_mm.cli.main import main

    out = tmp_path_factory.mktemp("bundles") / "asr"
    command = (
        f"train --model ctc_speech_recognizer --data {speech_demo} "
        f"--epochs 2 --batch-size 8 --out {out}"
    )
    assert main(command.split()) == 0
    return out
