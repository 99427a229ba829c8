"""calc as a library: the wheel holds the engine alone and works when installed in a fresh environment, and
every public name is documented on the API page."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import calc
from tests.test_site_build import site  # noqa: F401  (the built site, shared fixture)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    (path,) = out.glob("kernel_lab_calc-*.whl")
    return path


def test_wheel_holds_the_engine_alone(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        packages = {name.split("/")[0] for name in zf.namelist() if not name.split("/")[0].endswith(".dist-info")}
        sources = {name for name in zf.namelist() if name.endswith(".py")}
    assert packages == {"calc"}
    assert sources == {f"calc/{p.name}" for p in (ROOT / "calc").glob("*.py")}


def test_installed_wheel_works_without_the_repository(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], check=True)
    # Run from an empty folder, so that the clone's calc/ cannot be the one imported.
    code = "import calc; print(calc.__file__); print(calc.conv2d((256, 256, 3), filters=64, kernel_size=7).params)"
    out = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    where, params = out.split()
    assert str(env_dir) in where and params == str(7 * 7 * 3 * 64 + 64)
    cli = [str(python), "-m", "calc", "layer", "Conv2D", "--input-shape", "32,32,3", "filters=8", "kernel_size=3"]
    done = subprocess.run(cli, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert '"params": 224' in done.stdout  # 3·3·3·8 + 8


def test_every_public_name_is_documented(site: Path) -> None:  # noqa: F811
    page = (site / "api" / "index.html").read_text()
    anchors = set(re.findall(r'id="calc\.([A-Za-z_0-9]+)"', page))
    for name in calc.__all__:
        obj = getattr(calc, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"calc.{name} has no docstring"
            assert name in anchors, f"calc.{name} is missing from the API page"
