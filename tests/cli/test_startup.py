import subprocess
import sys

from keras_mm import catalog
from keras_mm import zoo
from keras_mm.captioning import SAMPLERS
from keras_mm.data import demo_datasets
from keras_mm.data.demo import NOISE
from keras_mm.fusion import describe_fusion
from keras_mm.fusion import list_fusions
from keras_mm.tasks import list_tasks


def test_the_catalog_matches_the_registries():
    # Each registry reads its descriptions from the catalog: the names
    # must agree, and every description must be found.
    assert list(catalog.MODELS) == zoo.list_models()
    for name in zoo.list_models():
        assert zoo.describe(name) == catalog.MODELS[name][1]
        assert zoo.model_task(name) in list_tasks()
    assert catalog.TASKS == tuple(list_tasks())
    assert list(catalog.FUSIONS) == list_fusions()
    assert all(describe_fusion(n) for n in list_fusions())
    assert list(catalog.DEMO_DATA) == list(demo_datasets())
    assert catalog.SAMPLERS == tuple(SAMPLERS)


def test_the_demo_description_gives_the_noise_rates():
    described = catalog.DEMO_DATA["redundant"]
    for modality, rate in NOISE.items():
        assert f"{modality} {rate:.0%}" in described


def run_as_keras_mm(*args):
    code = (
        "import sys\nsys.argv[0] = 'keras-mm'\n"
        "from keras_mm.cli.main import main\n"
        f"status = main({list(args)!r})\n"
        "print('tensorflow' in sys.modules)\nsys.exit(status)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )


def test_help_and_list_do_not_import_tensorflow():
    listing = run_as_keras_mm("list")
    assert listing.returncode == 0 and listing.stderr == ""
    assert "multimodal_classifier" in listing.stdout
    assert listing.stdout.splitlines()[-1] == "False"
    helped = run_as_keras_mm("--help")
    assert helped.returncode == 0 and "usage: keras-mm" in helped.stdout


def test_commands_print_no_tensorflow_notices(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "keras_mm",
            "evaluate",
            "--model-dir",
            str(tmp_path),
            "--data",
            "demo",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"keras-mm: error: Bundle {tmp_path} has no model.keras; is it a "
        "keras-mm bundle (from `keras-mm train` or `export`)?"
    ]
