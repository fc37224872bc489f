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


@pytest.mark.parametrize(
    "content, message",
    [
        (
            'image,label\na.png,x\n"b.png,y\nc.png,z\n',
            r"m.csv, row 2 \(from line 3\).*quote",
        ),
        (
            "image,label\na.png,x\nb.png,y,extra\n",
            r"m.csv, row 2 \(line 3\): 3 fields, but the header has 2",
        ),
        (
            "image,text,label\na.png,hi,x\nb.png,y\n",
            r"m.csv, row 2 \(line 3\): 2 fields, but the header has 3",
        ),
        (
            'image,label\na.png,"x\ny,z"\nc.png,d,e\n',
            r"m.csv, row 2 \(line 4\): 3 fields",
        ),
        ("image,label,image\na.png,x,\n", r"duplicate column.*'image'"),
    ],
)
def test_csv_structure_errors_name_the_row(content, message, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(content)
    with pytest.raises(ManifestError, match=message):
        Manifest.read(path)


def test_a_quoted_cell_may_span_lines(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('text,label\n"two\nlines",x\nthree,y\n')
    manifest = Manifest.read(path)
    assert manifest.column("text") == ["two\nlines", "three"]


@pytest.mark.parametrize("name", ["m.csv", "m.jsonl"])
def test_a_byte_order_mark_is_dropped(name, tmp_path):
    path = tmp_path / name
    writer = write_csv if name.endswith("csv") else write_jsonl
    writer(path, ROWS)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    manifest = Manifest.read(path)
    assert manifest.columns == {"image", "text", "label"}


@pytest.mark.parametrize("name, line", [("m.csv", 3), ("m.jsonl", 2)])
def test_non_utf8_bytes_name_the_line(name, line, tmp_path):
    path = tmp_path / name
    writer = write_csv if name.endswith("csv") else write_jsonl
    writer(path, ROWS)
    path.write_bytes(path.read_bytes().replace(b"yo", b"y\xe9"))
    with pytest.raises(ManifestError, match=f"{name}, line {line}: byte 0xe9"):
        Manifest.read(path)


def test_jsonl_duplicate_keys_name_the_line(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"image": "a.png", "label": "x"}\n\n'
        '{"image": "a.png", "image": "b.png", "label": "y"}\n'
    )
    with pytest.raises(ManifestError) as info:
        Manifest.read(path)
    assert str(info.value) == (
        f'{path}, line 3: the key "image" appears more than once; each '
        "field must be given once."
    )


@pytest.mark.parametrize(
    "field, value, kind",
    [
        ("text", ["a", "list"], "array"),
        ("label", {"name": "x"}, "object"),
        ("image", ["a.png"], "array"),
    ],
)
def test_jsonl_non_scalar_fields_name_the_line_and_field(
    field, value, kind, tmp_path
):
    rows = [dict(row) for row in ROWS]
    rows[1][field] = value
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    path.write_text("\n" + path.read_text())  # Row 2 is on line 3.
    manifest = Manifest.read(path)
    with pytest.raises(ManifestError) as info:
        manifest.column(field)
    assert str(info.value) == (
        f'{path}, row 2 (line 3): the "{field}" field is a JSON {kind}; '
        "expected a string or a number."
    )


def test_a_non_ascii_digit_label_names_its_row(tmp_path):
    rows = [dict(row) for row in ROWS] + [dict(ROWS[0], label="²")]
    manifest = Manifest.read(write_csv(tmp_path / "m.csv", rows))
    with pytest.raises(ManifestError) as info:
        learn_class_names(manifest)
    assert str(info.value).startswith(
        f"{tmp_path / 'm.csv'}, row 4: label '²' is written with digit "
        "characters other than 0-9"
    )


def test_the_fingerprint_sees_cells_and_files(tmp_path):
    (tmp_path / "a.png").write_bytes(b"png")
    before = Manifest.read(write_csv(tmp_path / "m.csv", ROWS)).fingerprint()
    assert before == Manifest.read(tmp_path / "m.csv").fingerprint()
    (tmp_path / "a.png").write_bytes(b"other png")
    files = Manifest.read(tmp_path / "m.csv").fingerprint()
    assert files["files"][0] != before["files"][0]
    assert files["files"][1:] == before["files"][1:]
    assert files["cells"] == before["cells"]
    rows = [dict(row) for row in ROWS]
    rows[2]["label"] = "10"
    cells = Manifest.read(write_csv(tmp_path / "m.csv", rows)).fingerprint()
    assert cells["cells"][:2] == files["cells"][:2]
    assert cells["cells"][2] != files["cells"][2]
