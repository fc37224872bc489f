import csv
import io

import pytest

from keras_mm.cli.main import main
from keras_mm.data import Manifest
from keras_mm.data import make_demo_dataset
from tests.data.media import write_csv

# Tests of this module share trained bundles: one worker runs them all.
pytestmark = pytest.mark.xdist_group("test_cli_absent")


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    """A demo manifest where each row lacks one modality in turn."""
    directory = tmp_path_factory.mktemp("gappy")
    rows = Manifest.read(make_demo_dataset(directory, 48, seed=4)).rows
    for index, row in enumerate(rows):
        missing = ("image", "audio", "text", None)[index % 4]
        if missing:
            row[missing] = ""
    return write_csv(directory / "gappy.csv", rows)


def run(command, **paths):
    return main(command.format(**paths).split())


def test_empty_cells_are_absent_in_train_evaluate_and_predict(
    gappy, tmp_path, capsys
):
    out = tmp_path / "model"
    train = (
        "train --model multimodal_classifier --data {d} --epochs 1 --out {o}"
    )
    assert run(train, d=gappy, o=out) == 0
    assert run("evaluate --model-dir {o} --data {d}", o=out, d=gappy) == 0
    capsys.readouterr()
    assert run("predict --model-dir {o} --data {d}", o=out, d=gappy) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [int(r["row"]) for r in rows] == list(range(1, 49))


def test_a_model_that_needs_every_modality_names_the_row(
    gappy, tmp_path, capsys
):
    train = "train --model seed000_concat --data {d} --epochs 1 --out {o}"
    assert run(train, d=gappy, o=tmp_path / "model") == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert 'gappy.csv, row 1: the "image" cell is empty' in error
