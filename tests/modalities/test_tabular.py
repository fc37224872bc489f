import numpy as np
import pytest
import tensorflow as tf

from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data import make_demo_dataset
from keras_mm.export import export_bundle
from keras_mm.export import load_bundle
from keras_mm.modalities import get_modality
from keras_mm.tasks import get_task
from tests.cli.test_cli import cli
from tests.data.media import add_size_column
from tests.data.media import write_csv

FEATURES = [
    {"name": "age", "kind": "numeric", "mean": 5.0, "variance": 4.0},
    {"name": "breed", "kind": "categorical", "categories": ["lab", "pug"]},
    {"name": "weight", "kind": "numeric", "mean": 0.0, "variance": 1.0},
]
ROWS = [
    {"age": "3", "breed": "lab", "weight": "30.5", "label": "big"},
    {"age": "7", "breed": "pug", "weight": "", "label": "small"},
    {"age": "", "breed": "lab", "weight": "28", "label": "big"},
    {"age": "5", "breed": "", "weight": "8", "label": "small"},
    {"age": "9", "breed": "lab", "weight": "31", "label": "big"},
]


def sized(rows, features):
    manifest = Manifest(rows, "pets.csv")
    overrides, _ = get_modality("tabular").size(
        manifest, {}, {"features": features}
    )
    return overrides["modality_config"]["tabular"]["features"]


def test_sizing_learns_kinds_statistics_and_categories():
    age, breed, weight = sized(ROWS, ["age", "breed", "weight"])
    # Statistics of the given cells: empty ones are missing, not zeros.
    assert age == {
        "name": "age",
        "kind": "numeric",
        "mean": 6.0,
        "variance": pytest.approx(5.0),
    }
    assert breed == {
        "name": "breed",
        "kind": "categorical",
        "categories": ["lab", "pug"],  # Most frequent first.
    }
    assert weight["mean"] == pytest.approx(24.375)
    (age,) = sized(ROWS, "age:categorical")
    assert age["categories"] == ["3", "5", "7", "9"]


@pytest.mark.parametrize(
    "features, message",
    [
        (["height"], 'names "height", but manifest pets.csv has no such'),
        (["age", "age"], "distinct columns"),
        ([""], "distinct columns"),
    ],
)
def test_sizing_names_a_bad_feature(features, message):
    with pytest.raises((ManifestError, ValueError), match=message):
        sized(ROWS, features)


def test_an_empty_column_is_refused():
    rows = [dict(row, age="") for row in ROWS]
    with pytest.raises(ManifestError, match='"age" column .* empty in every'):
        sized(rows, ["age"])


def reader(features=FEATURES):
    settings = {"features": features}
    return get_modality("tabular").reader((len(features),), settings)


def test_cells_mark_missing_and_unseen_values():
    rows = [
        {"age": "3", "breed": "pug", "weight": "-1.5"},
        {"age": "", "breed": "", "weight": "0"},
        {"age": "4", "breed": "husky", "weight": ""},
    ]
    cells = reader().cells(Manifest(rows, "pets.csv"))
    np.testing.assert_array_equal(
        cells,
        # breed: 0 missing, 1 unseen, 2 lab, 3 pug.
        [[3, 3, -1.5], [np.nan, 0, 0], [4, 1, np.nan]],
    )
    assert reader().present(cells) == [True, True, True]
    assert reader().present(reader().empty(2)) == [False, False]


def test_a_bad_number_is_named_with_its_row():
    rows = [dict(ROWS[0]), dict(ROWS[1], age="seven")]
    with pytest.raises(ManifestError) as error:
        reader().check(Manifest(rows, "pets.csv"))
    assert str(error.value).startswith(
        'pets.csv, row 2: the "age" cell "seven" is not a number'
    )
    assert "--features age:categorical" in str(error.value)


# Tables with every fusion, and absent: the sweep of `tests/zoo`.


def test_the_saved_model_takes_raw_cells(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        breed = ["lab", "pug", "husky"][i % 3]
        rows.append(
            {
                "age": "" if i % 7 == 0 else f"{rng.uniform(1, 12):.1f}",
                "breed": "" if i % 9 == 0 else breed,
                "label": "big" if breed != "pug" else "small",
            }
        )
    path = write_csv(tmp_path / "pets.csv", rows)
    task = get_task("classification")
    manifest = Manifest.read(path)
    model, pre = task.fit_to(
        manifest.subset(range(30)),
        "multimodal_classifier",
        features="age,breed",
    )
    bundle = export_bundle(model, pre, tmp_path / "bundle")
    # Rows the training part did not see: an unseen breed too.
    test = Manifest(
        [
            *manifest.rows[30:],
            {"age": " 4 ", "breed": "chien de métis", "label": "big"},
        ],
        path,
    )
    examples = task.serving_examples(model, pre, test)
    inputs, expected = examples["serving_default"]
    assert inputs["tabular"][-1].tolist() == [b"4", "chien de métis".encode()]
    serving = tf.saved_model.load(str(bundle / "saved_model"))
    served = serving.signatures["serving_default"](
        tabular=tf.constant(inputs["tabular"])
    )
    np.testing.assert_allclose(
        served["output_0"].numpy(), expected["output_0"], atol=1e-5
    )


def test_a_table_trains_from_prepared_shards(tmp_path, capsys):
    # Demo images with a table column: `prepare` decodes the images; the
    # table is read from the prepared manifest's rows.
    data = make_demo_dataset(tmp_path / "data", 32, 1, "relation")
    add_size_column(data)
    shards = tmp_path / "shards"
    command = "prepare --data {d} --model multimodal_classifier --out {o}"
    assert cli(command, d=data, o=shards) == 0
    command = (
        "train --model multimodal_classifier --data {d} --features size "
        "--epochs 1 --out {o}"
    )
    assert cli(command, d=shards, o=tmp_path / "model") == 0
    _, pre = load_bundle(tmp_path / "model")
    assert list(pre.inputs) == ["image", "text", "tabular", "presence"]
    capsys.readouterr()
    command = "evaluate --model-dir {m} --data {d} --drop-modality tabular"
    assert cli(command, m=tmp_path / "model", d=shards) == 0
    assert "accuracy" in capsys.readouterr().out


def test_a_manifest_without_modalities_says_what_it_lacks():
    manifest = Manifest([dict(row) for row in ROWS], "pets.csv")
    task = get_task("classification")
    with pytest.raises(ManifestError) as error:
        task.fit_to(manifest, "multimodal_classifier")
    assert str(error.value) == (
        "Manifest pets.csv has none of the columns 'image', 'audio', "
        "'text', 'question', 'video' (or only empty cells in them), and no "
        "--features names others."
    )
    with pytest.raises(
        ValueError,
        match="Model 'seed004_attention' does "
        "not take --features; it works with: "
        "multimodal_classifier",
    ):
        task.fit_to(manifest, "seed004_attention", features=["age"])
