import pathlib

import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted(
    (pathlib.Path(__file__).parents[1] / "notebooks").glob("*.ipynb")
)


@pytest.mark.long
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_MM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("KERAS_MM_NOTEBOOK_OUT", str(tmp_path / "bundle"))
    monkeypatch.setenv("KERAS_MM_HOME", str(tmp_path / "home"))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
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
