import pathlib

import jupyter_client
import nbclient
import nbformat
import pytest

FOLDER = pathlib.Path(__file__).parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))

# One kernel runs every notebook (one worker, one import of TensorFlow
# and keras_mm): each starts from an empty namespace (`%reset -f`).
pytestmark = [pytest.mark.long, pytest.mark.xdist_group("notebooks")]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(FOLDER))
    yield manager, tmp_path_factory.mktemp("home")
    manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, kernel, tmp_path):
    manager, home = kernel
    environment = {
        "KERAS_MM_NOTEBOOK_SMALL": "1",
        "KERAS_MM_NOTEBOOK_OUT": str(tmp_path / "bundle"),
        "KERAS_MM_HOME": str(home),
    }
    notebook = nbformat.read(path, as_version=4)
    setup = nbformat.v4.new_code_cell(
        f"%reset -f\nimport os\nos.environ.update({environment!r})"
    )
    notebook.cells.insert(0, setup)
    client = nbclient.NotebookClient(notebook, timeout=600, km=manager)
    client.execute()
    outputs = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    if "KERAS_MM_NOTEBOOK_OUT" in path.read_text():
        bundle = tmp_path / "bundle" / "saved_model" / "saved_model.pb"
        assert bundle.is_file()
