import keras

from keras_mm.encoders import PaddingMask
from keras_mm.fusion import LateFusion
from keras_mm.fusion import ModalityDropout
from keras_mm.fusion import ModalityMasks
from keras_mm.heads import classification_head
from keras_mm.modalities import list_modalities


def _modality(encoder):
    if len(encoder.inputs) != 1:
        raise ValueError(
            f"Expected encoder '{encoder.name}' to have one input. "
            f"Received: {len(encoder.inputs)} inputs"
        )
    return encoder.inputs[0].name


def encoder_input(encoder):
    """A model input like the encoder's first (its modality's)."""
    spec = encoder.inputs[0]
    return keras.Input(spec.shape[1:], dtype=spec.dtype, name=spec.name)


def assemble(
    encoders,
    fusion=None,
    num_classes=2,
    multi_label=False,
    head_hidden_dim=None,
    dropout=0.0,
    missing_modalities=False,
    modality_dropout=0.0,
    name="multimodal_model",
):
    """Join per-modality encoders, a fusion layer and a head into one model.

    Each encoder's input name (`"image"`, `"audio"`, `"text"`, ...) becomes
    one of the model's named inputs; encoders that share an input name read
    the same input. A `LateFusion` layer gets one head per encoder and fuses
    their predictions; any other fusion layer fuses features before a single
    head. With one encoder, `fusion` may be `None`. Fusion layers with
    `sequence_inputs` take the encoders' token sequences, and text gets a
    padding mask derived from its ids.

    With `missing_modalities=True` the model gets one more input,
    `"presence"`: a float `(batch, modalities)` matrix, columns in the order
    of the modality inputs, 1 where a sample has the modality and 0 where it
    lacks it. The fusion layer then ignores absent modalities, and
    `modality_dropout` drops present ones at random during training.

    Args:
        encoders: list of `keras.Model`. One-input encoders to run.
        fusion: `keras.layers.Layer` or None. Layer taking the list of
            encoder outputs.
        num_classes: int. Number of classes.
        multi_label: bool. Use independent sigmoids per class.
        head_hidden_dim: int or None. Hidden width of the head(s).
        dropout: float. Dropout before the output layer(s).
        missing_modalities: bool. Add the `"presence"` input.
        modality_dropout: float. `ModalityDropout` rate, with
            `missing_modalities`.
        name: str. Name of the model.

    Returns:
        A functional `keras.Model` taking a dict of inputs keyed by modality
        and returning class probabilities.
    """
    if fusion is None and len(encoders) != 1:
        raise ValueError("`fusion` is required with more than one encoder.")
    inputs = {}
    for encoder in encoders:
        spec = encoder.inputs[0]
        inputs.setdefault(
            _modality(encoder),
            keras.Input(spec.shape[1:], dtype=spec.dtype, name=spec.name),
        )
    ordered = sorted(inputs, key=_modality_rank)
    inputs = {modality: inputs[modality] for modality in ordered}
    features = [encoder(inputs[_modality(encoder)]) for encoder in encoders]
    masks = None
    if missing_modalities:
        if fusion is None:
            raise ValueError("`missing_modalities` needs a `fusion` layer.")
        masks = _presence_masks(inputs, encoders, modality_dropout)
    elif modality_dropout:
        raise ValueError("`modality_dropout` needs `missing_modalities=True`.")
    if getattr(fusion, "sequence_inputs", False):
        masks = _token_masks(inputs, encoders, masks)

    def head(head_name):
        return classification_head(
            num_classes, multi_label, head_hidden_dim, dropout, name=head_name
        )

    if isinstance(fusion, LateFusion):
        predictions = [
            head(f"{encoder.name}_head")(x)
            for encoder, x in zip(encoders, features)
        ]
        outputs = fusion(predictions, mask=masks)
    elif fusion is None:
        outputs = head("head")(features[0])
    else:
        outputs = head("head")(fusion(features, mask=masks))
    return keras.Model(inputs, outputs, name=name)


def _presence_masks(inputs, encoders, modality_dropout):
    """Add the `"presence"` input; return one mask per encoder."""
    modalities = list(inputs)
    presence = keras.Input((len(modalities),), name="presence")
    inputs["presence"] = presence
    if modality_dropout:
        presence = ModalityDropout(modality_dropout)(presence)
    masks = dict(zip(modalities, ModalityMasks()(presence)))
    return [masks[_modality(encoder)] for encoder in encoders]


def _token_masks(inputs, encoders, presence_masks):
    """Token ids get padding masks, combined with presence if any.

    Integer inputs are token ids, with 0 for padding.
    """
    presence_masks = presence_masks or [None] * len(encoders)
    masks = []
    for encoder, present in zip(encoders, presence_masks):
        ids = inputs[_modality(encoder)]
        if "int" in str(ids.dtype):
            present = PaddingMask()(ids, present=present)
        masks.append(present)
    return masks


def _modality_rank(modality):
    known = list_modalities()
    if modality in known:
        return (known.index(modality), modality)
    return (len(known), modality)
