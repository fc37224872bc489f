from keras_mm.catalog import DEMO_DATA
from keras_mm.catalog import FUSIONS
from keras_mm.catalog import MODELS
from keras_mm.catalog import TASKS
from keras_mm.modalities import list_modalities


def run_list(args):
    """`keras-mm list`: models, fusion methods, modalities and demo data."""
    width = max(len(name) for name in MODELS)
    for task in TASKS:
        print(f"Models for {task} (--model):")
        for name, (model_task, description) in MODELS.items():
            if model_task == task:
                print(f"  {name:<{width}}  {description}")
    print("Fusion methods (--fusion, for multimodal_classifier):")
    for name, description in FUSIONS.items():
        print(f"  {name:<{width}}  {description}")
    print(
        "Modalities (manifest columns; --features names a table's): "
        + ", ".join(list_modalities())
    )
    print(
        "Demo data (--data demo:DATASET; `demo` is `demo:factorial` for "
        "classifiers, `demo:speech` for speech recognizers, "
        "`demo:questions` for question answering, `demo:captions` for the "
        "others):"
    )
    for name, description in DEMO_DATA.items():
        print(f"  {'demo:' + name:<{width}}  {description}")
