import keras
import numpy as np
import pytest
from keras.src import testing

from keras_mm import zoo
from keras_mm.retrieval import ContrastiveLogits
from keras_mm.retrieval import SymmetricContrastiveLoss
from keras_mm.retrieval import recall_at_k
from keras_mm.retrieval import towers
from tests.helpers import forward


class ContrastiveLogitsTest(testing.TestCase):
    def test_layer_harness(self):
        self.run_layer_test(
            ContrastiveLogits,
            init_kwargs={"initial_temperature": 0.1},
            input_shape=((4, 3), (4, 3)),
            expected_output_shape=(4, 4),
            expected_num_trainable_weights=1,
            run_training_check=False,
        )


def test_logits_are_scaled_cosines():
    layer = ContrastiveLogits(initial_temperature=0.5)
    images = np.array([[3.0, 0.0], [1.0, 1.0]])
    texts = np.array([[0.0, 2.0], [5.0, 0.0]])
    expected = 2.0 * np.array([[0.0, 1.0], [2**-0.5, 2**-0.5]])
    np.testing.assert_allclose(layer([images, texts]), expected, atol=1e-5)


def test_loss_is_symmetric_infonce():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 0.3], [0.2, -0.4, 3.0]])
    loss = SymmetricContrastiveLoss()
    p_rows = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p_cols = np.exp(logits) / np.exp(logits).sum(0, keepdims=True)
    expected = -(np.log(np.diag(p_rows)) + np.log(np.diag(p_cols))).mean() / 2
    np.testing.assert_allclose(
        float(loss(np.array([7, 8, 9]), logits)), expected, rtol=1e-5
    )


def test_loss_treats_duplicate_captions_as_positives():
    # Items 0 and 1 share a caption, and the model scores their texts
    # equally: with shared group ids that is already the lowest possible
    # loss (the targets' entropy); with distinct ids (lowest loss 0) the
    # same logits are penalized.
    logits = np.array([[5.0, 5.0, -9.0], [5.0, 5.0, -9.0], [-9.0, -9.0, 5.0]])
    loss = SymmetricContrastiveLoss()
    duplicates = float(loss(np.array([1, 1, 2]), logits))
    lowest = 2 * np.log(2) / 3  # rows 0 and 1: log 2; row 2: 0
    np.testing.assert_allclose(duplicates, lowest, atol=1e-3)
    assert float(loss(np.array([1, 2, 3]), logits)) > 0.4


def test_recall_counts_equivalent_items_as_hits():
    images = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]])
    texts = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8]])
    # Ranked texts: image 0 -> 1, 2, 0; image 1 -> 0, 2, 1; image 2 -> 2.
    distinct = recall_at_k(images, texts, [0, 1, 2], ks=(1, 2, 3))
    assert distinct["recall@1_image_to_text"] == pytest.approx(1 / 3)
    assert distinct["recall@2_image_to_text"] == pytest.approx(1 / 3)
    assert distinct["recall@3_image_to_text"] == 1.0
    # Items 0 and 1 with the same caption: every query hits at 1.
    same = recall_at_k(images, texts, [0, 0, 2], ks=(1,))
    assert same == {
        "recall@1_image_to_text": 1.0,
        "recall@1_text_to_image": 1.0,
    }


@pytest.mark.parametrize("text_encoder", ["rnn", "transformer"])
def test_dual_encoder_trains_and_reloads(text_encoder, tmp_path):
    keras.utils.set_random_seed(0)
    model = zoo.build(
        "dual_encoder",
        vocabulary_size=30,
        sequence_length=6,
        image_shape=(16, 16, 3),
        text_encoder=text_encoder,
    )
    rng = np.random.default_rng(0)
    ids = rng.integers(2, 30, (4, 6)).astype("int32")
    ids[:, 4:] = 0
    inputs = {
        "image": rng.uniform(0, 255, (4, 16, 16, 3)).astype("float32"),
        "text": ids,
    }
    model.compile("adam", SymmetricContrastiveLoss())
    loss = model.train_on_batch(inputs, np.array([0, 1, 2, 2]))
    assert np.isfinite(loss)
    logits = np.asarray(forward(model, inputs))
    assert logits.shape == (4, 4)
    image_model, text_model = towers(model)
    embeddings = np.asarray(image_model(inputs["image"]))
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=-1), 1, 1e-5)
    model.save(tmp_path / "dual.keras")
    loaded = keras.saving.load_model(tmp_path / "dual.keras", safe_mode=True)
    np.testing.assert_allclose(forward(loaded, inputs), logits, atol=1e-5)
    with pytest.raises(ValueError, match="text_encoder"):
        zoo.build("dual_encoder", text_encoder="bow")
