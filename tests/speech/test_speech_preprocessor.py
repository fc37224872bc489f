import csv
import re

import numpy as np
import pytest

from keras_mm.data import Manifest
from keras_mm.data import ManifestError
from keras_mm.data.demo_media import SAMPLE_RATE
from keras_mm.data.demo_media import write_wav
from keras_mm.data.speech_preprocessor import SpeechPreprocessor
from keras_mm.data.speech_preprocessor import length_groups
from keras_mm.speech.characters import learn_characters


def speech_manifest(tmp_path, rows):
    """A manifest of `(seconds, transcript)` rows: noise clips at 8 kHz."""
    rng = np.random.default_rng(0)
    (tmp_path / "audio").mkdir(exist_ok=True)
    records = []
    for i, (seconds, transcript) in enumerate(rows):
        path = f"audio/{i}.wav"
        write_wav(
            tmp_path / path, rng.normal(0, 0.1, int(seconds * SAMPLE_RATE))
        )
        records.append({"audio": path, "transcript": transcript})
    with open(tmp_path / "m.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["audio", "transcript"])
        writer.writeheader()
        writer.writerows(records)
    return Manifest.read(tmp_path / "m.csv")


def preprocessor(transcripts):
    return SpeechPreprocessor(learn_characters(transcripts), SAMPLE_RATE, 80)


def test_batches_group_similar_lengths_and_cover_every_row(tmp_path):
    seconds = np.linspace(0.3, 2.0, 40)
    manifest = speech_manifest(tmp_path, [(s, "go") for s in seconds])
    pre = preprocessor(["go"])
    data = pre.dataset(manifest, 8, shuffle=True, seed=1, epochs=(0, 2))
    batches = list(data)
    assert len(batches) == 10  # 5 a epoch.
    for inputs, labels in batches:
        length = inputs["audio_length"].numpy()
        # Padded to the longest clip (with room for a faster clip), in
        # steps of 0.25 s: not to the longest of the set.
        assert inputs["audio"].shape[1] % (SAMPLE_RATE // 4) == 0
        # (The clips' speed changed by up to 10% either way.)
        assert inputs["audio"].shape[1] <= 1.1 / 0.9 * length.max() + 2000
        assert labels.numpy().tolist() == [pre.characters.ids("go")] * 8
    assert max(b[0]["audio"].shape[1] for b in batches) > min(
        b[0]["audio"].shape[1] for b in batches
    )


def test_unshuffled_batches_hold_true_lengths_in_order(tmp_path):
    manifest = speech_manifest(tmp_path, [(1.0, "go"), (0.5, "stop go")])
    pre = preprocessor(["go", "stop go"])
    ((inputs, labels),) = list(pre.dataset(manifest, 4))
    # By length: row 1 first.
    assert pre.order(manifest).tolist() == [1, 0]
    assert inputs["audio_length"].numpy().tolist() == [4000, 8000]
    assert labels.numpy()[0].tolist() == [pre.characters.ids("stop go")][0]
    assert labels.numpy()[1].tolist()[:2] == pre.characters.ids("go")


def test_epoch_groups_depend_on_the_seed_and_epoch_only():
    lengths = np.arange(100)
    a = length_groups(lengths, 8, 1, [3, 5])
    b = length_groups(lengths, 8, 1, [3, 5])
    c = length_groups(lengths, 8, 1, [3, 6])
    assert all((x == y).all() for x, y in zip(a, b))
    assert any((x != y).any() for x, y in zip(a, c))
    assert len(a) == 13 and set(np.concatenate(a)) == set(range(100))
    # Two processes: 50 rows each, in batches of 4, as make_datasets counts.
    assert len(length_groups(lengths, 8, 2, [0, 0])) == 13


def test_a_resumed_epoch_gives_the_same_batches(tmp_path):
    manifest = speech_manifest(
        tmp_path, [(0.5 + i / 20, "go") for i in range(12)]
    )
    pre = preprocessor(["go"])
    full = list(pre.dataset(manifest, 4, shuffle=True, seed=2, epochs=(0, 3)))
    resumed = list(
        pre.dataset(manifest, 4, shuffle=True, seed=2, epochs=(2, 3))
    )
    for (a, _), (b, _) in zip(full[-3:], resumed):
        np.testing.assert_array_equal(a["audio"], b["audio"])


@pytest.mark.parametrize(
    "rows, message",
    [
        ([(1.0, "go"), (1.0, " ")], 'row 2: the "transcript" cell is empty'),
        (
            [(1.0, "go"), (0.1, "go stop go stop")],
            "row 2: the clip (0.10 s) is too short for its transcript",
        ),
        (
            [(1.0, "go"), (31.0, "go")],
            "row 2: the clip is 31.0 s long; training takes clips of up "
            "to 30 s",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path, rows, message):
    manifest = speech_manifest(tmp_path, rows)
    pre = preprocessor(["go stop"])
    with pytest.raises(ManifestError, match=re.escape(message)):
        pre.dataset(manifest, 2, shuffle=True)


def test_a_corrupt_file_is_named(tmp_path):
    manifest = speech_manifest(tmp_path, [(1.0, "go"), (1.0, "go")])
    (tmp_path / "audio" / "1.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    with pytest.raises(ManifestError, match="row 2: could not decode"):
        preprocessor(["go"]).dataset(manifest, 2)
