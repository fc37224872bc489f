"""Video decoding through keras_mm's pipeline against PyAV alone.

Usage: python benchmarks/video_decode.py [--manifest CSV] [--rounds 5]
           [--frames 16]

On the same files (by default the real-data clips of `real_video.py`),
in alternating rounds:
- `pipeline`: `ClassifierPreprocessor.dataset` reading only the `video`
  column (no cache), batches of 32, as `keras-mm train` reads them;
- `PyAV loop`: one file after another, every frame decoded and converted
  to an RGB array (`frame.to_ndarray(format="rgb24")`), as a plain
  script would do;
- `PyAV loop, one converter`: the same with one `VideoReformatter` for
  all frames (a frame's own `to_ndarray` sets FFmpeg's scaler up each
  time), the fastest way PyAV gives RGB arrays;
- `PyAV decode only`: the same loop without the conversion.
Frames per second count every frame of every file (the pipeline decodes
them all, and converts only those it samples). Prints the median over
rounds of each and the pipeline's ratio to each PyAV loop, with the
range over rounds.
"""

import argparse
import pathlib
import sys
import time

import av
import numpy as np
from av.video.reformatter import VideoReformatter

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from keras_mm.data import ClassifierPreprocessor  # noqa: E402
from keras_mm.data import Manifest  # noqa: E402
from keras_mm.data.video import video_info  # noqa: E402


def pyav_loop(paths, convert):
    """Decode every frame; `convert`: None, "frame" or "shared"."""
    reformatter = VideoReformatter()
    for path in paths:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                if convert == "frame":
                    frame.to_ndarray(format="rgb24")
                elif convert == "shared":
                    reformatter.reformat(frame, format="rgb24").to_ndarray()


def pipeline(manifest, shape):
    pre = ClassifierPreprocessor({"video": shape}, ["x"])
    data = pre.dataset(manifest, 32, labels=False, cache=False)
    for _ in data:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--manifest", default=str(HERE / ".real_data/video/digit_train.csv")
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frames", type=int, default=16)
    args = parser.parse_args()
    manifest = Manifest.read(args.manifest)
    manifest = Manifest(
        [{"video": row["video"]} for row in manifest.rows], manifest.path
    )
    paths = manifest.column("video")
    frames = sum(video_info(p)[0] for p in paths)
    _, height, width = video_info(paths[0])
    shape = (args.frames, min(height, 64), min(width, 64), 3)
    sides = {
        "pipeline": lambda: pipeline(manifest, shape),
        "PyAV loop": lambda: pyav_loop(paths, "frame"),
        "PyAV loop, one converter": lambda: pyav_loop(paths, "shared"),
        "PyAV decode only": lambda: pyav_loop(paths, None),
    }
    pipeline(manifest, shape)  # Warm-up: traces the graph.
    rates = {name: [] for name in sides}
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 else list(sides)[::-1]
        for name in order:
            start = time.perf_counter()
            sides[name]()
            rates[name].append(frames / (time.perf_counter() - start))
    print(f"{len(paths)} files, {frames} frames, read as {shape}\n")
    print("| reader | frames/s, median | range over rounds |")
    print("|---|---|---|")
    for name, values in rates.items():
        print(
            f"| {name} | {np.median(values):.0f} | "
            f"{min(values):.0f}-{max(values):.0f} |"
        )
    ours = np.array(rates["pipeline"])
    for name in list(sides)[1:]:
        ratio = ours / np.array(rates[name])
        print(
            f"\npipeline ÷ {name}: {np.median(ratio):.2f} "
            f"(rounds {ratio.min():.2f}-{ratio.max():.2f})"
        )


if __name__ == "__main__":
    main()
