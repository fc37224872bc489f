import tensorflow as tf

from keras_mm.captioning import generate
from keras_mm.captioning import get_sampler
from keras_mm.data.captions import detokenize
from keras_mm.tasks.archive import export_archive

# Signature name: (sampler, name of the strings it returns).
CAPTION_ENDPOINTS = {
    "generate": ("greedy", "caption"),
    "generate_beam": ("beam", "caption"),
    "generate_top_k": ("top_k", "caption"),
}


def generation_archive(model, preprocessor, endpoints=None):
    """A Keras `ExportArchive` with one generation signature per sampler.

    Each signature takes the conditioning inputs by name, as their
    modalities serve them (`Reader.serving`): an `image` batch (float32
    pixels in `[0, 255]`), an `audio` batch (float32 waveforms in
    `[-1, 1]`), a `question` batch of strings. It returns `token_ids`
    `(batch, sequence_length + 1)` and the generated strings.

    Args:
        model: a zoo `Captioner`.
        preprocessor: its `CaptionPreprocessor`.
        endpoints: dict or None. Signature name to `(sampler, output)`:
            a sampler name and the name of the strings it returns;
            default `CAPTION_ENDPOINTS`.
    """
    tokenizer = preprocessor.tokenizer
    serving = preprocessor.serving()
    for reader in preprocessor.readers:
        spec = tf.TensorSpec((None, *reader.shape), tf.float32, reader.name)
        serving.setdefault(reader.name, (spec, lambda value: value, ()))
    resources = [r for _, _, used in serving.values() for r in used]
    archive = export_archive(model, *resources)
    specs = {name: spec for name, (spec, _, _) in serving.items()}
    for name, (sampler, output) in (endpoints or CAPTION_ENDPOINTS).items():
        run = _generator(
            model, tokenizer, get_sampler(sampler), output, serving
        )
        archive.add_endpoint(name, run, input_signature=[specs])
    return archive


def _generator(model, tokenizer, sampler, output, serving):
    def run(inputs):
        inputs = {key: serving[key][1](value) for key, value in inputs.items()}
        ids = generate(
            model, inputs, tokenizer.start_id, tokenizer.end_id, sampler
        )
        texts = detokenize(
            ids, tokenizer.vocabulary, tokenizer.start_id, tokenizer.end_id
        )
        return {"token_ids": ids, output: texts}

    return run
