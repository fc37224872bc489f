from keras_mm.cli.manifests import log
from keras_mm.cli.report import metrics_json
from keras_mm.export import staging_directory
from keras_mm.export import write_bundle
from keras_mm.training import train


def make_datasets(args, preprocessor, train_manifest, val_manifest):
    """`(train_data, validation_data)` with the CLI's batch size and seed."""
    log("Checking the media files...")
    train_data = preprocessor.dataset(
        train_manifest, args.batch_size, shuffle=True, seed=args.seed
    )
    return train_data, preprocessor.dataset(val_manifest, args.batch_size)


def fit_and_save(args, model, preprocessor, data, epochs, evaluate, **kwargs):
    """Train with the CLI's options, evaluate, and write the bundle.

    The bundle (with `history.csv` and `metrics.json`) replaces `args.out`
    only when everything succeeded; the caller holds `prepared_output`.

    Args:
        args: the parsed `train` arguments.
        model: `keras.Model`. The model to train.
        preprocessor: its preprocessor, saved with it.
        data: `(train_data, validation_data)` datasets.
        epochs: int. Maximum epochs.
        evaluate: callable returning the validation metrics dict.
        **kwargs: more arguments for `keras_mm.training.train`.

    Returns:
        The metrics, with the number of epochs run.
    """
    log(f"Training for up to {epochs} epochs...")
    with staging_directory(args.out) as staging:
        history = train(
            model,
            *data,
            epochs=epochs,
            learning_rate=args.learning_rate,
            jit_compile=args.jit_compile,
            patience=args.patience,
            out_dir=staging,
            **kwargs,
        )
        metrics = {**evaluate(), "epochs": len(history.epoch)}
        (staging / "metrics.json").write_text(metrics_json(metrics) + "\n")
        log("Saving model.keras and the SavedModel...")
        write_bundle(model, preprocessor, staging)
        (staging / "checkpoint.weights.h5").unlink(missing_ok=True)
    return metrics
