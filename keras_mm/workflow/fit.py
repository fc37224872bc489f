"""The training datasets and the fit of a run, and its bundle."""

import shutil

from keras_mm.export import staging_directory
from keras_mm.export import write_bundle
from keras_mm.log import log
from keras_mm.training import compile_model
from keras_mm.training import train
from keras_mm.training.processes import shard
from keras_mm.training.processes import stop_processes
from keras_mm.training.resume import completed_epochs
from keras_mm.training.train import compile_options
from keras_mm.workflow.report import metrics_json
from keras_mm.workflow.run_folder import run_folder


def make_datasets(args, preprocessor, train_manifest, val_manifest, epochs):
    """`(train_data, validation_data, steps_per_epoch)` of a run.

    The training data holds the epochs the run has still to do, each
    shuffled by the seed and its number (see `keras_mm.data.batches`);
    in a run of several processes, only this process's share of each
    batch (see `keras_mm.training.processes`).
    """
    log("Checking the data...")
    first = completed_epochs(run_folder(args.out))
    cache = {} if args.cache_mb is None else {"cache_mb": args.cache_mb}
    index, count = shard()
    train_data = preprocessor.dataset(
        train_manifest,
        args.batch_size,
        shuffle=True,
        seed=args.seed,
        epochs=(first, epochs),
        shard=(index, count) if count > 1 else None,
        **cache,
    )
    rows = len(train_manifest) // count
    steps = -(-rows // (args.batch_size // count))
    return (
        train_data,
        preprocessor.dataset(val_manifest, args.batch_size, **cache),
        steps,
    )


def fit_and_save(args, model, preprocessor, data, epochs, evaluate, **kwargs):
    """Train with a run's options, evaluate, and write the bundle.

    Training backs itself up in the run folder (see `start_run`) at every
    epoch. The bundle (with `history.csv` and `metrics.json`) replaces
    `args.out` only when everything succeeded; the caller holds
    `prepared_output`. The run folder is removed last. In a run of
    several processes, only the chief (process 0) evaluates and writes.

    Args:
        args: `keras_mm.workflow.TrainingOptions`.
        model: `keras.Model`. The model to train.
        preprocessor: its preprocessor, saved with it.
        data: `(train_data, validation_data, steps_per_epoch)`, from
            `make_datasets`.
        epochs: int. Maximum epochs.
        evaluate: function of the trained model: the validation
            metrics dict.
        **kwargs: more arguments for `keras_mm.training.train`.

    Returns:
        The metrics, with the number of epochs run; None on a process
        other than the chief.
    """
    train_data, validation_data, steps = data
    work = run_folder(args.out)
    log(f"Training for up to {epochs} epochs...")
    history = train(
        model,
        train_data,
        validation_data,
        epochs=epochs,
        learning_rate=args.learning_rate,
        jit_compile=args.jit_compile,
        patience=args.patience,
        out_dir=work,
        steps_per_epoch=steps,
        resumable=True,
        **kwargs,
    )
    model = stop_processes(
        model,
        lambda copy: compile_model(  # As `train` compiled.
            copy,
            learning_rate=args.learning_rate,
            jit_compile=args.jit_compile,
            total_steps=epochs * steps,
            **compile_options(kwargs),
        ),
    )
    if model is None:
        return None
    done = history.epoch[-1] + 1 if history.epoch else completed_epochs(work)
    metrics = {**evaluate(model), "epochs": done}
    with staging_directory(args.out) as staging:
        (staging / "metrics.json").write_text(metrics_json(metrics) + "\n")
        shutil.copy(work / "history.csv", staging / "history.csv")
        log("Saving model.keras and the SavedModel...")
        write_bundle(model, preprocessor, staging)
    shutil.rmtree(work, ignore_errors=True)
    return metrics
