import tensorflow as tf

from keras_mm.captioning import SAMPLERS
from keras_mm.captioning import generate
from keras_mm.captioning import get_sampler
from keras_mm.data.captions import detokenize
from keras_mm.tasks.archive import export_archive


def endpoint_name(sampler):
    """SavedModel signature of a sampler: `generate`, `generate_beam`..."""
    return "generate" if sampler == "greedy" else f"generate_{sampler}"


def captioner_archive(model, preprocessor):
    """A Keras `ExportArchive` with one generation signature per sampler.

    `generate` (greedy), `generate_beam` and `generate_top_k` each take an
    `image` batch (float32 pixels in `[0, 255]`), plus an `audio` batch
    (float32 waveforms in `[-1, 1]`) for a captioner that hears, and return
    `token_ids` `(batch, sequence_length + 1)` and `caption` strings.
    """
    tokenizer = preprocessor.tokenizer
    archive = export_archive(model)
    # One input per modality the captioner is conditioned on, by name.
    specs = {
        reader.name: tf.TensorSpec(
            (None, *reader.shape), tf.float32, name=reader.name
        )
        for reader in preprocessor.readers
    }
    for name in SAMPLERS:
        archive.add_endpoint(
            endpoint_name(name),
            _generator(model, tokenizer, get_sampler(name)),
            input_signature=[specs],
        )
    return archive


def _generator(model, tokenizer, sampler):
    def run(inputs):
        ids = generate(
            model, inputs, tokenizer.start_id, tokenizer.end_id, sampler
        )
        captions = detokenize(
            ids, tokenizer.vocabulary, tokenizer.start_id, tokenizer.end_id
        )
        return {"token_ids": ids, "caption": captions}

    return run
