"""The real-data audio task in every common format, in one run.

Usage: python benchmarks/audio_formats.py [--data-dir DIR] [--formats ...]
           [--seeds 0 1 2] [--reuse] [--out benchmarks/results]

Takes the audio-only manifests of `real_data.py` (real speech by
`espeak-ng`, test voices unseen; `real_media.py` writes them, which
needs `espeak-ng`), converts every clip with soundfile to each format,
then trains `multimodal_classifier` with `keras-mm train` at its defaults
on each copy and scores it with `keras-mm evaluate` on the test copy in
the same format, as a user would, once per `--seed`. Training is
deterministic for given data and seed (FLAC, lossless, scores exactly
what WAV scores), so a lossy format's difference is its codec's effect
on one training run; several seeds show how far that varies. Prints each
format's accuracy per seed, its mean and its mean difference from the
16-bit WAV runs of the same seeds; writes `audio_formats.md` and `.json`
to `--out`.
"""

import argparse
import json
import pathlib

import numpy as np
import real_baselines
import real_data
import real_media
import soundfile

# name: (file suffix, soundfile format, subtype).
FORMATS = {
    "wav": ("wav", "WAV", "PCM_16"),
    "flac": ("flac", "FLAC", "PCM_16"),
    "ogg": ("ogg", "OGG", "VORBIS"),
    "opus": ("opus", "OGG", "OPUS"),
    "mp3": ("mp3", "MP3", "MPEG_LAYER_III"),
    "wav-u8": ("wav", "WAV", "PCM_U8"),
    "wav-24": ("wav", "WAV", "PCM_24"),
    "wav-32": ("wav", "WAV", "PCM_32"),
    "wav-float": ("wav", "WAV", "FLOAT"),
}


def convert(root, name, manifests):
    """Copies of `manifests` whose clips are in format `name`."""
    suffix, kind, subtype = FORMATS[name]
    folder = root / "formats" / name
    out = {}
    for split, path in manifests.items():
        rows = real_baselines.read_rows(path)
        converted = []
        for row in rows:
            source = root / row["audio"]
            target = folder / pathlib.Path(row["audio"]).with_suffix(
                f".{suffix}"
            )
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                audio, rate = soundfile.read(source, dtype="float32")
                soundfile.write(target, audio, rate, subtype, format=kind)
            converted.append({**row, "audio": str(target.relative_to(root))})
        out[split] = root / f"audio_{name}_{split}.csv"
        real_media.write_manifest(out[split], converted)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="benchmarks/.real_data")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument(
        "--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS)
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Evaluate the bundles an earlier run trained instead of "
        "training them again (only if keras_mm has not changed since).",
    )
    args = parser.parse_args()
    real_data.REUSE = args.reuse
    root = pathlib.Path(args.data_dir)
    paths = real_media.build(root)
    singles = real_data.single_manifests(paths, root)
    manifests = {s: singles["audio", s] for s in ("train", "test")}
    runs = root / "format_runs"
    runs.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in dict.fromkeys(["wav", *args.formats]):
        converted = convert(root, name, manifests)
        results[name] = {"accuracy": [], "seconds": []}
        for seed in args.seeds:
            run = name if seed == 0 else f"{name}-seed{seed}"
            bundle, seconds = real_data.train_cli(
                runs,
                run,
                "multimodal_classifier",
                converted["train"],
                "--seed",
                seed,
            )
            accuracy = real_data.evaluate_cli(bundle, converted["test"])
            accuracy = accuracy["accuracy"]
            results[name]["accuracy"].append(accuracy)
            results[name]["seconds"].append(seconds)
            print(f"  {name}, seed {seed}: accuracy {accuracy:.3f}", flush=True)
    base = np.array(results["wav"]["accuracy"])
    lines = [
        f"Seeds {args.seeds}; test voices unseen in training.",
        "",
        "| format | accuracy per seed | mean | mean − 16-bit WAV |",
        "|---|---|---|---|",
    ]
    for name, row in results.items():
        accuracy = np.array(row["accuracy"])
        lines.append(
            f"| {name} | {', '.join(f'{a:.3f}' for a in accuracy)} | "
            f"{accuracy.mean():.3f} | {(accuracy - base).mean():+.3f} |"
        )
    table = "\n".join(lines)
    print(table)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "audio_formats.md").write_text(table + "\n")
    (out / "audio_formats.json").write_text(
        json.dumps(results, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
