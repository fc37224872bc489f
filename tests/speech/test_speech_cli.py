import csv
import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from keras_mm.cli.main import main
from keras_mm.export import load_bundle
from keras_mm.workflow import read_manifest
from tests.helpers import SPEECH_GROUP
from tests.helpers import assert_same_weights
from tests.helpers import interrupt_after_backup
from tests.helpers import run_cli as run

# The tests share trained bundles, the speech recognizer's with the other
# module that uses it: one worker runs them all.
pytestmark = [SPEECH_GROUP, pytest.mark.long]


@pytest.fixture
def demo(speech_demo):
    return speech_demo


@pytest.fixture
def bundle(speech_bundle):
    return speech_bundle


def copy_manifest(demo, rows, path):
    """Write `rows` of the demo manifest to `path`, with absolute paths."""
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["audio", "transcript"])
        writer.writeheader()
        writer.writerows(
            {**r, "audio": str(demo.parent / r["audio"])} for r in rows
        )
    return path


def test_training_logs_error_rates_every_epoch(bundle):
    history = list(csv.DictReader(open(bundle / "history.csv")))
    assert len(history) == 2
    for epoch in history:
        assert 0 <= float(epoch["val_cer"]) and 0 <= float(epoch["val_wer"])
    metrics = json.loads((bundle / "metrics.json").read_text())
    assert {"wer", "cer", "loss", "epochs"} <= set(metrics)


def test_transcribe_writes_a_row_per_row_in_order(bundle, demo, capsys):
    status, out, _ = run(
        capsys, f"transcribe --model-dir {bundle} --data {demo}"
    )
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    expected = [r["audio"] for r in csv.DictReader(open(demo))]
    assert rows[0] == ["audio", "transcript"]
    assert [r[0] for r in rows[1:]] == expected
    status, beam, _ = run(
        capsys,
        f"transcribe --model-dir {bundle} --data {demo} --beam-width 4",
    )
    assert status == 0 and len(beam.splitlines()) == len(rows)


def test_evaluate_prints_wer_and_cer(bundle, demo, capsys):
    status, out, _ = run(capsys, f"evaluate --model-dir {bundle} --data {demo}")
    metrics = json.loads(out)
    assert status == 0 and {"wer", "cer"} <= set(metrics)


def test_training_keeps_the_word_list_only_if_it_lowers_the_wer(bundle, demo):
    config = json.loads((bundle / "preprocessing.json").read_text())
    metrics = json.loads((bundle / "metrics.json").read_text())
    words = {
        w for r in csv.DictReader(open(demo)) for w in r["transcript"].split()
    }
    assert config["words"] and set(config["words"]) <= words
    kept = metrics["lexicon_wer"] < metrics["greedy_wer"]
    assert config["lexicon"] is kept
    chosen = "lexicon" if kept else "greedy"
    assert metrics["wer"] == metrics[f"{chosen}_wer"]
    assert metrics["cer"] == metrics[f"{chosen}_cer"]


def test_transcripts_keep_to_the_word_list_on_request(
    bundle, demo, tmp_path, capsys
):
    words = json.loads((bundle / "preprocessing.json").read_text())["words"]
    status, out, _ = run(
        capsys, f"transcribe --model-dir {bundle} --data {demo} --lexicon"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 40
    for row in rows:
        assert set(row["transcript"].split()) <= set(words)
    old = tmp_path / "old"
    shutil.copytree(bundle, old)
    config = json.loads((old / "preprocessing.json").read_text())
    del config["words"], config["lexicon"]  # As keras_mm wrote it before.
    (old / "preprocessing.json").write_text(json.dumps(config))
    status, _, err = run(
        capsys, f"transcribe --model-dir {old} --data {demo} --lexicon"
    )
    assert status != 0 and "has no word list" in err
    status, out, _ = run(capsys, f"transcribe --model-dir {old} --data {demo}")
    assert status == 0 and len(out.splitlines()) == 41


def test_the_signature_gives_the_cli_transcripts_without_keras_mm(
    bundle, demo, capsys
):
    _, out, _ = run(
        capsys, f"transcribe --model-dir {bundle} --data {demo} --no-lexicon"
    )
    expected = [row["transcript"] for row in csv.DictReader(io.StringIO(out))]
    paths = [str(demo.parent / r["audio"]) for r in csv.DictReader(open(demo))]
    script = (
        "import json, sys, soundfile, tensorflow as tf\n"
        f"serving = tf.saved_model.load({str(bundle / 'saved_model')!r})\n"
        "out = []\n"
        f"for path in {paths!r}:\n"
        "    audio, _ = soundfile.read(path, dtype='float32')\n"
        "    result = serving.signatures['transcribe'](audio=audio[None])\n"
        "    out.append(result['transcript'].numpy()[0].decode())\n"
        "assert not any(m.startswith('keras_mm') for m in sys.modules)\n"
        "print(json.dumps(out))\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert served.returncode == 0, served.stderr[-2000:]
    assert json.loads(served.stdout.splitlines()[-1]) == expected


def test_bad_rows_get_one_line(bundle, demo, tmp_path, capsys):
    rows = list(csv.DictReader(open(demo)))
    rows[1]["transcript"] = ""
    bad = copy_manifest(demo, rows, tmp_path / "bad.csv")
    status, _, err = run(capsys, f"evaluate --model-dir {bundle} --data {bad}")
    assert status == 1
    assert err.strip().endswith('row 2: the "transcript" cell is empty.')
    assert len(err.strip().splitlines()) == 1


def test_a_long_recording_is_transcribed_in_windows(
    bundle, demo, tmp_path, capsys
):
    rows = list(csv.DictReader(open(demo)))
    clips = [soundfile.read(demo.parent / r["audio"])[0] for r in rows]
    long = np.concatenate(clips * 3)  # About a minute at 8 kHz.
    assert len(long) > 8000 * 50
    soundfile.write(tmp_path / "long.wav", long, 8000)
    (tmp_path / "long.csv").write_text("audio\nlong.wav\n")
    status, out, _ = run(
        capsys,
        f"transcribe --model-dir {bundle} --data {tmp_path / 'long.csv'}",
    )
    assert status == 0
    assert len(list(csv.reader(io.StringIO(out)))) == 2


def test_prepared_clips_give_the_files_batches(bundle, demo, tmp_path, capsys):
    prepared = tmp_path / "p"
    status, out, _ = run(
        capsys,
        f"prepare --model-dir {bundle} --data {demo} --out {prepared} "
        "--shard-mb 0.05",
    )
    assert status == 0 and "shard(s)" in out
    shards = sorted(p.name for p in prepared.glob("media-*.f32"))
    assert len(shards) > 1 and shards[-1].endswith(f"-of-{len(shards):05d}.f32")
    _, preprocessor = load_bundle(bundle)
    files, folder = read_manifest(str(demo)), read_manifest(str(prepared))
    for options in ({}, {"shuffle": True, "seed": 3, "epochs": (1, 2)}):
        batches = zip(
            preprocessor.dataset(files, batch_size=8, **options),
            preprocessor.dataset(folder, batch_size=8, **options),
        )
        for (a, labels_a), (b, labels_b) in batches:
            np.testing.assert_array_equal(a["audio"], b["audio"])
            np.testing.assert_array_equal(a["audio_length"], b["audio_length"])
            np.testing.assert_array_equal(labels_a, labels_b)
    np.testing.assert_array_equal(
        preprocessor.waveform(files, 5), preprocessor.waveform(folder, 5)
    )
    # So training on them is training on the files (`tests/qa` trains a
    # run from shards). A truncated shard fails; it does not end an epoch
    # early.
    last = prepared / shards[-1]
    last.write_bytes(last.read_bytes()[:-400])
    status, _, err = run(
        capsys, f"evaluate --model-dir {bundle} --data {prepared}"
    )
    assert status == 1 and shards[-1] in err and len(err.splitlines()) == 1


def test_characters_never_seen_in_training_are_scored_not_crashed_on(
    bundle, demo, tmp_path, capsys
):
    rows = list(csv.DictReader(open(demo)))[:4]
    rows[0]["transcript"] = "¿Qué? Ça va"
    odd = copy_manifest(demo, rows, tmp_path / "odd.csv")
    status, out, _ = run(capsys, f"evaluate --model-dir {bundle} --data {odd}")
    assert status == 0 and json.loads(out)["cer"] > 0


def test_an_interrupted_run_resumes_to_the_same_weights(
    bundle, demo, tmp_path, monkeypatch, capsys
):
    # Augmentation (speed, noise, SpecAugment) is seeded by the run's seed
    # and each row's place in the run, so the resumed epoch sees it again.
    # The module's bundle is the uninterrupted run.
    part = tmp_path / "part"
    command = (
        f"train --model ctc_speech_recognizer --data {demo} --epochs 2 "
        f"--batch-size 8 --out {part}"
    )
    interrupt_after_backup(monkeypatch, epochs=1)
    assert main(command.split()) == 130
    assert not part.exists()
    monkeypatch.undo()
    assert main((command + " --resume").split()) == 0
    assert "Resuming the run" in capsys.readouterr().err
    assert_same_weights(bundle, part)
    history = (part / "history.csv").read_text().splitlines()
    assert history == (bundle / "history.csv").read_text().splitlines()
