import csv
import sys

import numpy as np

from keras_mm.cli.captioning import evaluate_captioner
from keras_mm.cli.manifests import read_manifest
from keras_mm.cli.report import metrics_json
from keras_mm.cli.retrieval import evaluate_dual_encoder
from keras_mm.data.caption_preprocessor import CaptionPreprocessor
from keras_mm.data.retrieval_preprocessor import RetrievalPreprocessor
from keras_mm.export import check_output
from keras_mm.export import export_bundle
from keras_mm.export import load_bundle
from keras_mm.export.bundle import SAVED_MODEL_DIR


def run_evaluate(args):
    model, preprocessor = load_bundle(args.model_dir)
    if isinstance(preprocessor, CaptionPreprocessor):
        if args.drop_modality:
            raise ValueError("Captioners have only one modality to drop.")
        metrics = evaluate_captioner(
            model, preprocessor, read_manifest(args.data), args.batch_size
        )
        print(metrics_json(metrics))
        return
    if isinstance(preprocessor, RetrievalPreprocessor):
        metrics = evaluate_dual_encoder(
            model, preprocessor, read_manifest(args.data), args.batch_size
        )
        print(metrics_json(metrics))
        return
    data = preprocessor.dataset(
        read_manifest(args.data),
        args.batch_size,
        cache=False,
        drop=tuple(args.drop_modality),
    )
    metrics = model.evaluate(data, return_dict=True, verbose=0)
    print(metrics_json(metrics))


def run_predict(args):
    model, preprocessor = load_bundle(args.model_dir)
    if isinstance(preprocessor, CaptionPreprocessor):
        raise ValueError(
            f"The model in {args.model_dir} is a captioner: use "
            "`keras-mm caption`."
        )
    if isinstance(preprocessor, RetrievalPreprocessor):
        raise ValueError(
            f"The model in {args.model_dir} is a dual encoder: use "
            "`keras-mm retrieve`."
        )
    manifest = read_manifest(args.data)
    data = preprocessor.dataset(
        manifest,
        args.batch_size,
        labels=False,
        cache=False,
        drop=tuple(args.drop_modality),
    )
    probabilities = model.predict(data, verbose=0)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["row", "label", "probability"])
    for row, probs in zip(manifest.row_numbers, probabilities):
        label, probability = _decide(probs, preprocessor)
        writer.writerow([row, label, probability])


def _decide(probs, preprocessor):
    names = preprocessor.class_names
    if preprocessor.multi_label:
        chosen = np.flatnonzero(probs >= 0.5)
        return (
            "|".join(names[i] for i in chosen),
            "|".join(f"{probs[i]:.6f}" for i in chosen),
        )
    if len(probs) == 1:
        positive = bool(probs[0] >= 0.5)
        probability = probs[0] if positive else 1.0 - probs[0]
        return names[int(positive)], f"{probability:.6f}"
    best = int(np.argmax(probs))
    return names[best], f"{probs[best]:.6f}"


def run_export(args):
    check_output(args.out)
    model, preprocessor = load_bundle(args.model_dir)
    out = export_bundle(model, preprocessor, args.out)
    print(f"Exported to {out}: model.keras, {SAVED_MODEL_DIR}/, preprocessing")
    print(f"Inspect: saved_model_cli show --dir {out}/{SAVED_MODEL_DIR} --all")
