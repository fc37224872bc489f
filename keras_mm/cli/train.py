import keras

from keras_mm import zoo
from keras_mm.cli.captioning import run_train_captioner
from keras_mm.cli.fit import fit_and_save
from keras_mm.cli.fit import make_datasets
from keras_mm.cli.manifests import log
from keras_mm.cli.manifests import read_manifest
from keras_mm.cli.retrieval import run_train_dual_encoder
from keras_mm.cli.run_folder import start_run
from keras_mm.data import DEFAULT_SAMPLE_RATE
from keras_mm.data import ManifestError
from keras_mm.data import Preprocessor
from keras_mm.data import build_vocabulary
from keras_mm.data import learn_class_names
from keras_mm.data import suggest_lengths
from keras_mm.export import load_bundle
from keras_mm.export import prepared_output
from keras_mm.export.bundle import SAVED_MODEL_DIR
from keras_mm.modalities import MODALITIES
from keras_mm.training import warm_start

VALIDATION_FRACTION = 0.2
# Default training steps per task. On the real-data benchmark 600 steps
# left classifiers short (image only: 0.755 at 18 epochs, 0.875 at 40).
STEPS = {"classification": 1500, "captioning": 1500, "retrieval": 1500}


def default_epochs(num_rows, batch_size, steps=600):
    """Epochs for about `steps` training steps, between 10 and 100."""
    steps_per_epoch = max(1, -(-num_rows // batch_size))
    return int(min(max(10, -(-steps // steps_per_epoch)), 100))


def _manifests(args):
    # Captioners and dual encoders learn from the demo captions.
    classifier = zoo.model_task(args.model) == "classification"
    demo = "factorial" if classifier else "captions"
    manifest = read_manifest(args.data, demo)
    if args.val:
        return manifest, read_manifest(args.val, demo)
    return manifest.split(VALIDATION_FRACTION, args.seed)


def _build_model(name, train_manifest, class_names, options):
    """Build `name` sized to the data.

    The head matches the number of classes, the embedding the vocabulary,
    the audio and text lengths fit most rows, and a model that takes
    `modalities` gets those present in the manifest.
    """
    accepted = zoo.config(name)
    columns = train_manifest.columns
    overrides = {"num_classes": len(class_names)}
    for key, value in options.items():
        if value is None:
            continue
        if key not in accepted:
            takes = [m for m in zoo.list_models() if key in zoo.config(m)]
            flag = "--" + key.replace("_", "-")
            raise ValueError(
                f"Model '{name}' does not take {flag}; it works with: "
                f"{', '.join(takes)}"
            )
        overrides[key] = value
    if "modalities" in accepted:
        present = tuple(m for m in MODALITIES if m in columns)
        if not present:
            raise ManifestError(
                f"Manifest {train_manifest.path} has none of the columns "
                f"{MODALITIES}."
            )
        overrides["modalities"] = present
    vocabulary = None
    if "vocabulary_size" in accepted and "text" in columns:
        texts = train_manifest.column("text", allow_empty=True)
        vocabulary = build_vocabulary(
            [t for t in texts if t], accepted["vocabulary_size"]
        )
        overrides["vocabulary_size"] = len(vocabulary) + 2
    sample_rate = accepted.get("sample_rate", DEFAULT_SAMPLE_RATE)
    for key, value in suggest_lengths(train_manifest, sample_rate).items():
        if key in accepted:
            overrides[key] = value
    model = zoo.build(name, **overrides)
    missing = sorted(set(model.input) - columns - {"presence"})
    if missing:
        raise ManifestError(
            f"Model '{name}' reads {sorted(model.input)}, but manifest "
            f"{train_manifest.path} has no {missing} column."
        )
    return model, vocabulary


def _check_staging(args):
    if args.freeze and not args.init_from:
        raise ValueError("--freeze needs --init-from MODEL_DIR.")
    task = zoo.model_task(args.model)
    if args.init_from and task != "classification":
        raise ValueError(
            f"--init-from and --freeze work with classifiers; "
            f"'{args.model}' is a {task} model."
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
    with prepared_output(args.out):
        start_run(args)
        return _run_train(args)


def _run_train(args):
    _check_staging(args)
    train_manifest, val_manifest = _manifests(args)
    log(
        f"Training rows: {len(train_manifest)}, "
        f"validation rows: {len(val_manifest)}"
    )
    task = zoo.model_task(args.model)
    epochs = args.epochs
    if epochs is None:
        epochs = default_epochs(
            len(train_manifest), args.batch_size, STEPS[task]
        )
    if task != "classification":
        for flag in ("fusion", "modality_dropout"):
            if getattr(args, flag) is not None:
                raise ValueError(
                    f"Model '{args.model}' does not take "
                    f"--{flag.replace('_', '-')}: it has no fusion."
                )
        run = {
            "captioning": run_train_captioner,
            "retrieval": run_train_dual_encoder,
        }[task]
        return run(args, train_manifest, val_manifest, epochs)
    class_names = learn_class_names(train_manifest)
    keras.utils.set_random_seed(args.seed)
    options = {
        "fusion": args.fusion,
        "modality_dropout": args.modality_dropout,
    }
    model, vocabulary = _build_model(
        args.model, train_manifest, class_names, options
    )
    for bundle in args.init_from or ():
        _warm_start(model, args.model, bundle, args.freeze)
    preprocessor = Preprocessor.from_model(model, class_names, vocabulary)
    data = make_datasets(
        args, preprocessor, train_manifest, val_manifest, epochs
    )
    log(
        f"Model {args.model}: {model.count_params():,} parameters, "
        f"{len(class_names)} classes, inputs "
        + ", ".join(f"{k} {tuple(v)}" for k, v in preprocessor.inputs.items())
    )

    def evaluate():
        metrics = model.evaluate(data[1], return_dict=True, verbose=0)
        return {key: float(value) for key, value in metrics.items()}

    metrics = fit_and_save(args, model, preprocessor, data, epochs, evaluate)
    saved_model = f"{args.out}/{SAVED_MODEL_DIR}"
    print(
        f"Validation accuracy: {metrics['accuracy']:.4f} "
        f"(chance: {1 / len(class_names):.4f})\n"
        f"Saved to {args.out}: model.keras, {SAVED_MODEL_DIR}/, "
        "preprocessing.json, history.csv, metrics.json\n"
        f"Inspect: saved_model_cli show --dir {saved_model} --all"
    )
