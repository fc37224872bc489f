"""The `video` modality through the tasks, the CLI and the SavedModel."""

import csv

import numpy as np
import pytest
import tensorflow as tf

from keras_mm import zoo
from keras_mm.data import Manifest
from keras_mm.export import load_bundle
from keras_mm.modalities.video import suggest_video_shape
from keras_mm.tasks import get_task
from keras_mm.workflow import read_manifest
from tests.cli.test_cli import cli
from tests.data.media import moving_clip
from tests.data.media import write_clip
from tests.data.media import write_csv
from tests.data.media import write_wav
from tests.helpers import run_model_test

SMALL = dict(
    audio_length=800,
    hidden_dim=16,
    modality_config={"video": {"shape": [4, 16, 16, 3]}},
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """12 clips of 48x64 frames: a square moving right or left, with a
    soundtrack except in every fourth."""
    root = tmp_path_factory.mktemp("clips")
    rows = []
    for i in range(12):
        direction = ("right", "left")[i % 2]
        frames = moving_clip(8, 48, 64, reverse=i % 2 == 1, seed=i)
        name = f"clip{i}.mp4"
        write_clip(root / name, frames, audio_seconds=0 if i % 4 == 3 else 0.4)
        rows.append({"video": name, "audio": name, "label": direction})
    return write_csv(root / "clips.csv", rows)


def test_sizing_reads_the_frame_size_and_takes_frames(clips):
    manifest = Manifest.read(clips)
    assert suggest_video_shape(manifest) == (16, 48, 64, 3)
    assert suggest_video_shape(manifest, frames=5) == (5, 48, 64, 3)
    with pytest.raises(ValueError, match="--frames to be at least 1"):
        suggest_video_shape(manifest, frames=-2)


# Video with every fusion, and absent: the sweeps of `tests/zoo`.


def test_question_answering_reads_a_video(tmp_path):
    config = {
        "question": {
            "vocabulary": [f"word{i}" for i in range(20)],
            "sequence_length": 3,
        },
        **SMALL["modality_config"],
    }
    model = zoo.build(
        "vqa_classifier",
        modalities=("video", "question"),
        num_classes=3,
        hidden_dim=16,
        modality_config=config,
    )
    assert sorted(model.input) == ["presence", "question", "video"]
    run_model_test(model, tmp_path, full=False)


def test_train_predict_and_serve_a_video_with_its_soundtrack(
    clips, tmp_path, capsys
):
    out = tmp_path / "model"
    command = (
        "train --model multimodal_classifier --data {d} --frames 4 "
        "--epochs 1 --out {o}"
    )
    assert cli(command, d=clips, o=out) == 0
    model, pre = load_bundle(out)
    assert pre.inputs["video"] == (4, 48, 64, 3)
    assert list(model.input) == ["audio", "video", "presence"]
    # The silent clips are audio absent; the others have it.
    manifest = Manifest.read(clips)
    data = pre.dataset(manifest, 12, labels=False)
    presence = next(iter(data))["presence"].numpy()
    np.testing.assert_array_equal(
        presence[:, 0], [0 if i % 4 == 3 else 1 for i in range(12)]
    )
    capsys.readouterr()
    assert cli("predict --model-dir {m} --data {d}", m=out, d=clips) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 13 and rows[0][:2] == ["row", "label"]
    # The SavedModel takes float32 frames (batch, frames, height, width, 3).
    task = get_task("classification")
    inputs, expected = task.serving_examples(model, pre, manifest)[
        "serving_default"
    ]
    assert inputs["video"].shape == (12, 4, 48, 64, 3)
    serving = tf.saved_model.load(str(out / "saved_model"))
    served = serving.signatures["serving_default"](
        **{k: tf.constant(v) for k, v in inputs.items()}
    )
    np.testing.assert_allclose(
        served["output_0"].numpy(), expected["output_0"], atol=1e-5
    )


def test_prepared_shards_hold_the_sampled_frames(clips, tmp_path):
    shards = tmp_path / "shards"
    command = (
        "prepare --data {d} --model multimodal_classifier --frames 4 --out {o}"
    )
    assert cli(command, d=clips, o=shards) == 0
    files, folder = read_manifest(str(clips)), read_manifest(str(shards))
    # Sized from the shards alone, as `train --data SHARDS` sizes.
    _, pre = get_task("classification").fit_to(folder, "multimodal_classifier")
    assert pre.inputs["video"] == (4, 48, 64, 3)
    batches = list(zip(pre.dataset(files, 5), pre.dataset(folder, 5)))
    assert len(batches) == 3
    for (a, labels_a), (b, labels_b) in batches:
        assert sorted(a) == sorted(b)
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
        np.testing.assert_array_equal(labels_a, labels_b)


def train_and_run(clips, column, value, model, command, out, capsys, **same):
    """Train `model` one epoch on the clips with `column` set by
    `value(row)` (and the columns `same` in every row), then run
    `command` on them; return the bundle's model and the command's
    output lines."""
    rows = [
        {"video": row["video"], column: value(row), **same}
        for row in Manifest.read(clips).rows
    ]
    manifest = write_csv(clips.parent / f"{column}.csv", rows)
    train = f"train --model {model} --data {{d}} --frames 4 --epochs 1 "
    assert cli(train + "--out {o}", d=manifest, o=out) == 0
    loaded, pre = load_bundle(out)
    assert pre.inputs["video"] == (4, 48, 64, 3)
    capsys.readouterr()
    assert cli(command + " --model-dir {m} --data {d}", m=out, d=manifest) == 0
    return loaded, capsys.readouterr().out.splitlines()


def test_a_captioner_describes_a_video(clips, tmp_path, capsys):
    model, lines = train_and_run(
        clips,
        "caption",
        lambda row: f"a square moving {row['label']}",
        "transformer_captioner",
        "caption",
        tmp_path / "captioner",
        capsys,
    )
    assert model.conditioning_inputs == ["video"]
    assert len(lines) == 13


@pytest.mark.parametrize(
    "contents, message",
    [
        (b"\0" * 64, "could not open video"),
        (None, "has no video stream"),
    ],
)
def test_a_bad_video_is_named_with_its_row(
    clips, contents, message, tmp_path, capsys
):
    rows = [dict(r) for r in Manifest.read(clips).rows]
    for row in rows:
        row["video"] = str(clips.parent / row["video"])
        row["audio"] = str(clips.parent / row["audio"])
    bad = tmp_path / "bad.mp4"
    if contents is None:
        write_wav(tmp_path / "bad.wav")
        bad = tmp_path / "bad.wav"
    else:
        bad.write_bytes(contents)
    rows[4]["video"] = str(bad)
    manifest = write_csv(tmp_path / "bad.csv", rows)
    command = "train --model multimodal_classifier --data {d} --out {o}"
    assert cli(command, d=manifest, o=tmp_path / "m") == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("keras-mm: error: ")
    assert f"bad.csv, row 5: {message}" in error or message in error
    assert "row 5" in error
    assert not (tmp_path / "m").exists()


def test_questions_about_a_video_are_answered(clips, tmp_path, capsys):
    # The question is the same in every row: the video decides.
    _, lines = train_and_run(
        clips,
        "answer",
        lambda row: row["label"],
        "vqa_classifier",
        "answer",
        tmp_path / "answerer",
        capsys,
        question="which way does it move",
    )
    assert lines[0] == "row,answer,probability" and len(lines) == 13
    assert {line.split(",")[1] for line in lines[1:]} <= {"left", "right"}
