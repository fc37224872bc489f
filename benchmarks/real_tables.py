"""The `tabular` modality against scikit-learn and plain Keras, on real tables.

Usage: python benchmarks/real_tables.py [--folds 5] [--repeats 0 2]
           [--missing 0 0.1] [--data-dir DIR] [--out benchmarks/results]

scikit-learn's bundled tables (breast cancer: 569 rows, 30 measurements,
2 classes; wine: 178 rows, 13, 3 classes; iris: 150 rows, 4, 3 classes)
are split into stratified folds (5 folds, split with seeds 0 and 2: the
encoder's defaults were chosen on seed 1's folds). For every fold,
`keras-mm train --model multimodal_classifier --features ...` at its
defaults (run as a user would, a subprocess), then `keras-mm evaluate`
on the held-out fold, against, on the same rows: scikit-learn's
`LogisticRegression` on standardized columns, and a plain-Keras MLP
(`Normalization`, two Dense layers of 64, early stopping on the loss of
20% of the training rows). With `--missing R`, a share R of the cells of
both splits is emptied: keras-mm marks them missing, the baselines get
the training mean. Writes `real_tables.md` and `.json` to `--out`.
"""

import argparse
import json
import pathlib

import keras
import numpy as np
from real_data import cli
from real_media import write_manifest
from sklearn import datasets
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TABLES = {
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
}


def table(name):
    """`(columns, x, labels)`: safe column names, values, class names."""
    data = TABLES[name]()
    columns = [
        "".join(c if c.isalnum() else "_" for c in column)
        for column in data.feature_names
    ]
    labels = np.asarray(data.target_names)[data.target]
    return columns, data.data, labels


def with_missing(x, rate, seed):
    """`x` with a share `rate` of its cells NaN (missing)."""
    x = x.copy()
    x[np.random.default_rng(seed).random(x.shape) < rate] = np.nan
    return x


def write(path, columns, x, labels):
    rows = [
        {
            **{
                c: "" if np.isnan(v) else f"{v:.6g}" for c, v in zip(columns, r)
            },
            "label": label,
        }
        for r, label in zip(x, labels)
    ]
    write_manifest(path, rows)
    return path


def keras_mm(folder, columns, train, test):
    bundle = folder / "bundle"
    cli(
        "train",
        "--model",
        "multimodal_classifier",
        "--data",
        train,
        "--features",
        ",".join(columns),
        "--out",
        bundle,
    )
    metrics = cli("evaluate", "--model-dir", bundle, "--data", test)
    return json.loads(metrics)["accuracy"]


def logistic_regression(x_train, y_train, x_test, y_test):
    model = make_pipeline(
        SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=5000)
    )
    return float(model.fit(x_train, y_train).score(x_test, y_test))


def plain_mlp(x_train, y_train, x_test, y_test, seed):
    """Normalization, Dense(64) x 2, softmax; the training mean for NaN."""
    keras.utils.set_random_seed(seed)
    classes = sorted(set(y_train))
    imputer = SimpleImputer().fit(x_train)
    x_train, x_test = imputer.transform(x_train), imputer.transform(x_test)
    y_train = np.array([classes.index(y) for y in y_train])
    y_test = np.array([classes.index(y) for y in y_test])
    order = np.random.default_rng(seed).permutation(len(x_train))
    x_train, y_train = x_train[order], y_train[order]
    normalization = keras.layers.Normalization()
    normalization.adapt(x_train)
    model = keras.Sequential(
        [
            keras.Input((x_train.shape[1],)),
            normalization,
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(len(classes), activation="softmax"),
        ]
    )
    model.compile(
        "adam", "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    # The validation loss: accuracy on a few dozen rows is too coarse.
    stop = keras.callbacks.EarlyStopping(
        "val_loss", patience=20, restore_best_weights=True
    )
    model.fit(
        x_train,
        y_train,
        validation_split=0.2,
        epochs=200,
        batch_size=32,
        callbacks=[stop],
        verbose=0,
    )
    return float(model.evaluate(x_test, y_test, verbose=0)[1])


def run(root, names, folds, missing_rates, repeats=(0,)):
    """Per table and missing rate, each method's accuracy per fold.

    `repeats`: seeds of the fold splits; each adds `folds` folds.
    """
    results = {}
    for name in names:
        columns, x, labels = table(name)
        for rate in missing_rates:
            key = f"{name}, {rate:.0%} missing"
            values = with_missing(x, rate, seed=1) if rate else x
            scores = {
                "keras-mm": [],
                "logistic regression": [],
                "plain Keras MLP": [],
            }
            splits = [
                (repeat, fold, train, test)
                for repeat in repeats
                for fold, (train, test) in enumerate(
                    StratifiedKFold(
                        folds, shuffle=True, random_state=repeat
                    ).split(values, labels)
                )
            ]
            for repeat, fold, train, test in splits:
                folder = root / name / f"missing{rate:g}" / f"{repeat}-{fold}"
                folder.mkdir(parents=True, exist_ok=True)
                train_csv = write(
                    folder / "train.csv", columns, values[train], labels[train]
                )
                test_csv = write(
                    folder / "test.csv", columns, values[test], labels[test]
                )
                scores["keras-mm"].append(
                    keras_mm(folder, columns, train_csv, test_csv)
                )
                arrays = (
                    values[train],
                    labels[train],
                    values[test],
                    labels[test],
                )
                scores["logistic regression"].append(
                    logistic_regression(*arrays)
                )
                scores["plain Keras MLP"].append(plain_mlp(*arrays, seed=fold))
                print(
                    f"{key}, split {repeat}, fold {fold + 1}/{folds}: "
                    + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()),
                    flush=True,
                )
            results[key] = scores
    return results


def report(results, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "real_tables.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "| table | keras-mm | logistic regression | plain Keras MLP | "
        "keras-mm minus LR, per fold (min to max) |",
        "|---|---|---|---|---|",
    ]
    for key, scores in results.items():
        cells = [f"{np.mean(v):.3f} ± {np.std(v):.3f}" for v in scores.values()]
        gap = np.subtract(scores["keras-mm"], scores["logistic regression"])
        lines.append(
            f"| {key} | {' | '.join(cells)} | {gap.mean():+.3f} "
            f"({gap.min():+.3f} to {gap.max():+.3f}) |"
        )
    (out / "real_tables.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="benchmarks/.real_data/tables")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--missing", nargs="+", type=float, default=[0, 0.1])
    parser.add_argument(
        "--repeats",
        nargs="+",
        type=int,
        default=[0, 2],
        help="Seeds of the fold splits (1 chose the encoder's defaults).",
    )
    args = parser.parse_args()
    results = run(
        pathlib.Path(args.data_dir),
        args.tables,
        args.folds,
        args.missing,
        args.repeats,
    )
    report(results, pathlib.Path(args.out))


if __name__ == "__main__":
    main()
