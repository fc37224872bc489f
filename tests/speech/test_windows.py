import numpy as np

from keras_mm.speech.transcribe import cut_points


def test_long_recordings_are_cut_in_their_pauses():
    rng = np.random.default_rng(0)
    rate, pieces, pauses = 1000, [], []
    for _ in range(40):  # Words of 0.3 to 0.9 s, pauses of 0.2 to 0.6 s.
        pieces.append(rng.normal(0, 1, int(rng.uniform(300, 900))))
        start = sum(map(len, pieces))
        pieces.append(rng.normal(0, 0.01, int(rng.uniform(200, 600))))
        pauses.append((start, start + len(pieces[-1])))
    audio = np.concatenate(pieces)
    cuts = cut_points(audio, 4000, rate)
    assert len(cuts) >= 30  # Most pauses are cut.
    edges = [0, *cuts, len(audio)]
    lengths = np.diff(edges)
    # Every sample once, in pieces of at most a window.
    assert lengths.sum() == len(audio) and (lengths > 0).all()
    assert (lengths <= 4000).all()
    for cut in cuts:
        assert any(a <= cut < b for a, b in pauses), cut


def test_a_recording_without_pauses_is_cut_at_its_quietest():
    audio = np.ones(10_000)
    audio[5_000:5_020] = 0.5  # Too short for a pause: the quietest point.
    assert cut_points(audio, 8_000, 1_000) == [5_005]
    assert cut_points(np.ones(3000), 4000, 1000) == []
