import numpy as np

from keras_mm import zoo
from keras_mm.data import Manifest
from keras_mm.data import RetrievalPreprocessor
from keras_mm.data import build_vocabulary
from keras_mm.data.captions import caption_column
from keras_mm.data.retrieval_preprocessor import caption_groups
from keras_mm.data.sizing import count_words
from keras_mm.data.sizing import fit_length
from keras_mm.retrieval import SymmetricContrastiveLoss
from keras_mm.retrieval import recall_at_k
from keras_mm.retrieval import towers
from keras_mm.tasks.retrieval_export import dual_encoder_archive
from keras_mm.tasks.task import Task
from keras_mm.tasks.task import model_options
from keras_mm.tasks.task import saved_files


class RetrievalTask(Task):
    """Images and texts in one embedding space, ranked by similarity.

    Trained on image + `text` (or `caption`) rows with a contrastive loss;
    `keras-mm retrieve` ranks an index's images for a text, or its texts
    for an image.
    """

    name = "retrieval"
    noun = "dual encoder"
    preprocessor = RetrievalPreprocessor
    command = "retrieve"
    demo_data = "captions"

    def fit_to(self, manifest, model, **options):
        """Build `model` with a vocabulary and text length fit to the data."""
        overrides = model_options(model, options)
        column = caption_column(manifest, prefer="text")
        texts = manifest.column(column)
        vocabulary = build_vocabulary(
            texts, source=f'The "{column}" cells of {manifest.path}'
        )
        built = zoo.build(
            model,
            # + padding and out-of-vocabulary ids.
            vocabulary_size=len(vocabulary) + 2,
            sequence_length=fit_length(map(count_words, texts), 4, 64),
            **overrides,
        )
        pre = RetrievalPreprocessor.from_model(built, vocabulary, column)
        return built, pre

    def training_options(self, preprocessor):
        return {"loss": SymmetricContrastiveLoss()}

    def describe(self, model, preprocessor):
        return (
            f"{super().describe(model, preprocessor)}, texts of up to "
            f"{preprocessor.sequence_length} words"
        )

    def evaluate(self, model, preprocessor, manifest, batch_size=32, drop=()):
        """Recall@1, 5 and 10 in both directions over a manifest's rows."""
        self.check_drop(drop)
        captions = manifest.column(preprocessor.text_column)
        images, texts = embed(
            model, preprocessor, manifest, captions, batch_size
        )
        groups = caption_groups(captions)
        return recall_at_k(images, texts, np.asarray(groups))

    def predict(self, model, preprocessor, manifest, options):
        """Rows `rank,row,image,score` for `options["query"]`, or
        `rank,row,TEXT_COLUMN,score` for `options["query_image"]`."""
        batch_size = options.get("batch_size", 32)
        k = options.get("k", 5)
        if options.get("query_image"):
            return _images_to_text(
                model,
                preprocessor,
                manifest,
                options["query_image"],
                k,
                batch_size,
            )
        images, query = embed(
            model, preprocessor, manifest, [options["query"]], batch_size
        )
        paths = manifest.column("image")
        return _ranking(manifest, paths, images @ query[0], "image", k)

    def export(self, model, preprocessor, directory):
        """`encode_image` and `encode_text` (see `dual_encoder_archive`)."""
        archive = dual_encoder_archive(model, preprocessor)
        archive.write_out(str(directory), verbose=False)

    def serving_examples(self, model, preprocessor, manifest):
        images = next(iter(preprocessor.images(manifest, len(manifest))))
        texts = manifest.column(preprocessor.text_column)
        image_embeddings, text_embeddings = embed(
            model, preprocessor, manifest, texts
        )
        return {
            "encode_image": (
                {"image": images.numpy()},
                {"embedding": image_embeddings},
            ),
            "encode_text": (
                {"text": np.array(texts, dtype=object)},
                {"embedding": text_embeddings},
            ),
        }

    def report(self, metrics, preprocessor, manifest, out):
        # A random ranking puts an equivalent text first this often.
        groups = np.asarray(
            caption_groups(manifest.column(preprocessor.text_column))
        )
        chance = float(np.mean([np.mean(groups == g) for g in groups]))
        signatures = ["encode_image", "encode_text"]
        return (
            "Validation recall@1 image->text "
            f"{metrics['recall@1_image_to_text']:.4f}, text->image "
            f"{metrics['recall@1_text_to_image']:.4f} (chance: "
            f"{chance:.4f})\n"
            f"{saved_files(out, signatures, vocabulary=True)}\n"
            f"Search: keras-mm retrieve --model-dir {out} --index MANIFEST "
            '--query "a red circle"'
        )


def embed(model, preprocessor, manifest, texts, batch_size=32):
    """Embeddings of a manifest's images, in row order, and of `texts`."""
    image_model, text_model = towers(model)
    images = image_model.predict(
        preprocessor.images(manifest, batch_size), verbose=0
    )
    ids = preprocessor.token_ids(texts)
    return images, text_model.predict(ids, batch_size=batch_size, verbose=0)


def _images_to_text(model, preprocessor, manifest, image, k, batch_size):
    """Rank the index's distinct texts for one image file."""
    column = caption_column(manifest, prefer=preprocessor.text_column)
    texts = manifest.column(column)
    # Identical texts score the same: list each once, at its first row.
    first = {}
    for i, text in enumerate(texts):
        first.setdefault(text, i)
    first = list(first.values())
    manifest = manifest.subset(first)
    texts = [texts[i] for i in first]
    query = Manifest([{"image": image}], "--query-image")
    image, embedded = embed(model, preprocessor, query, texts, batch_size)
    return _ranking(manifest, texts, embedded @ image[0], column, k)


def _ranking(manifest, items, scores, name, k):
    """Header and rows `rank,row,NAME,score` of the `k` best scores."""
    top = np.argsort(-scores, kind="stable")[:k]
    rows = [
        [rank, manifest.row_numbers[i], items[i], f"{scores[i]:.4f}"]
        for rank, i in enumerate(top, 1)
    ]
    return ["rank", "row", name, "score"], rows
