import pytest

from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data import learn_class_names
from tests.data.media import write_csv
from tests.data.media import write_jsonl

ROWS = [
    {"image": "a.png", "text": "hi", "label": "2"},
    {"image": "/abs/b.png", "text": "yo", "label": "10"},
    {"image": "sub/c.png", "text": "hey", "label": "2"},
]


@pytest.mark.parametrize(
    "writer, name", [(write_csv, "m.csv"), (write_jsonl, "m.jsonl")]
)
def test_read_resolves_relative_paths(writer, name, tmp_path):
    manifest = Manifest.read(writer(tmp_path / name, ROWS))
    assert len(manifest) == 3
    assert manifest.columns == {"image", "text", "label"}
    assert manifest.column("image") == [
        str(tmp_path / "a.png"),
        "/abs/b.png",
        str(tmp_path / "sub" / "c.png"),
    ]
    assert manifest.column("text") == ["hi", "yo", "hey"]


def test_integer_labels_sort_numerically(tmp_path):
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", ROWS))
    assert learn_class_names(manifest) == ["2", "10"]


def test_missing_manifest(tmp_path):
    with pytest.raises(ManifestError, match="not found"):
        Manifest.read(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", ["", "image,label\n"])
def test_empty_manifest(content, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(content)
    with pytest.raises(ManifestError, match="has no rows"):
        Manifest.read(path)


def test_missing_column_names_manifest_and_columns(tmp_path):
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", ROWS))
    with pytest.raises(ManifestError, match='no "audio" column.*image'):
        manifest.column("audio")


def test_empty_cell_names_the_row(tmp_path):
    rows = [dict(ROWS[0]), dict(ROWS[1], text=" ")]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    with pytest.raises(ManifestError, match=r'm.csv, row 2: the "text" cell'):
        manifest.column("text")


def test_invalid_jsonl_names_the_line(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"text": "a"}\n{"text": \n')
    with pytest.raises(ManifestError, match="line 2: invalid JSON"):
        Manifest.read(path)


def test_single_label_is_rejected(tmp_path):
    rows = [dict(row, label="x") for row in ROWS]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    with pytest.raises(ManifestError, match="at least 2"):
        learn_class_names(manifest)


def test_split_is_stratified_and_keeps_row_numbers(tmp_path):
    rows = [{"text": f"t{i}", "label": "ab"[i % 2]} for i in range(20)]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    train, val = manifest.split(0.2, seed=1)
    assert len(train) == 16 and len(val) == 4
    assert sorted(r["label"] for r in val.rows) == ["a", "a", "b", "b"]
    assert sorted(train.row_numbers + val.row_numbers) == list(range(1, 21))
    again_train, _ = manifest.split(0.2, seed=1)
    assert again_train.row_numbers == train.row_numbers


def test_split_too_small(tmp_path):
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", ROWS[:1]))
    with pytest.raises(ManifestError, match="too few rows"):
        manifest.split(0.2)
