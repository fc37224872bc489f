"""`keras-mm prepare`: a manifest's media decoded once, into shards."""

from keras_mm.data.prepared import write_prepared
from keras_mm.export import load_bundle
from keras_mm.export import prepared_output
from keras_mm.export import staging_directory
from keras_mm.log import log
from keras_mm.tasks import task_of
from keras_mm.workflow import read_manifest


def run_prepare(args):
    with prepared_output(args.out):
        manifest = read_manifest(args.data)
        if args.model_dir:
            if args.frames:
                raise ValueError(
                    "--frames is set by the bundle of --model-dir; leave "
                    "it out."
                )
            _, preprocessor = load_bundle(args.model_dir)
            target = f"--model-dir {args.model_dir}"
        else:
            task = task_of(args.model)
            _, preprocessor = task.fit_to(
                manifest, args.model, frames=args.frames
            )
            target = args.model
        shapes = ", ".join(
            f"{name} {'x'.join(map(str, shape))}"
            for name, (shape, _) in preprocessor.media().items()
        )
        log(f"Decoding {len(manifest)} rows for {target}: {shapes}")
        with staging_directory(args.out) as staging:
            shards = write_prepared(
                preprocessor, manifest, staging, args.shard_mb
            )
    print(f"Prepared {len(manifest)} rows in {shards} shard(s): {args.out}")
    print(f"Train or evaluate with --data {args.out}")
