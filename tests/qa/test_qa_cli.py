import csv
import io
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_mm.cli.main import main
from keras_mm.data import make_demo_dataset
from keras_mm.data.demo_media import write_wav
from keras_mm.data.demo_speech import spoken_phrase
from keras_mm.qa import normalize_answer
from keras_mm.workflow import read_manifest
from keras_mm.workflow.spoken_questions import closest_words
from keras_mm.workflow.spoken_questions import transcribe_questions
from tests.helpers import SPEECH_GROUP
from tests.helpers import assert_same_weights
from tests.helpers import interrupt_after_backup
from tests.helpers import run_cli as run

# The tests share trained bundles, the speech recognizer's with the other
# module that uses it: one worker runs them all.
pytestmark = SPEECH_GROUP


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("questions")
    return make_demo_dataset(folder, 64, seed=5, dataset="questions")


def train_bundle(model, demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundles") / model
    command = (
        f"train --model {model} --data {demo} --epochs 2 "
        f"--batch-size 16 --out {out}"
    )
    assert main(command.split()) == 0
    return out


@pytest.fixture(scope="module")
def bundle(demo, tmp_path_factory):
    """A `vqa_classifier` bundle."""
    return train_bundle("vqa_classifier", demo, tmp_path_factory)


@pytest.fixture(scope="module")
def generator(demo, tmp_path_factory):
    """A `vqa_generator` bundle."""
    return train_bundle("vqa_generator", demo, tmp_path_factory)


@pytest.fixture(params=["bundle", "generator"])
def any_bundle(request):
    """Each kind of question-answering bundle."""
    return request.getfixturevalue(request.param)


def rewrite(demo, path, change):
    """Write the demo manifest to `path` with `change(row)` applied."""
    rows = list(csv.DictReader(open(demo)))
    for row in rows:
        row["image"] = str(demo.parent / row["image"])
        change(row)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_answer_writes_a_row_per_row_in_order(any_bundle, demo, capsys):
    bundle = any_bundle
    status, out, _ = run(capsys, f"answer --model-dir {bundle} --data {demo}")
    rows = list(csv.DictReader(io.StringIO(out)))
    config = json.loads((bundle / "preprocessing.json").read_text())
    assert status == 0 and len(rows) == 64
    assert [int(r["row"]) for r in rows] == list(range(1, 65))
    answers = [r["answer"] for r in rows]
    if "class_names" in config:
        assert set(answers) <= set(config["class_names"])
    else:
        # Written token by token, in the answer vocabulary's pieces.
        pieces = (bundle / "vocabulary.txt").read_text().split()
        assert all(a == normalize_answer(a) for a in answers)
        assert all(set(a.split()) <= set(pieces) for a in answers)


def test_evaluate_scores_exact_vqa_and_each_question_type(
    any_bundle, demo, tmp_path, capsys
):
    bundle = any_bundle

    def answers(row):
        # Three references: the right answer twice, and "maybe".
        row["answers"] = f"{row['answer']}|{row['answer']}|maybe"

    data = rewrite(demo, tmp_path / "refs.csv", answers)
    status, out, _ = run(capsys, f"evaluate --model-dir {bundle} --data {data}")
    metrics = json.loads(out)
    assert status == 0
    kinds = {r["question_type"] for r in csv.DictReader(open(demo))}
    for kind in kinds:
        assert 0 <= metrics[f"accuracy/{kind}"] <= 1
    assert sum(metrics[f"rows/{kind}"] for kind in kinds) == 64
    # Leave one out of [a, a, maybe]: a right answer matches 1 or 2 of
    # the others, so scores (1/3 + 1/3 + 2/3) / 3 = 4/9.
    assert metrics["vqa_accuracy"] == pytest.approx(metrics["accuracy"] * 4 / 9)
    assert metrics["unseen_answers"] == 0


def test_answers_never_seen_in_training_are_counted(
    any_bundle, demo, tmp_path, capsys
):
    bundle = any_bundle

    def unseen(row):
        if row["question_type"] == "colour":
            row["answer"] = "purple"

    data = rewrite(demo, tmp_path / "unseen.csv", unseen)
    colour = sum(
        r["question_type"] == "colour" for r in csv.DictReader(open(demo))
    )
    status, out, _ = run(capsys, f"evaluate --model-dir {bundle} --data {data}")
    metrics = json.loads(out)
    assert status == 0 and metrics["unseen_answers"] == colour > 0
    if bundle.name == "vqa_classifier":  # It cannot answer "purple".
        assert metrics["accuracy/colour"] == 0.0


def test_bad_questions_get_one_line(demo, tmp_path, capsys):
    def empty(row):
        if row["image"].endswith("00003.png"):
            row["question"] = " "

    data = rewrite(demo, tmp_path / "empty.csv", empty)
    status, _, err = run(
        capsys,
        f"train --model vqa_classifier --data {data} --epochs 1 "
        f"--out {tmp_path / 'never'}",
    )
    assert status != 0
    (line,) = [line for line in err.splitlines() if "error" in line]
    assert 'row 4: the "question" cell is empty' in line
    assert not (tmp_path / "never").exists()


def served_answers(bundle, demo):
    """The `answer` signature's answers to the demo's rows, in a process
    without keras_mm."""
    rows = list(csv.DictReader(open(demo)))
    images = [str(demo.parent / r["image"]) for r in rows]
    questions = [r["question"] for r in rows]
    inputs = json.loads((bundle / "preprocessing.json").read_text())["inputs"]
    height, width, channels = inputs["image"]
    # A classifier's `presence`: every modality there.
    presence = (
        f"    presence=tf.ones((len(images), {len(inputs) - 1})),\n"
        if "presence" in inputs
        else ""
    )
    script = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        f"serving = tf.saved_model.load({str(bundle / 'saved_model')!r})\n"
        "answer = serving.signatures['answer']\n"
        "images = []\n"
        f"for path in {images!r}:\n"
        "    image = tf.io.decode_png(tf.io.read_file(path), "
        f"channels={channels})\n"
        f"    image = tf.image.resize(image, ({height}, {width}))\n"
        "    images.append(image.numpy())\n"
        "result = answer(\n"
        "    image=tf.constant(np.stack(images)),\n"
        f"    question=tf.constant({questions!r}),\n"
        f"{presence})\n"
        "assert not any(m.startswith('keras_mm') for m in sys.modules)\n"
        "print(json.dumps([a.decode() for a in result['answer'].numpy()]))\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert served.returncode == 0, served.stderr[-2000:]
    answers = json.loads(served.stdout.splitlines()[-1])
    return [normalize_answer(a) for a in answers]


def cli_answers(capsys, bundle, demo):
    _, out, _ = run(capsys, f"answer --model-dir {bundle} --data {demo}")
    return [row["answer"] for row in csv.DictReader(io.StringIO(out))]


def test_the_signature_gives_the_cli_answers_without_keras_mm(
    any_bundle, demo, capsys
):
    # On JAX, a TensorFlow process writes every task's SavedModel the same
    # way: `tests/encoders/test_ctc_recognizer.py` runs it on both backends.
    served = served_answers(any_bundle, demo)
    assert served == cli_answers(capsys, any_bundle, demo)


def test_trains_from_prepared_shards_and_resumes(
    bundle, demo, tmp_path, monkeypatch, capsys
):
    # Shards and resuming are the task layer's, the same for both QA
    # models. The shards give the files' batches, so the interrupted run
    # resumes to the module's bundle, trained on the files.
    model = "vqa_classifier"
    shards = tmp_path / "shards"
    command = f"prepare --data {demo} --model {model} --out {shards}"
    assert main(command.split()) == 0
    part = tmp_path / "part"
    command = (
        f"train --model {model} --data {shards} --epochs 2 "
        f"--batch-size 16 --out {part}"
    )
    interrupt_after_backup(monkeypatch, epochs=1)
    assert main(command.split()) == 130
    monkeypatch.undo()
    assert main((command + " --resume").split()) == 0
    assert_same_weights(bundle, part)
    status, out, _ = run(capsys, f"answer --model-dir {part} --data {shards}")
    assert status == 0 and len(out.splitlines()) == 65


@pytest.fixture
def speech_model(speech_bundle):
    """A speech recognizer bundle of the demo speech (see conftest)."""
    return speech_bundle


def spoken_manifest(demo, path):
    """The demo rows, every other one asking its question in (demo)
    speech: `question` empty, `question_audio` a WAV file."""
    rng = np.random.default_rng(0)

    def speak(row):
        index = int(pathlib.Path(row["image"]).stem)
        row["question_audio"] = ""
        if index % 2:
            wav = path.parent / f"question_{index}.wav"
            write_wav(wav, spoken_phrase(row["question"].split(), rng))
            row["question_audio"] = wav.name
            row["question"] = ""

    return rewrite(demo, path, speak)


def heard(speech_model, spoken, tmp_path, capsys):
    """What `keras-mm transcribe` hears in each spoken question."""
    clips = tmp_path / "clips.csv"
    rows = [r for r in csv.DictReader(open(spoken)) if r["question_audio"]]
    with open(clips, "w", newline="") as f:
        writer = csv.DictWriter(f, ["audio", "transcript"])
        writer.writeheader()
        for r in rows:
            audio = str(spoken.parent / r["question_audio"])
            writer.writerow({"audio": audio, "transcript": "x"})
    _, out, _ = run(
        capsys, f"transcribe --model-dir {speech_model} --data {clips}"
    )
    return [r["transcript"] for r in csv.DictReader(io.StringIO(out))]


def test_spoken_questions_are_transcribed_then_answered(
    bundle, speech_model, demo, tmp_path, capsys
):
    spoken = spoken_manifest(demo, tmp_path / "spoken.csv")
    status, out, _ = run(
        capsys,
        f"answer --model-dir {bundle} --data {spoken} "
        f"--speech-model {speech_model}",
    )
    assert status == 0
    answers = [r["answer"] for r in csv.DictReader(io.StringIO(out))]
    assert len(answers) == 64
    # The same rows with what the recognizer hears typed in, each word
    # the answerer does not know spelled as the closest one it knows.
    transcripts = iter(heard(speech_model, spoken, tmp_path, capsys))
    config = json.loads((bundle / "preprocessing.json").read_text())
    words = config["modality_config"]["question"]["vocabulary"]

    def typed(row):
        if row["question_audio"]:
            question = closest_words(next(transcripts), words)
            row.update(question=question, question_audio="")

    rows = rewrite(spoken, tmp_path / "typed.csv", typed)
    assert answers == cli_answers(capsys, bundle, rows)
    # Typed questions stay as they are.
    data = transcribe_questions(read_manifest(str(spoken)), speech_model)
    original = [r["question"] for r in csv.DictReader(open(demo))]
    questions = [row["question"] for row in data.rows]
    assert questions[::2] == original[::2]
    assert data.row_numbers == list(range(1, 65))


def test_spoken_questions_need_a_recognizer_and_their_column(
    bundle, speech_model, demo, tmp_path, capsys
):
    spoken = spoken_manifest(demo, tmp_path / "spoken.csv")
    status, _, err = run(
        capsys,
        f"answer --model-dir {bundle} --data {spoken} --speech-model {bundle}",
    )
    assert status != 0 and "must be a speech recognizer" in err
    status, _, err = run(
        capsys,
        f"answer --model-dir {bundle} --data {demo} "
        f"--speech-model {speech_model}",
    )
    assert status != 0 and "no 'question_audio' column" in err
    status, _, err = run(
        capsys,
        f"evaluate --model-dir {speech_model} --data {spoken} "
        f"--speech-model {speech_model}",
    )
    assert status != 0 and "answers none" in err
    # Without --speech-model, the first spoken question's row is named.
    status, _, err = run(capsys, f"answer --model-dir {bundle} --data {spoken}")
    assert status != 0 and "spoken.csv, row 2 asks its question in" in err
