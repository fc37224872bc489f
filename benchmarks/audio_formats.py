"""The real-data audio task in every common format, in one run.

Usage: python benchmarks/audio_formats.py [--data-dir DIR] [--formats ...]
           [--out benchmarks/results]

Takes the audio-only manifests of `real_data.py` (real speech by
`espeak-ng`, test voices unseen; `real_media.py` writes them, which
needs `espeak-ng`), converts every clip with soundfile to each format,
then trains `multimodal_classifier` with `keras-mm train` at its defaults
on each copy and scores it with `keras-mm evaluate` on the test copy in
the same format, as a user would. Prints each format's accuracy and its
difference from the 16-bit WAV run's; writes `audio_formats.md` and
`.json` to `--out`.
"""

import argparse
import json
import pathlib

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
    args = parser.parse_args()
    root = pathlib.Path(args.data_dir)
    paths = real_media.build(root)
    singles = real_data.single_manifests(paths, root)
    manifests = {s: singles["audio", s] for s in ("train", "test")}
    runs = root / "format_runs"
    runs.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in dict.fromkeys(["wav", *args.formats]):
        converted = convert(root, name, manifests)
        bundle, seconds = real_data.train_cli(
            runs, name, "multimodal_classifier", converted["train"]
        )
        metrics = real_data.evaluate_cli(bundle, converted["test"])
        results[name] = {"accuracy": metrics["accuracy"], "seconds": seconds}
        print(f"  {name}: accuracy {metrics['accuracy']:.3f}", flush=True)
    base = results["wav"]["accuracy"]
    lines = [
        "| format | accuracy | − 16-bit WAV | training s |",
        "|---|---|---|---|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['accuracy']:.3f} | "
            f"{row['accuracy'] - base:+.3f} | {row['seconds']:.0f} |"
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
