import tensorflow as tf

from keras_mm.speech.decoding import decode


def transcriber(model, preprocessor):
    """The `transcribe` signature's function: waveforms to transcripts.

    Takes `{"audio": float32 (batch, samples)}` at the bundle's rate,
    every sample of a row counting as audio, and returns
    `{"transcript": string (batch,)}` by greedy decoding, as `keras-mm
    transcribe` decodes a clip of that length.
    """
    # Id 0 is the blank; decoding pads with -1: both write nothing.
    alphabet = tf.constant(["", *preprocessor.characters.characters])

    def run(inputs):
        audio = tf.convert_to_tensor(inputs["audio"], tf.float32)
        lengths = tf.fill(tf.shape(audio)[:1], tf.shape(audio)[1])
        logits = model({"audio": audio, "audio_length": lengths})
        ids = decode(logits, model.steps(lengths))
        characters = tf.gather(alphabet, tf.maximum(ids, 0))
        return {"transcript": tf.strings.reduce_join(characters, axis=1)}

    return run
