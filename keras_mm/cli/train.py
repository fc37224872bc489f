"""`keras-mm train`: any zoo model, through its task."""

import shutil

import keras

from keras_mm.cli.fit import fit_and_save
from keras_mm.cli.fit import make_datasets
from keras_mm.cli.manifests import read_manifest
from keras_mm.cli.run_folder import check_data
from keras_mm.cli.run_folder import start_run
from keras_mm.export import load_bundle
from keras_mm.export import prepared_output
from keras_mm.log import log
from keras_mm.modalities import MODALITIES
from keras_mm.tasks import get_task
from keras_mm.tasks import list_tasks
from keras_mm.tasks import task_of
from keras_mm.training import warm_start
from keras_mm.training.processes import barrier
from keras_mm.training.processes import is_chief
from keras_mm.training.processes import start_processes
from keras_mm.training.resume import completed_epochs

VALIDATION_FRACTION = 0.2


def default_epochs(num_rows, batch_size, steps=600):
    """Epochs for about `steps` training steps, between 10 and 100."""
    steps_per_epoch = max(1, -(-num_rows // batch_size))
    return int(min(max(10, -(-steps // steps_per_epoch)), 100))


def _manifests(args, demo_data):
    manifest = read_manifest(args.data, demo_data)
    if args.val:
        return manifest, read_manifest(args.val, demo_data)
    return manifest.split(VALIDATION_FRACTION, args.seed)


def _check_staging(args, task):
    if args.freeze and not args.init_from:
        raise ValueError("--freeze needs --init-from MODEL_DIR.")
    if args.init_from and not task.staged:
        staged = [t for t in map(get_task, list_tasks()) if t.staged]
        nouns = " and ".join(t.noun + "s" for t in staged)
        raise ValueError(
            f"--init-from and --freeze work with {nouns}; "
            f"'{args.model}' is a {task.noun}."
        )


def _warm_start(model, name, bundle, freeze):
    """Copy (and freeze) the encoders of a trained bundle into `model`."""
    # Only the encoders: a fusion layer is specific to its task; one that
    # learned to merge what the modalities show (the same digit) need not
    # keep them apart (which digit is larger).
    encoders = [f"{m}_encoder" for m in MODALITIES]
    copied = warm_start(model, load_bundle(bundle)[0], freeze, encoders)
    if not copied:
        raise ValueError(
            f"--init-from {bundle}: no encoder of that model matches an "
            f"encoder of {name} in name and shapes."
        )
    kept = " (frozen)" if freeze else ""
    log(f"Starting from {bundle}: {', '.join(copied)}{kept}")


def run_train(args):
    start_processes(args.num_processes, args.process_id, args.coordinator)
    if not is_chief():
        barrier("run folder")  # The chief starts it; the others read it.
        return _run_train(args)
    with prepared_output(args.out):
        folder = start_run(args)
        barrier("run folder")
        try:
            return _run_train(args)
        except Exception:
            # Nothing to resume: bad data, or a run diverged in epoch 1.
            if not args.resume and not completed_epochs(folder):
                shutil.rmtree(folder, ignore_errors=True)
            raise


def _run_train(args):
    task = task_of(args.model)
    _check_staging(args, task)
    train_manifest, val_manifest = _manifests(args, task.demo_data)
    log(
        f"Training rows: {len(train_manifest)}, "
        f"validation rows: {len(val_manifest)}"
    )
    if is_chief():
        manifests = {"training": train_manifest, "validation": val_manifest}
        check_data(args.out, args.resume, manifests)
    epochs = args.epochs or default_epochs(
        len(train_manifest), args.batch_size, task.training_steps
    )
    keras.utils.set_random_seed(args.seed)
    model, preprocessor = task.fit_to(
        train_manifest,
        args.model,
        fusion=args.fusion,
        modality_dropout=args.modality_dropout,
    )
    for bundle in args.init_from or ():
        _warm_start(model, args.model, bundle, args.freeze)
    data = make_datasets(
        args, preprocessor, train_manifest, val_manifest, epochs
    )
    log(f"Model {args.model}: {task.describe(model, preprocessor)}")
    metrics = fit_and_save(
        args,
        model,
        preprocessor,
        data,
        epochs,
        lambda trained: task.evaluate(trained, preprocessor, val_manifest),
        **task.training_options(preprocessor),
    )
    if metrics is not None:
        print(task.report(metrics, preprocessor, val_manifest, args.out))
