"""The zoo at its CLI defaults against plain Keras, on real material.

Usage: python benchmarks/real_data.py [--data-dir DIR] [--fusions ...]
           [--tasks ...] [--reuse] [--out benchmarks/results]

Needs `espeak-ng` (`sudo apt-get install espeak-ng`) and scikit-learn (in
the dev extras); nothing is downloaded. `real_media.py` writes real
handwritten digits (noisy, occluded) and real synthesized speech of the
digit's word (test voices unseen, -2 dB SNR) under `--data-dir`, as CSV
manifests for four tasks:
- `same`: image and audio show the same digit; 10 classes (redundant).
- `captions`: caption an image; a caption names its digit.
- retrieval: the `captions` rows, ranked for each class's caption.
- `relation`: "is the spoken number larger (smaller) than the written
  one?", yes or no: needs the image, the audio and the text jointly.
- `tables`: scikit-learn's bundled tables through the `tabular` modality
  (`--features`), in stratified folds, against logistic regression and a
  plain-Keras MLP (see `real_tables.py`).

Every zoo figure comes from `keras-mm train` at its defaults (no
`--epochs`) on the train manifest, then `keras-mm evaluate`, `caption` or
`retrieve` on the test manifest, run as subprocesses exactly as a user
would. Plain-Keras baselines (`real_baselines.py`) train on the same
files. Writes `real_data.md`, `.json` and `.png` to `--out`.
"""

import argparse
import csv
import io
import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import real_baselines
import real_media

from keras_mm.fusion import list_fusions

NUMBERS = real_media.NUMBERS
QUERY = "a noisy picture of the number {}"


def cli(*args):
    """Run `keras-mm ARGS`; return its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", "keras_mm", *map(str, args)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(
            f"keras-mm {' '.join(map(str, args))} failed:\n"
            + result.stderr[-3000:]
        )
    return result.stdout


# With --reuse, bundles already trained under `runs` are evaluated again
# but not retrained; their training times are kept in `runs/seconds.json`.
# A run that was interrupted (its `.NAME.run` folder is left) resumes
# from its last epoch; its time then counts the resumed epochs only.
REUSE = False


def train_cli(runs, name, model, data, *options):
    """`keras-mm train` at its defaults; return (bundle folder, seconds)."""
    out = runs / name
    timings = runs / "seconds.json"
    seconds = json.loads(timings.read_text()) if timings.exists() else {}
    if REUSE and (out / "metrics.json").exists() and name in seconds:
        print(f"  reusing {name}", flush=True)
        return out, seconds[name]
    resume = REUSE and (runs / f".{name}.run").is_dir()
    if resume:
        print(f"  resuming {name}", flush=True)
        options = (*options, "--resume")
    start = time.time()
    cli("train", "--model", model, "--data", data, "--out", out, *options)
    seconds[name] = time.time() - start
    print(f"  trained {name} in {seconds[name]:.0f}s", flush=True)
    timings.write_text(json.dumps(seconds, indent=1) + "\n")
    return out, seconds[name]


def evaluate_cli(bundle, data, *options):
    return json.loads(
        cli("evaluate", "--model-dir", bundle, "--data", data, *options)
    )


def single_manifests(paths, root):
    """Image-only and audio-only copies of the `same` manifests."""
    out = {}
    for modality in ("image", "audio"):
        for split in ("train", "test"):
            rows = real_baselines.read_rows(paths["same"][split])
            path = root / f"{modality}_{split}.csv"
            real_media.write_manifest(
                path,
                [{modality: r[modality], "label": r["label"]} for r in rows],
            )
            out[modality, split] = path
    return out


def zoo_same(paths, runs, fusions, singles):
    """Every fusion, its single-modality accuracies, and seed004."""
    test = paths["same"]["test"]
    rows = []
    for modality in ("image", "audio"):
        bundle, seconds = train_cli(
            runs,
            f"same_{modality}",
            "multimodal_classifier",
            singles[modality, "train"],
        )
        accuracy = evaluate_cli(bundle, singles[modality, "test"])["accuracy"]
        rows.append(
            {
                "model": f"multimodal_classifier, {modality} only",
                "accuracy": accuracy,
                "seconds": seconds,
            }
        )
    for fusion in fusions:
        bundle, seconds = train_cli(
            runs,
            f"same_{fusion}",
            "multimodal_classifier",
            paths["same"]["train"],
            "--fusion",
            fusion,
        )
        row = {
            "model": f"multimodal_classifier --fusion {fusion}",
            "fusion": fusion,
            "seconds": seconds,
            "accuracy": evaluate_cli(bundle, test)["accuracy"],
        }
        for kept in ("image", "audio"):
            dropped = {"image": "audio", "audio": "image"}[kept]
            row[f"{kept} only"] = evaluate_cli(
                bundle,
                test,
                "--drop-modality",
                dropped,
                "--drop-modality",
                "text",
            )["accuracy"]
        rows.append(row)
    bundle, seconds = train_cli(
        runs, "same_seed004", "seed004_attention", paths["same"]["train"]
    )
    rows.append(
        {
            "model": "seed004_attention",
            "accuracy": evaluate_cli(bundle, test)["accuracy"],
            "seconds": seconds,
        }
    )
    return rows


def named_digit(caption, digit):
    """Whether a caption names `digit` and no other digit."""
    words = set(caption.split())
    named = [n for n in NUMBERS if n in words]
    return named == [NUMBERS[digit]]


def zoo_captions(paths, runs):
    test = paths["captions"]["test"]
    truth = [NUMBERS.index(r["label"]) for r in real_baselines.read_rows(test)]
    rows = []
    for model in ("transformer_captioner", "seed001_mmlm_captioner"):
        bundle, seconds = train_cli(
            runs, f"captions_{model}", model, paths["captions"]["train"]
        )
        output = cli("caption", "--model-dir", bundle, "--data", test)
        captions = [r["caption"] for r in csv.DictReader(io.StringIO(output))]
        right = np.mean([named_digit(c, d) for c, d in zip(captions, truth)])
        rows.append(
            {
                "model": model,
                "right digit named": float(right),
                "distinct captions": len(set(captions)),
                "seconds": seconds,
                "bleu4": evaluate_cli(bundle, test)["bleu4"],
            }
        )
    return rows


def zoo_retrieval(paths, runs):
    test = paths["captions"]["test"]
    labels = [r["label"] for r in real_baselines.read_rows(test)]
    bundle, seconds = train_cli(
        runs, "retrieval", "dual_encoder", paths["captions"]["train"]
    )
    hits = []
    for number in NUMBERS:
        output = cli(
            "retrieve",
            "--model-dir",
            bundle,
            "--index",
            test,
            "--query",
            QUERY.format(number),
            "--k",
            10,
        )
        found = [
            labels[int(r["row"]) - 1]
            for r in csv.DictReader(io.StringIO(output))
        ]
        hits.append(sum(label == number for label in found))
    recall = evaluate_cli(bundle, test)
    return {
        "model": "dual_encoder",
        "seconds": seconds,
        "top-10 hits per class": hits,
        "precision@10": float(np.mean(hits) / 10),
        "classes with most of top 10": int(sum(h > 5 for h in hits)),
        "recall@1 image to text": recall["recall@1_image_to_text"],
        "recall@1 text to image": recall["recall@1_text_to_image"],
    }


def zoo_relation(paths, runs):
    """One stage, and the staged recipe: the `same` model's encoders, frozen."""
    data = paths["relation"]
    stage1 = runs / "same_concat"
    if not stage1.exists():
        stage1, _ = train_cli(
            runs,
            "same_concat",
            "multimodal_classifier",
            paths["same"]["train"],
            "--fusion",
            "concat",
        )
    rows = []
    for name, options in (
        ("one stage", ()),
        (
            "staged: encoders --init-from the same-digit model, --freeze",
            ("--init-from", stage1, "--freeze"),
        ),
        (
            "staged as above, --patience 20 --epochs 100",
            (
                "--init-from",
                stage1,
                "--freeze",
                "--patience",
                20,
                "--epochs",
                100,
            ),
        ),
    ):
        bundle, seconds = train_cli(
            runs,
            f"relation_{len(options)}",
            "multimodal_classifier",
            data["train"],
            *options,
        )
        rows.append(
            {
                "model": f"multimodal_classifier, {name}",
                "seconds": seconds,
                "accuracy": evaluate_cli(bundle, data["test"])["accuracy"],
            }
        )
    return rows


def digits(path, column="label"):
    return np.array(
        [NUMBERS.index(r[column]) for r in real_baselines.read_rows(path)]
    )


def plain_same(paths):
    """Plain Keras on `same`: each modality, concat, product of experts."""
    train, _ = real_baselines.load_arrays(
        paths["same"]["train"], ["image", "audio"]
    )
    test, _ = real_baselines.load_arrays(
        paths["same"]["test"], ["image", "audio"]
    )
    y, y_test = digits(paths["same"]["train"]), digits(paths["same"]["test"])
    probs = {}
    for modalities in (["image"], ["audio"], ["image", "audio"]):
        model = real_baselines.plain_model(modalities, 10)
        probs["+".join(modalities)] = real_baselines.fit_predict(
            model,
            {m: train[m] for m in modalities},
            y,
            {m: test[m] for m in modalities},
        )
    product = np.log(probs["image"] + 1e-7) + np.log(probs["audio"] + 1e-7)
    accuracy = {
        k: float(np.mean(p.argmax(-1) == y_test)) for k, p in probs.items()
    }
    return {
        "image only": accuracy["image"],
        "audio only": accuracy["audio"],
        "concat": accuracy["image+audio"],
        "product of separate experts": float(
            np.mean(product.argmax(-1) == y_test)
        ),
    }, probs["image"]


def plain_captions_and_retrieval(paths, image_probs):
    """The plain image classifier as a captioner and as a retriever."""
    truth = digits(paths["captions"]["test"])
    ranked = np.argsort(-image_probs, axis=0, kind="stable")[:10]
    hits = [int(np.sum(truth[ranked[:, d]] == d)) for d in range(10)]
    return {
        "classifier names the right digit": float(
            np.mean(image_probs.argmax(-1) == truth)
        ),
        "classifier top-10 hits per class": hits,
        "classifier precision@10": float(np.mean(hits) / 10),
    }


def plain_relation(paths):
    """Plain Keras concat of image, audio and the question on `relation`."""
    arrays = {}
    for split in ("train", "test"):
        path = paths["relation"][split]
        x, rows = real_baselines.load_arrays(path, ["image", "audio"])
        x["question"] = np.array(
            [[r["text"] == real_media.QUESTIONS["larger"]] for r in rows],
            "float32",
        )
        arrays[split] = (
            x,
            np.array([r["label"] == "yes" for r in rows], "float32"),
        )
    model = real_baselines.plain_model(
        ["image", "audio"],
        2,
        extra={"question": ((1,), "float32", lambda q: q)},
    )
    probs = real_baselines.fit_predict(
        model, *arrays["train"], arrays["test"][0]
    )
    truth = arrays["test"][1]
    return {"concat": float(np.mean((probs[:, 0] > 0.5) == truth))}


def report(results, out):
    """Write `real_data.md`, `.json` and `.png` to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "real_data.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "| task | what | result | plain Keras, same data |",
        "|---|---|---|---|",
    ]
    plain = results.get("plain", {})
    same = plain.get("same", {})
    for row in results.get("same", []):
        singles = ""
        if "image only" in row:
            singles = (
                f" (image only {row['image only']:.3f}, "
                f"audio only {row['audio only']:.3f})"
            )
        lines.append(
            f"| same digit | `{row['model']}` | accuracy "
            f"{row['accuracy']:.3f}{singles} | |"
        )
    if same:
        lines.append(
            "| same digit | plain Keras | | "
            + "; ".join(f"{k} {v:.3f}" for k, v in same.items())
            + " |"
        )
    captions = plain.get("captions", {})
    for row in results.get("captions", []):
        lines.append(
            f"| captioning | `{row['model']}` | right digit named "
            f"{row['right digit named']:.3f}, {row['distinct captions']} "
            f"distinct captions, BLEU-4 {row['bleu4']:.3f} | classifier "
            f"{captions.get('classifier names the right digit', 0):.3f} |"
        )
    retrieval = results.get("retrieval")
    if retrieval:
        lines.append(
            f"| retrieval | `dual_encoder` | precision@10 "
            f"{retrieval['precision@10']:.3f}; classes with most of the top "
            f"10 right: {retrieval['classes with most of top 10']}/10 | "
            f"classifier precision@10 "
            f"{captions.get('classifier precision@10', 0):.3f} |"
        )
    for row in results.get("relation", []):
        lines.append(
            f"| relation | `{row['model']}` | accuracy "
            f"{row['accuracy']:.3f} | concat "
            f"{plain.get('relation', {}).get('concat', 0):.3f} |"
        )
    for key, scores in results.get("tables", {}).items():
        mean = {k: np.mean(v) for k, v in scores.items()}
        lines.append(
            f"| table: {key} | `multimodal_classifier --features` | "
            f"accuracy {mean['keras-mm']:.3f} (10 folds) | logistic "
            f"regression {mean['logistic regression']:.3f}; MLP "
            f"{mean['plain Keras MLP']:.3f} |"
        )
    (out / "real_data.md").write_text("\n".join(lines) + "\n")
    plot(results, out / "real_data.png")
    print("\n".join(lines))


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results.get("same", []) if "fusion" in r]
    if not rows:
        return
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 0.9), 4))
    for offset, key, label in (
        (-0.25, "image only", "audio absent"),
        (0, "audio only", "image absent"),
        (0.25, "accuracy", "both"),
    ):
        ax.bar(x + offset, [r[key] for r in rows], 0.25, label=label)
    ax.set_xticks(x, [r["fusion"] for r in rows], rotation=45, ha="right")
    ax.set_ylim(0, 1.25)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("test accuracy (unseen writers and voices)")
    ax.set_title("One fused model on real digits, with both or one modality")
    ax.legend(loc="upper center", ncol=3, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="benchmarks/.real_data")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument(
        "--fusions", nargs="+", default=list_fusions(), choices=list_fusions()
    )
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["same", "captions", "retrieval", "relation", "tables"],
    )
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument(
        "--update",
        action="store_true",
        help="Merge into the results already in --out: rows measured now "
        "replace those of the same model; the others are kept.",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Evaluate models already trained under DATA_DIR/runs instead "
        "of training them again (only if keras_mm has not changed since).",
    )
    args = parser.parse_args()
    global REUSE
    REUSE = args.reuse
    root = pathlib.Path(args.data_dir)
    print(f"Writing the real media under {root}...", flush=True)
    paths = real_media.build(root)
    runs = root / "runs"
    results = {"plain": {}}
    plain = root / "plain.json"
    if plain.exists():
        # The baselines use nothing from keras_mm: their figures hold as
        # long as the media do.
        results["plain"] = json.loads(plain.read_text())
    elif not args.skip_plain:
        print("Plain Keras baselines...", flush=True)
        results["plain"]["same"], image_probs = plain_same(paths)
        results["plain"]["captions"] = plain_captions_and_retrieval(
            paths, image_probs
        )
        results["plain"]["relation"] = plain_relation(paths)
        plain.write_text(json.dumps(results["plain"]) + "\n")
    print(json.dumps(results["plain"]), flush=True)
    if "same" in args.tasks:
        print("The zoo on `same`...", flush=True)
        singles = single_manifests(paths, root)
        results["same"] = zoo_same(paths, runs, args.fusions, singles)
    if "captions" in args.tasks:
        print("Captioners...", flush=True)
        results["captions"] = zoo_captions(paths, runs)
    if "retrieval" in args.tasks:
        print("Dual encoder...", flush=True)
        results["retrieval"] = zoo_retrieval(paths, runs)
    if "relation" in args.tasks:
        print("Relation...", flush=True)
        results["relation"] = zoo_relation(paths, runs)
    if "tables" in args.tasks:
        print("Tables...", flush=True)
        import real_tables  # noqa: E402 (it imports this module's `cli`)

        results["tables"] = real_tables.run(
            root / "tables", list(real_tables.TABLES), 5, [0, 0.1], (0, 2)
        )
    if args.update:
        saved = pathlib.Path(args.out) / "real_data.json"
        results = merge(saved, results, args.fusions)
    report(results, pathlib.Path(args.out))


def merge(path, results, fusions):
    """`results` over those saved in `path` (see `--update`).

    A task measured now replaces its saved rows, but for `same` the rows
    of fusions not in `fusions` are kept.
    """
    merged = json.loads(path.read_text()) if path.exists() else {}
    names = {f"multimodal_classifier --fusion {f}" for f in fusions}
    for task, new in results.items():
        if task == "same":
            fused = [r["model"] for r in merged.get(task, [])]
            kept = [
                r
                for r in merged.get(task, [])
                if r["model"].startswith("multimodal_classifier --fusion")
                and r["model"] not in names
            ]
            new = sorted(
                new + kept,
                key=lambda r: (
                    fused.index(r["model"])
                    if r["model"] in fused
                    else len(fused)
                ),
            )
        merged[task] = new
    return merged


if __name__ == "__main__":
    main()
