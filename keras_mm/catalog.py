# ruff: noqa: E501
"""The registries' descriptions, readable without TensorFlow.

Each description is written here once: the zoo (`keras_mm.zoo.describe`
and `model_task`), the fusion registry (`describe_fusion`) and the demo
datasets (`demo_datasets`) read theirs from these tables, and
`keras-mm --help` and `list` answer from them in well under a second,
without importing the registries' layers. A new zoo entry, fusion or demo
dataset adds its line here next to its registry line (the builder, the
factory); `tests/cli/test_startup.py` checks that the names agree, and
that the task and sampler names match their registries. Modality names
come from `keras_mm.modalities`, whose registry is light.
"""

# name: (task, description), in registry order.
MODELS = {
    "seed000_concat": (
        "classification",
        "Article A: CNN, RNN and Transformer branches joined by concatenation.",
    ),
    "seed001_mmlm": (
        "classification",
        'Article B: the "MMLM" encoders and fusion module, as a classifier.',
    ),
    "seed004_attention": (
        "classification",
        "Article C: tri-modal CNN / LSTM / Conv1D model with attention fusion.",
    ),
    "multimodal_classifier": (
        "classification",
        "Generic classifier: one encoder per modality, then fusion and a head.",
    ),
    "seed001_mmlm_captioner": (
        "captioning",
        'Article B: the "MMLM" captioner, image (and audio) to an LSTM decoder.',
    ),
    "transformer_captioner": (
        "captioning",
        "Captioner of images or videos: encoder tokens, keras-hub decoder.",
    ),
    "dual_encoder": (
        "retrieval",
        "CLIP-style dual encoder: image and text towers in one embedding space.",
    ),
    "ctc_speech_recognizer": (
        "speech_recognition",
        "Speech to characters: log-mel, strided CNN, bidirectional GRUs, CTC.",
    ),
    "vqa_classifier": (
        "question_answering",
        "Question answering: the question steers how the context is read.",
    ),
    "vqa_generator": (
        "answer_generation",
        "Question answering that writes its answer, token by token.",
    ),
}
# The zoo's tasks, in the order of their first entry.
TASKS = tuple(dict.fromkeys(task for task, _ in MODELS.values()))
FUSIONS = {
    "concat": "feature level: concatenate projected modality vectors",
    "attention": "representation level: self-attention across modality tokens",
    "late": "decision level: learned weighted mean of per-modality predictions",
    "late_mean": "decision level: plain mean of per-modality predictions",
    "late_product": "decision level: product of experts (renormalized geometric mean)",
    "gated": "complementary (GMU): per-feature softmax gates over modalities",
    "tensor": "TFN: outer product of [x_i, 1] over modalities",
    "low_rank": "LMF: TFN with rank-4 factorized weights",
    "bilinear": "MFB: factorized bilinear pooling",
    "cross_attention": "each modality's token sequence attends to the others' tokens",
    "early_transformer": "sequential: all tokens concatenated through shared Transformer blocks",
    "film": "FiLM: the last modality scales and shifts the others' feature maps",
    "mult": "MulT: crossmodal Transformer blocks between every modality pair",
}
DEMO_DATA = {
    "factorial": "label = shape x pitch x mood (8 classes): every modality is needed",
    "redundant": "label = object (3 classes), shown by every modality, each one wrong on some rows (image 5%, audio 30%, text 30%)",
    "relation": "label = whether the text names the object in the image (match / mismatch): neither modality alone says anything",
    "captions": "scenes of one or two coloured shapes, each with a caption naming their colour, shape and position (captioning and retrieval)",
    "sound_captions": "the caption scenes with a low or a high tone, which the caption also names (captioners that hear)",
    "speech": "phrases of 2 to 4 words spoken letter by letter as formant tones, with transcripts (speech recognition)",
    "questions": "two coloured shapes side by side, with a question about them and its answer (question answering)",
}
SAMPLERS = ("greedy", "beam", "top_k")
