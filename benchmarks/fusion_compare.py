"""Compare every fusion method on the demo data with one budget and seed.

Usage: python benchmarks/fusion_compare.py [--dataset redundant]
           [--samples 2400] [--epochs 12] [--out benchmarks/results]

Trains `multimodal_classifier` with each fusion method, without and with
ModalityDropout, on a demo dataset (default `redundant`: every modality names
the label but each is wrong on some rows), and reports validation accuracy
with all modalities and with each one removed, the parameter count and
training samples per second. Writes `fusion_compare_<dataset>.md` (a markdown
table), `.json` and `.png` to `--out`.
"""

import argparse
import json
import pathlib
import time

import keras

from keras_mm.data import Manifest
from keras_mm.data import demo_datasets
from keras_mm.data import demo_manifest
from keras_mm.fusion import list_fusions
from keras_mm.tasks import fit_to
from keras_mm.tasks import task_of
from keras_mm.training import train


def prepare(num_samples, dataset="redundant", seed=0):
    """`(train_rows, val_rows)` of a demo dataset: a 75/25 split."""
    manifest = Manifest.read(demo_manifest(num_samples, dataset=dataset))
    return manifest.split(0.25, seed=seed)


def run(
    fusion,
    data,
    epochs,
    modality_dropout=0.0,
    seed=0,
    hidden_dim=32,
    learning_rate=1e-3,
):
    """Train one fusion; return its row of results as a dict."""
    train_rows, val_rows = data
    keras.utils.set_random_seed(seed)
    model, pre = fit_to(
        train_rows,
        "multimodal_classifier",
        fusion=fusion,
        sequence_length=8,
        image_shape=(32, 32, 3),
        hidden_dim=hidden_dim,
        modality_dropout=modality_dropout,
    )
    train_data = pre.dataset(train_rows, shuffle=True, seed=seed)
    start = time.perf_counter()
    train(
        model,
        train_data,
        epochs=epochs,
        learning_rate=learning_rate,
        patience=epochs,
        verbose=0,
        **task_of("multimodal_classifier").training_options(pre),
    )
    seconds = time.perf_counter() - start
    row = {
        "fusion": fusion,
        "modality_dropout": modality_dropout,
        "params": model.count_params(),
        "samples_per_second": epochs * len(train_rows) / seconds,
    }
    for dropped in (None, *pre.modalities):
        drop = () if dropped is None else (dropped,)
        data_ = pre.dataset(val_rows, drop=drop)
        accuracy = model.evaluate(data_, return_dict=True, verbose=0)
        row[f"without_{dropped}" if dropped else "accuracy"] = float(
            accuracy["accuracy"]
        )
    return row


def _removed(rows):
    """The modalities the rows report accuracy without."""
    return [
        key[len("without_") :] for key in rows[0] if key.startswith("without_")
    ]


def mean_loss(row):
    """Mean accuracy lost when one modality is removed."""
    removed = [row[k] for k in row if k.startswith("without_")]
    return row["accuracy"] - sum(removed) / len(removed)


def markdown(rows):
    removed = _removed(rows)
    header = (
        "| fusion | modality dropout | params | train samples/s | accuracy | "
        + " | ".join(f"without {m}" for m in removed)
        + " | mean loss without one |\n|"
        + "---|" * (6 + len(removed))
        + "\n"
    )
    lines = [
        f"| {r['fusion']} | {r['modality_dropout']:.2f} | {r['params']:,} "
        f"| {r['samples_per_second']:.0f} | {r['accuracy']:.3f} | "
        + " | ".join(f"{r[f'without_{m}']:.3f}" for m in removed)
        + f" | {mean_loss(r):.3f} |"
        for r in rows
    ]
    return header + "\n".join(lines) + "\n"


def plot(rows, path, chance):
    """Bars per fusion: accuracy with all modalities and each one removed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fusions = list(dict.fromkeys(r["fusion"] for r in rows))
    rates = sorted({r["modality_dropout"] for r in rows})
    keys = ["accuracy"] + [f"without_{m}" for m in _removed(rows)]
    width = 0.8 / len(keys)
    fig, axes = plt.subplots(
        1, len(rates), figsize=(6.5 * len(rates), 4), sharey=True, squeeze=False
    )
    for ax, rate in zip(axes[0], rates):
        subset = {r["fusion"]: r for r in rows if r["modality_dropout"] == rate}
        for k, key in enumerate(keys):
            offset = (k - (len(keys) - 1) / 2) * width
            ax.bar(
                [i + offset for i in range(len(fusions))],
                [subset[f][key] for f in fusions],
                width,
                label=key.replace("_", " "),
            )
        ax.set_xticks(range(len(fusions)))
        ax.set_xticklabels(fusions, rotation=40, ha="right")
        ax.set_title(f"modality dropout {rate:.2f}")
        ax.axhline(chance, color="gray", ls="--", lw=1, label="chance")
    axes[0][0].set_ylabel("validation accuracy")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels))
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset", default="redundant", choices=demo_datasets()
    )
    parser.add_argument("--samples", type=int, default=2400)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--modality-dropout", type=float, default=0.5)
    parser.add_argument("--fusions", nargs="*", default=list_fusions())
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = prepare(args.samples, args.dataset)
    rows = []
    for rate in (0.0, args.modality_dropout):
        for fusion in args.fusions:
            rows.append(
                run(
                    fusion,
                    data,
                    args.epochs,
                    rate,
                    learning_rate=args.learning_rate,
                )
            )
            print(json.dumps(rows[-1]), flush=True)
    table = markdown(rows)
    stem = out / f"fusion_compare_{args.dataset}"
    stem.with_suffix(".md").write_text(table)
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    classes = {row["label"] for row in data[0].rows}
    plot(rows, stem.with_suffix(".png"), 1 / len(classes))
    print(table)


if __name__ == "__main__":
    main()
