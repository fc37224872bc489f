"""What `keras-mm train` does, as one Python call: `train_bundle`."""

import dataclasses
import pathlib
import shutil

import keras

from keras_mm.export import load_bundle
from keras_mm.export import prepared_output
from keras_mm.log import log
from keras_mm.modalities import list_modalities
from keras_mm.options import check_options
from keras_mm.options import check_processes
from keras_mm.tasks import get_task
from keras_mm.tasks import list_tasks
from keras_mm.tasks import task_of
from keras_mm.training import warm_start
from keras_mm.training.processes import barrier
from keras_mm.training.processes import is_chief
from keras_mm.training.processes import start_processes
from keras_mm.training.resume import completed_epochs
from keras_mm.workflow.fit import fit_and_save
from keras_mm.workflow.fit import make_datasets
from keras_mm.workflow.manifests import read_manifest
from keras_mm.workflow.run_folder import check_data
from keras_mm.workflow.run_folder import start_run

VALIDATION_FRACTION = 0.2


@dataclasses.dataclass(frozen=True)
class TrainingOptions:
    """The options of a training run: `train_bundle`'s arguments.

    `keras-mm train` maps its flags onto these fields one to one, and a
    run folder keeps them, so that `--resume` can compare.
    """

    model: str
    out: str
    data: str = "demo"
    val: str | None = None
    epochs: int | None = None
    fusion: str | None = None
    modality_dropout: float | None = None
    features: tuple[str, ...] | None = None
    frames: int | None = None
    patience: int = 10
    init_from: tuple[str, ...] | None = None
    freeze: bool = False
    batch_size: int = 32
    cache_mb: float | None = None
    learning_rate: float = 1e-3
    jit_compile: str = "auto"
    seed: int = 0
    resume: bool = False
    num_processes: int | None = None
    process_id: int | None = None
    coordinator: str | None = None


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    """What a training run gave.

    Attributes:
        out: `pathlib.Path`. The bundle.
        metrics: dict. The validation metrics, with `"epochs"` run.
        summary: str. The lines `keras-mm train` prints at the end.
    """

    out: pathlib.Path
    metrics: dict
    summary: str


def train_bundle(
    model: str,
    out: str | pathlib.Path,
    data: str | pathlib.Path = "demo",
    *,
    val: str | pathlib.Path | None = None,
    epochs: int | None = None,
    fusion: str | None = None,
    modality_dropout: float | None = None,
    features: list[str] | tuple[str, ...] | str | None = None,
    frames: int | None = None,
    patience: int = 10,
    init_from: list[str] | tuple[str, ...] | None = None,
    freeze: bool = False,
    batch_size: int = 32,
    cache_mb: float | None = None,
    learning_rate: float = 1e-3,
    jit_compile: str = "auto",
    seed: int = 0,
    resume: bool = False,
    num_processes: int | None = None,
    process_id: int | None = None,
    coordinator: str | None = None,
) -> TrainingResult | None:
    """Train a zoo model on a manifest and write its bundle to `out`.

    This is all of `keras-mm train` (whose flags map onto these
    arguments): the validation split, the default epochs, early stopping,
    warm start and freezing, the run folder that `resume` continues, a
    run in several processes, the final evaluation, and the bundle with
    `history.csv` and `metrics.json`, swapped in only when all succeeded.
    With the same options and seed it gives the weights `keras-mm train`
    gives.

    Args:
        model: str. A zoo model (`keras_mm.zoo.list_models()`).
        out: str or path. The bundle folder: absent, empty, or a bundle
            that holds nothing else (see `keras_mm.export.check_output`).
        data: str or path. A CSV/JSONL manifest, a `keras-mm prepare`
            folder, or `"demo"` (`"demo:DATASET"`).
        val: str, path or None. A validation manifest; None holds out 20%
            of `data`, stratified by label.
        epochs: int or None. Maximum epochs; None: enough for the task's
            training steps (10 to 100 epochs).
        fusion: str or None. A fusion method, for models that take one.
        modality_dropout: float or None. Rate of whole-modality dropout.
        features: list of str, str or None. Manifest columns the
            `tabular` modality reads (`"age,breed"` or `["age",
            "breed"]`; `"code:categorical"` chooses a column's kind).
        frames: int or None. Frames the `video` modality samples from
            each clip (default 16).
        patience: int. Epochs without a better validation score before
            stopping; the best weights are kept.
        init_from: list of str or None. Bundles whose encoders (matched
            by name and shapes) start the model.
        freeze: bool. Keep the encoders from `init_from` fixed.
        batch_size: int. Batch size (of all processes together).
        cache_mb: float or None. Memory for decoded media, in MB (default
            512; 0 caches nothing).
        learning_rate: float. Peak learning rate.
        jit_compile: str. `"auto"`, `"on"`, `"off"` or `"tune"`.
        seed: int. Seeds the split, the shuffles and the weights.
        resume: bool. Continue the interrupted run to `out`.
        num_processes: int or None. Processes of a data-parallel run (JAX
            backend); with `process_id` and `coordinator`.
        process_id: int or None. This process's number.
        coordinator: str or None. `HOST:PORT` of process 0.

    Returns:
        A `TrainingResult`; None on a process other than process 0.

    Raises:
        ValueError: naming a bad option, file, row or folder, before any
            training.
        FloatingPointError: if training diverged (the bundle in `out`,
            if any, is kept).

    Example:

    ```python
    result = train_bundle("multimodal_classifier", "saved_models/mine",
                          "data/train.csv", fusion="gated")
    print(result.metrics["accuracy"])
    ```
    """
    options = TrainingOptions(
        model=model,
        out=str(out),
        data=str(data),
        val=None if val is None else str(val),
        epochs=epochs,
        fusion=fusion,
        modality_dropout=modality_dropout,
        features=_features(features),
        frames=frames,
        patience=patience,
        init_from=None if init_from is None else tuple(map(str, init_from)),
        freeze=freeze,
        batch_size=batch_size,
        cache_mb=cache_mb,
        learning_rate=learning_rate,
        jit_compile=jit_compile,
        seed=seed,
        resume=resume,
        num_processes=num_processes,
        process_id=process_id,
        coordinator=coordinator,
    )
    check_options(options)
    check_processes(options, num_processes or 1)
    _check_staging(options, task_of(model))
    start_processes(num_processes, process_id, coordinator)
    if not is_chief():
        barrier("run folder")  # The chief starts it; the others read it.
        return _train(options)
    with prepared_output(options.out):
        folder = start_run(options)
        barrier("run folder")
        try:
            return _train(options)
        except Exception:
            # Nothing to resume: bad data, or a run diverged in epoch 1.
            if not resume and not completed_epochs(folder):
                shutil.rmtree(folder, ignore_errors=True)
            raise


def _features(features):
    if isinstance(features, str):
        features = features.split(",")
    return None if features is None else tuple(f.strip() for f in features)


def default_epochs(num_rows, batch_size, steps=600):
    """Epochs for about `steps` training steps, between 10 and 100."""
    steps_per_epoch = max(1, -(-num_rows // batch_size))
    return int(min(max(10, -(-steps // steps_per_epoch)), 100))


def _train(options):
    task = task_of(options.model)
    train_manifest, val_manifest = _manifests(options, task.demo_data)
    log(
        f"Training rows: {len(train_manifest)}, "
        f"validation rows: {len(val_manifest)}"
    )
    if is_chief():
        manifests = {"training": train_manifest, "validation": val_manifest}
        check_data(options.out, options.resume, manifests)
    epochs = options.epochs or default_epochs(
        len(train_manifest), options.batch_size, task.training_steps
    )
    keras.utils.set_random_seed(options.seed)
    model, preprocessor = task.fit_to(
        train_manifest,
        options.model,
        fusion=options.fusion,
        modality_dropout=options.modality_dropout,
        features=options.features,
        frames=options.frames,
    )
    for bundle in options.init_from or ():
        _warm_start(model, options.model, bundle, options.freeze)
    data = make_datasets(
        options, preprocessor, train_manifest, val_manifest, epochs
    )
    log(f"Model {options.model}: {task.describe(model, preprocessor)}")
    metrics = fit_and_save(
        options,
        model,
        preprocessor,
        data,
        epochs,
        lambda trained: task.evaluate_trained(
            trained, preprocessor, val_manifest
        ),
        **_training_options(task, preprocessor, val_manifest),
    )
    if metrics is None:
        return None
    summary = task.report(metrics, preprocessor, val_manifest, options.out)
    return TrainingResult(pathlib.Path(options.out), metrics, summary)


def _training_options(task, preprocessor, val_manifest):
    """The task's training options, with its validation callbacks."""
    options = task.training_options(preprocessor)
    callbacks = task.validation_callbacks(preprocessor, val_manifest)
    return {
        **options,
        "callbacks": [*options.get("callbacks", []), *callbacks],
    }


def _manifests(options, demo_data):
    manifest = read_manifest(options.data, demo_data)
    if options.val:
        return manifest, read_manifest(options.val, demo_data)
    return manifest.split(VALIDATION_FRACTION, options.seed)


def _check_staging(options, task):
    if options.freeze and not options.init_from:
        raise ValueError("--freeze needs --init-from MODEL_DIR.")
    if options.init_from and not task.staged:
        staged = [t for t in map(get_task, list_tasks()) if t.staged]
        nouns = " and ".join(t.noun + "s" for t in staged)
        raise ValueError(
            f"--init-from and --freeze work with {nouns}; "
            f"'{options.model}' is a {task.noun}."
        )


def _warm_start(model, name, bundle, freeze):
    """Copy (and freeze) the encoders of a trained bundle into `model`."""
    # Only the encoders: a fusion layer is specific to its task; one that
    # learned to merge what the modalities show (the same digit) need not
    # keep them apart (which digit is larger).
    encoders = [f"{m}_encoder" for m in list_modalities()]
    copied = warm_start(model, load_bundle(bundle)[0], freeze, encoders)
    if not copied:
        raise ValueError(
            f"--init-from {bundle}: no encoder of that model matches an "
            f"encoder of {name} in name and shapes."
        )
    kept = " (frozen)" if freeze else ""
    log(f"Starting from {bundle}: {', '.join(copied)}{kept}")
