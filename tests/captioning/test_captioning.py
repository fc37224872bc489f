import keras
import numpy as np
import pytest

from keras_mm import zoo
from keras_mm.captioning import SAMPLERS
from keras_mm.captioning import generate
from keras_mm.captioning.bleu import bleu4
from keras_mm.captioning.metrics import TokenAccuracy
from keras_mm.captioning.metrics import caption_loss
from keras_mm.data.captions import CaptionTokenizer
from keras_mm.data.captions import build_caption_vocabulary
from keras_mm.data.demo_captions import captioned_scene
from tests.helpers import forward

CAPTIONERS = zoo.list_models("captioning")
# Every captioner, the MMLM captioner conditioned on audio as well, and
# the answer generator (a captioner conditioned on a question too).
AUDIO = "seed001_mmlm_captioner+audio"
GENERATOR = "vqa_generator"
VARIANTS = [*CAPTIONERS, AUDIO, GENERATOR]
START, END = 2, 3
LENGTH = 7
AUDIO_LENGTH = 400


def tiny(name):
    keras.utils.set_random_seed(0)
    if name == GENERATOR:
        question = {"vocabulary": ["is", "it", "red"], "sequence_length": 4}
        return zoo.build(
            name,
            answer_vocabulary_size=20,
            answer_length=LENGTH,
            image_shape=(16, 16, 3),
            hidden_dim=32,
            decoder_dim=16,
            modality_config={"question": question},
        )
    options = {"audio_length": AUDIO_LENGTH} if name == AUDIO else {}
    return zoo.build(
        name.split("+")[0],
        vocabulary_size=20,
        sequence_length=LENGTH,
        image_shape=(16, 16, 3),
        **options,
    )


def images(batch=3):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (batch, 16, 16, 3)).astype("float32")


def conditioning(name, batch=3):
    """The generation inputs of a `tiny(name)` model, as tensors."""
    inputs = {"image": images(batch)}
    if name == AUDIO:
        rng = np.random.default_rng(1)
        inputs["audio"] = rng.uniform(-1, 1, (batch, AUDIO_LENGTH))
    inputs = {
        k: keras.ops.convert_to_tensor(v, "float32") for k, v in inputs.items()
    }
    if name == GENERATOR:  # Question ids, padded.
        ids = np.tile([[2, 3, 4, 0]], (batch, 1))
        ids[0, 1:] = [4, 0, 0]
        inputs["question"] = keras.ops.convert_to_tensor(ids, "int32")
    return inputs


@pytest.mark.parametrize("name", VARIANTS)
def test_cached_and_uncached_greedy_decoding_agree(name):
    model = tiny(name)
    # An end id that never occurs, so both run the full length.
    inputs = conditioning(name)
    cached = generate(model, inputs, START, end_id=-1, cached=True)
    uncached = generate(model, inputs, START, end_id=-1, cached=False)
    cached, uncached = np.asarray(cached), np.asarray(uncached)
    assert cached.shape == (3, LENGTH + 1)
    np.testing.assert_array_equal(cached, uncached)


@pytest.mark.parametrize("name", VARIANTS)
def test_cached_steps_give_the_full_forward_logits(name):
    model = tiny(name)
    prompt = np.random.default_rng(2).integers(4, 20, (3, LENGTH + 1))
    prompt = keras.ops.convert_to_tensor(prompt, "int32")
    cache = model.initial_cache(conditioning(name))
    memory = model.memory(conditioning(name))
    for index in range(1, LENGTH + 1):
        logits, _, cache = model.cached_next(prompt, cache, index)
        expected, _, _ = model.uncached_next(prompt, memory, index)
        np.testing.assert_allclose(logits, expected, atol=1e-4)
    # The logits match the training graph's, position by position.
    full = model({**conditioning(name), "tokens": prompt[:, :LENGTH]})
    np.testing.assert_allclose(logits, full[:, -1], atol=1e-4)


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_every_sampler_generates(name, sampler):
    model = tiny(name)
    inputs = conditioning(name, 2)
    ids = np.asarray(generate(model, inputs, START, END, sampler=sampler))
    assert ids.shape == (2, LENGTH + 1)
    assert np.all(ids[:, 0] == START)
    assert np.all((ids >= 0) & (ids < 20))


def test_unknown_sampler_is_named():
    with pytest.raises(ValueError, match="Unknown sampler 'nucleus'"):
        generate(tiny(CAPTIONERS[0]), images(1), START, END, "nucleus")


def test_generation_inputs_must_match_the_model():
    with pytest.raises(
        ValueError, match=r"generates from \['audio', 'image'\]"
    ):
        generate(tiny(AUDIO), images(1), START, END)
    with pytest.raises(ValueError, match="Received: \\['audio', 'image'\\]"):
        generate(tiny(CAPTIONERS[0]), conditioning(AUDIO, 1), START, END)


def test_audio_changes_the_mmlm_captioners_start():
    model = tiny(AUDIO)
    inputs = conditioning(AUDIO)
    silent = {**inputs, "audio": keras.ops.zeros_like(inputs["audio"])}
    _, h, _ = model.memory(inputs)
    _, h_silent, _ = model.memory(silent)
    assert np.abs(np.asarray(h) - np.asarray(h_silent)).max() > 1e-3


def test_a_classifier_is_not_a_captioner():
    model = zoo.build("seed000_concat")
    with pytest.raises(ValueError, match="is not a captioner"):
        generate(model, images(1), START, END)


def test_loss_ignores_padding_targets():
    loss = caption_loss()
    targets = np.array([[5, 6, 0, 0]])
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(1, 4, 8)).astype("float32")
    changed = logits.copy()
    changed[0, 2:] = 100 * rng.normal(size=(2, 8))
    assert float(loss(targets, logits)) == float(loss(targets, changed))
    log_p = logits[0] - np.log(np.exp(logits[0]).sum(-1, keepdims=True))
    expected = -(log_p[0, 5] + log_p[1, 6]) / 2
    np.testing.assert_allclose(float(loss(targets, logits)), expected, 1e-5)


def test_token_accuracy_skips_padding():
    metric = TokenAccuracy()
    # Predictions 1, 2, 0, 4; targets 1, 1, 0 (padding), 4: two of three.
    logits = np.eye(5)[None, [1, 2, 0, 4]]
    metric.update_state(np.array([[1, 1, 0, 4]]), logits)
    np.testing.assert_allclose(float(metric.result()), 2 / 3, 1e-6)


@pytest.mark.parametrize("name", VARIANTS)
def test_captioner_reloads_with_the_same_outputs(name, tmp_path):
    # Every variant trains through `keras-mm train` in tests/cli and
    # tests/qa, whose bundles the SavedModel and the CLI must agree on.
    model = tiny(name)
    rng = np.random.default_rng(1)
    ids = rng.integers(4, 20, (3, LENGTH)).astype("int32")
    ids[:, 0], ids[:, -2:] = START, 0
    inputs = {**conditioning(name), "tokens": ids}
    model.save(tmp_path / "captioner.keras")
    loaded = keras.saving.load_model(tmp_path / "captioner.keras")
    np.testing.assert_allclose(
        forward(loaded, inputs),
        forward(model, inputs),
        atol=1e-5,
    )
    np.testing.assert_array_equal(
        generate(loaded, conditioning(name), START, END),
        generate(model, conditioning(name), START, END),
    )


def test_tokenizer_round_trips_demo_captions():
    rng = np.random.default_rng(0)
    captions = [captioned_scene(rng)[1] for _ in range(200)]
    vocabulary = build_caption_vocabulary(captions, 200)
    assert vocabulary[:4] == ["[PAD]", "[UNK]", "[START]", "[END]"]
    tokenizer = CaptionTokenizer(vocabulary, sequence_length=12)
    ids = np.asarray(tokenizer(captions[:5]))
    assert ids.shape == (5, 13)
    assert np.all(ids[:, 0] == tokenizer.start_id)
    assert tokenizer.detokenize(ids) == captions[:5]
    unknown = tokenizer.detokenize(tokenizer(["a purple hexagon"]))
    assert unknown == ["a [UNK]"] or "[UNK]" in unknown[0]


def test_bleu4_matches_hand_computed_cases():
    assert bleu4(["a red circle here"], ["a red circle here"]) == 1.0
    # Unsmoothed: fewer than four words have no 4-gram to match.
    assert bleu4(["a red circle"], ["a red circle"]) == 0.0
    # n-gram precisions 5/6, 4/5, 3/4, 2/3; same length, no penalty.
    expected = (5 / 6 * 4 / 5 * 3 / 4 * 2 / 3) ** 0.25
    assert bleu4(
        ["a red circle on the left"], ["a red circle on the right"]
    ) == pytest.approx(expected, rel=1e-5)
    # Clipped counts: "the" appears once in the hypothesis.
    expected = (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    assert bleu4(
        ["the cat sat on the mat"], ["the cat sat on a mat"]
    ) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="as many references"):
        bleu4(["a", "b"], ["a"])
