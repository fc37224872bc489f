"""`keras-mm train` for dual encoders, `retrieve`, and recall evaluation."""

import csv
import sys

import keras
import numpy as np

from keras_mm import zoo
from keras_mm.cli.captioning import caption_column
from keras_mm.cli.fit import fit_and_save
from keras_mm.cli.fit import make_datasets
from keras_mm.cli.manifests import log
from keras_mm.cli.manifests import read_manifest
from keras_mm.data import Manifest
from keras_mm.data import build_vocabulary
from keras_mm.data.retrieval_preprocessor import RetrievalPreprocessor
from keras_mm.data.retrieval_preprocessor import caption_groups
from keras_mm.export import load_bundle
from keras_mm.retrieval import SymmetricContrastiveLoss
from keras_mm.retrieval import recall_at_k
from keras_mm.retrieval import towers


def build_dual_encoder(name, train_manifest):
    """Build `name` with a vocabulary and text length fitted to the data."""
    column = caption_column(train_manifest, prefer="text")
    texts = train_manifest.column(column)
    vocabulary = build_vocabulary(texts)
    words = np.percentile([len(t.split()) for t in texts], 95)
    model = zoo.build(
        name,
        vocabulary_size=len(vocabulary) + 2,
        sequence_length=int(np.clip(words, 4, 64)),
    )
    return model, RetrievalPreprocessor.from_model(model, vocabulary, column)


def embed(model, preprocessor, manifest, texts, batch_size=32):
    """Embeddings of a manifest's images, in row order, and of `texts`."""
    image_model, text_model = towers(model)
    images = image_model.predict(
        preprocessor.images(manifest, batch_size), verbose=0
    )
    ids = preprocessor.token_ids(texts)
    return images, text_model.predict(ids, batch_size=batch_size, verbose=0)


def evaluate_dual_encoder(model, preprocessor, manifest, batch_size=32):
    """Recall@1, 5 and 10 in both directions over a manifest's rows."""
    captions = manifest.column(preprocessor.text_column)
    images, texts = embed(model, preprocessor, manifest, captions, batch_size)
    groups = caption_groups(captions)
    return recall_at_k(images, texts, np.asarray(groups))


def run_train_dual_encoder(args, train_manifest, val_manifest, epochs):
    """The retrieval branch of `keras-mm train`."""
    keras.utils.set_random_seed(args.seed)
    model, preprocessor = build_dual_encoder(args.model, train_manifest)
    data = make_datasets(
        args, preprocessor, train_manifest, val_manifest, epochs
    )
    log(
        f"Model {args.model}: {model.count_params():,} parameters, texts of "
        f"up to {preprocessor.sequence_length} words"
    )
    metrics = fit_and_save(
        args,
        model,
        preprocessor,
        data,
        epochs,
        lambda: evaluate_dual_encoder(model, preprocessor, val_manifest),
        loss=SymmetricContrastiveLoss(),
    )
    # A random ranking puts an equivalent text first this often.
    groups = np.asarray(
        caption_groups(val_manifest.column(preprocessor.text_column))
    )
    chance = float(np.mean([np.mean(groups == g) for g in groups]))
    print(
        "Validation recall@1 image->text "
        f"{metrics['recall@1_image_to_text']:.4f}, text->image "
        f"{metrics['recall@1_text_to_image']:.4f} (chance: {chance:.4f})\n"
        f"Saved to {args.out}: model.keras, saved_model/ (signatures "
        "encode_image, encode_text), preprocessing.json, vocabulary.txt, "
        "history.csv, metrics.json\n"
        f"Search: keras-mm retrieve --model-dir {args.out} --index MANIFEST "
        '--query "a red circle"'
    )


def run_retrieve(args):
    model, preprocessor = load_bundle(args.model_dir)
    if not isinstance(preprocessor, RetrievalPreprocessor):
        raise ValueError(
            f"The model in {args.model_dir} is not a dual encoder."
        )
    manifest = read_manifest(args.index)
    if args.query_image:
        return _images_to_text(args, model, preprocessor, manifest)
    images, query = embed(
        model, preprocessor, manifest, [args.query], args.batch_size
    )
    paths = manifest.column("image")
    _write_ranking(args, manifest, paths, images @ query[0], "image")


def _images_to_text(args, model, preprocessor, manifest):
    """Rank the index's distinct texts for the image `--query-image`."""
    column = caption_column(manifest, prefer=preprocessor.text_column)
    texts = manifest.column(column)
    # Identical texts score the same: list each once, at its first row.
    first = {}
    for i, text in enumerate(texts):
        first.setdefault(text, i)
    first = list(first.values())
    manifest = manifest.subset(first)
    texts = [texts[i] for i in first]
    query = Manifest([{"image": args.query_image}], "--query-image")
    image, embedded = embed(model, preprocessor, query, texts, args.batch_size)
    _write_ranking(args, manifest, texts, embedded @ image[0], column)


def _write_ranking(args, manifest, items, scores, name):
    """CSV `rank,row,NAME,score` of the `args.k` best-scoring rows."""
    top = np.argsort(-scores, kind="stable")[: args.k]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["rank", "row", name, "score"])
    for rank, i in enumerate(top, 1):
        writer.writerow(
            [rank, manifest.row_numbers[i], items[i], f"{scores[i]:.4f}"]
        )
