"""`keras-mm prepare`: media decoded once, read back from TFRecord shards."""

import json
import shutil

import numpy as np
import pytest

from keras_mm.data import make_demo_dataset
from keras_mm.data.prepared import write_prepared
from keras_mm.tasks import task_of
from keras_mm.workflow import read_manifest
from tests.cli.test_cli import cli

# (zoo model, demo dataset, dataset options to compare besides the default).
MODELS = {
    "multimodal_classifier": ("factorial", [{"labels": False}]),
    "transformer_captioner": ("captions", [{"captions": False}]),
    "dual_encoder": ("captions", [{"texts": False}]),
}


def prepare(model, dataset, directory, shard_mb=0.5):
    """`(manifest, prepared folder, preprocessor)` of a small demo set."""
    manifest = read_manifest(
        str(make_demo_dataset(directory / "data", 40, 1, dataset))
    )
    _, preprocessor = task_of(model).fit_to(manifest, model)
    (directory / "prepared").mkdir()
    shards = write_prepared(
        preprocessor, manifest, directory / "prepared", shard_mb
    )
    assert shards > 1
    return manifest, directory / "prepared", preprocessor


def assert_same_batches(a, b):
    count = 0
    for x, y in zip(a, b, strict=True):
        for u, v in zip(_flat(x), _flat(y), strict=True):
            np.testing.assert_array_equal(u, v)
        count += 1
    assert count > 0


def _flat(nest):
    if isinstance(nest, dict):
        return [nest[k] for k in sorted(nest)]
    if isinstance(nest, (tuple, list)):
        return [x for item in nest for x in _flat(item)]
    return [nest]


@pytest.mark.parametrize("model", list(MODELS))
def test_prepared_batches_are_those_of_the_manifest(model, tmp_path):
    dataset, options = MODELS[model]
    manifest, prepared, preprocessor = prepare(model, dataset, tmp_path)
    runs = [
        (split, dict(shuffle=True, seed=4, epochs=(0, 2), cache=cache))
        for split in (0, 1)
        for cache in (True, False)
    ] + [(None, extra) for extra in options]

    def batches(manifest):
        parts = manifest.split(0.25, seed=1)
        return [
            list(
                preprocessor.dataset(
                    manifest if split is None else parts[split], 8, **kwargs
                )
            )
            for split, kwargs in runs
        ]

    from_files = batches(manifest)
    # The media are read from the shards only: the files can go.
    shutil.rmtree(tmp_path / "data" / "images")
    from_shards = batches(read_manifest(str(prepared)))
    for a, b in zip(from_files, from_shards, strict=True):
        assert_same_batches(a, b)


def test_shuffle_buffer_of_prepared_rows_keeps_to_the_budget(tmp_path):
    manifest, prepared, preprocessor = prepare(
        "multimodal_classifier", "factorial", tmp_path
    )
    prepared_manifest = read_manifest(str(prepared))
    # About 6 rows of image and audio fit in 0.35 MB: a bounded shuffle
    # still yields every row once per epoch, in another order.
    data = preprocessor.dataset(
        prepared_manifest,
        4,
        shuffle=True,
        seed=0,
        epochs=(0, 2),
        cache="auto",
        cache_mb=0.35,
        shuffle_mb=0.35,
        labels=False,
    )
    # Keras knows an epoch's steps without running out of data.
    assert int(data.cardinality()) == 2 * len(manifest) // 4
    audio = np.concatenate([x["audio"][:, :16] for x in data])
    epochs = audio.reshape(2, len(manifest), 16)
    files = preprocessor.dataset(manifest, 40, labels=False)
    expected = next(iter(files))["audio"].numpy()[:, :16]
    for epoch in epochs:
        order = [np.flatnonzero((expected == row).all(-1))[0] for row in epoch]
        assert sorted(order) == list(range(len(manifest)))
        assert order != list(range(len(manifest)))
    assert not np.array_equal(epochs[0], epochs[1])


def test_a_model_with_other_media_shapes_is_refused(tmp_path):
    _, prepared, _ = prepare("multimodal_classifier", "factorial", tmp_path)
    manifest = read_manifest(str(prepared))
    _, other = task_of("multimodal_classifier").fit_to(
        manifest, "multimodal_classifier", image_shape=(32, 32, 3)
    )
    with pytest.raises(ValueError, match=r"image of shape \(64, 64, 3\)"):
        next(iter(other.dataset(manifest)))


def test_a_missing_shard_is_named(tmp_path):
    _, prepared, _ = prepare("multimodal_classifier", "factorial", tmp_path)
    (prepared / "media-00002-of-00007.tfrecord").unlink()
    with pytest.raises(ValueError, match="lacks its shard media-00002"):
        read_manifest(str(prepared))


def test_cli_prepares_trains_and_evaluates_without_the_files(tmp_path, capsys):
    data = make_demo_dataset(tmp_path / "data", 48, 2)
    shards = tmp_path / "shards"
    command = (
        "prepare --data {d} --model seed000_concat --shard-mb .05 --out {o}"
    )
    assert cli(command, d=data, o=shards) == 0
    count = len(list(shards.glob("media-*.tfrecord")))
    out = capsys.readouterr().out
    assert count > 1 and f"48 rows in {count} shard(s): {shards}" in out
    run = tmp_path / "run"
    command = "train --model seed000_concat --data {d} --epochs 1 --out {o}"
    assert cli(command, d=shards, o=run) == 0
    capsys.readouterr()
    evaluate = "evaluate --model-dir {m} --data {d}"
    assert cli(evaluate, m=run, d=data) == 0
    from_files = json.loads(capsys.readouterr().out)
    # Training and evaluation read no media file.
    (tmp_path / "data" / "images").rename(tmp_path / "elsewhere")
    assert cli(evaluate, m=run, d=shards) == 0
    assert json.loads(capsys.readouterr().out) == from_files


@pytest.mark.parametrize(
    "command, message",
    [
        (
            "prepare --data {bad} --model seed000_concat --out {tmp}/x",
            "row 3",
        ),
        (
            "prepare --data {data} --model seed000_concat --out {tmp}/user",
            "holds other files",
        ),
        (
            "train --model seed000_concat --data {tmp}/user --out {tmp}/x",
            "folder without prepared.json",
        ),
        (
            "prepare --data {data} --model seed000_concat --shard-mb 0 "
            "--out {tmp}/x",
            "--shard-mb must be",
        ),
    ],
)
def test_prepare_errors_are_one_line(command, message, tmp_path, capsys):
    data = make_demo_dataset(tmp_path / "data", 8, 2)
    lines = data.read_text().splitlines()
    lines[3] = lines[3].replace(".png", ".missing.png")
    bad = data.with_name("bad.csv")
    bad.write_text("\n".join(lines) + "\n")
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "notes.txt").write_text("mine")
    assert cli(command, data=data, bad=bad, tmp=tmp_path) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("keras-mm: error: ")
    assert message in err[-1]
    assert not (tmp_path / "x").exists()
    assert (tmp_path / "user" / "notes.txt").read_text() == "mine"
