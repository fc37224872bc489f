"""The modality names keras_mm knows, in the order models take them.

Model inputs, manifest columns and the `presence` columns all use these
names and this order.
"""

MODALITIES = ("image", "audio", "text")
