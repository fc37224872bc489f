import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests compile hundreds of tiny XLA programs (every eager JAX op, every
# `jit_compile=True` step), where LLVM's optimisation is most of the
# compile time and none of the run time: 285 s to 190 s for the JAX part.
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")


def pytest_collection_modifyitems(items):
    # Long tests first: with `-n 2`, one that starts last keeps its worker
    # busy while the other, done, waits.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
