"""`keras-mm evaluate`, `predict`, `caption`, `retrieve` and `export`."""

import pathlib

from keras_mm.data import ManifestError
from keras_mm.export import check_output
from keras_mm.export import export_bundle
from keras_mm.export import load_bundle
from keras_mm.export.bundle import SAVED_MODEL_DIR
from keras_mm.tasks import get_task
from keras_mm.tasks.task import write_csv
from keras_mm.workflow import read_manifest
from keras_mm.workflow.report import metrics_json
from keras_mm.workflow.spoken_questions import QUESTION_AUDIO
from keras_mm.workflow.spoken_questions import spoken_rows
from keras_mm.workflow.spoken_questions import transcribe_questions


def run_evaluate(args):
    model, preprocessor = load_bundle(args.model_dir)
    task = get_task(preprocessor.task)
    metrics = task.evaluate(
        model,
        preprocessor,
        _manifest(args, task, preprocessor),
        args.batch_size,
        drop=tuple(args.drop_modality),
    )
    print(metrics_json(metrics))


def run_predict(args):
    """`predict`, `caption` and `retrieve`: the task's rows, as CSV."""
    model, preprocessor = load_bundle(args.model_dir)
    task = get_task(preprocessor.task)
    if task.command != args.command:
        raise ValueError(
            f"The model in {args.model_dir} is a {task.noun}: use "
            f"`keras-mm {task.command}`."
        )
    manifest = _manifest(args, task, preprocessor)
    header, rows = task.predict(model, preprocessor, manifest, vars(args))
    write_csv(header, rows)


def _manifest(args, task, preprocessor):
    """The `--data` rows, with their spoken questions transcribed by
    `--speech-model` if it is given."""
    manifest = read_manifest(args.data)
    speech_model = getattr(args, "speech_model", None)
    words = task.question_words(preprocessor)
    if words is None:
        if speech_model is not None:
            raise ValueError(
                f"--speech-model transcribes spoken questions; the model "
                f"in {args.model_dir} is a {task.noun}, which answers none."
            )
        return manifest
    if speech_model is None:
        spoken = spoken_rows(manifest)
        if spoken:
            raise ManifestError(
                f"{manifest.where(spoken[0])} asks its question in speech "
                f"(`{QUESTION_AUDIO}`, no `question`): pass --speech-model "
                "with a speech recognizer bundle to transcribe it."
            )
        return manifest
    return transcribe_questions(manifest, speech_model, args.batch_size, words)


def run_export(args):
    if (
        pathlib.Path(args.out).resolve()
        == pathlib.Path(args.model_dir).resolve()
    ):
        raise ValueError(
            f"--out {args.out} is the bundle --model-dir reads; export "
            "writes a copy of it: choose another --out."
        )
    check_output(args.out)
    model, preprocessor = load_bundle(args.model_dir)
    out = export_bundle(model, preprocessor, args.out)
    print(f"Exported to {out}: model.keras, {SAVED_MODEL_DIR}/, preprocessing")
    print(f"Inspect: saved_model_cli show --dir {out}/{SAVED_MODEL_DIR} --all")
