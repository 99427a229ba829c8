"""The kernel-lab plugins as MkDocs sees them: registered under the mkdocs.plugins entry points, every option
documented in its schema and on the authors' page, and each switch doing what its description says (one build
of the site with every optional part off)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from mkdocs.utils.yaml import yaml_load

from kernel_lab_mkdocs import options
from kernel_lab_mkdocs.plugin import KernelLabPlugin
from kernel_lab_mkdocs.theme import ThemePatchPlugin
from tests.test_site_build import site  # noqa: F401  (the built site, shared fixture)

ROOT = Path(__file__).resolve().parents[1]


def test_the_plugins_are_registered_under_their_names() -> None:
    found = {e.name: e.load() for e in entry_points(group="mkdocs.plugins") if e.name.startswith("kernel-lab")}
    assert found == {"kernel-lab": KernelLabPlugin, "kernel-lab-theme": ThemePatchPlugin}


def test_mkdocs_yml_names_the_plugins_and_no_hooks() -> None:
    with (ROOT / "mkdocs.yml").open("rb") as f:
        config = yaml_load(f)  # MkDocs' own loader (it resolves the !ENV tags)
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert names.index("kernel-lab") < names.index("kernel-lab-theme")  # the theme's names go in kernel-lab's manifest
    assert "hooks" not in config


@pytest.mark.parametrize("plugin", sorted(options.config_classes()))
def test_every_option_is_described_in_the_schema_and_on_the_authors_page(site: Path, plugin: str) -> None:  # noqa: F811
    rows = options.option_rows(options.config_classes()[plugin])
    assert rows and all(len(description) > 20 for *_, description in rows), rows
    page = (site / "authors" / "index.html").read_text()
    for name, _, _, description in rows:
        assert f"<dt><code>{name}</code>:" in page, name
        assert description.split(". ")[0].replace("'", "&#x27;") in page, name


def test_the_theme_plugin_needs_the_kernel_lab_plugin(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ntheme: material\nplugins:\n  - kernel-lab-theme\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "out")],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "kernel-lab-theme needs the kernel-lab plugin" in done.stderr


def test_each_optional_part_is_left_out_when_its_option_is_off(tmp_path: Path) -> None:
    """runtime: plain, licences, csp and headers off, the theme plugin disabled: Pyodide's own files (no .xz, no
    early start), no licences page, no policy, no _headers, Material's own bundle; the calculators still render."""
    config = (ROOT / "mkdocs.yml").read_text()
    plugin = "  - kernel-lab:          # calculators, figures, the Python runtime, licences, CSP, _headers\n"
    assert config.count(plugin) == 1
    config = config.replace(plugin, plugin + "      licences: false\n      csp: false\n      headers: false\n")
    custom_dir = "custom_dir: website/overrides"
    assert config.count(custom_dir) == 1
    config = (
        config.replace(custom_dir, f"custom_dir: {ROOT / 'website' / 'overrides'}") + f"\ndocs_dir: {ROOT / 'docs'}\n"
    )
    variant = tmp_path / "mkdocs.yml"  # paths made absolute: the file is not beside docs/
    variant.write_text(config)
    out = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KERNEL_LAB_RUNTIME": "plain", "KERNEL_LAB_THEME_PATCH": "false"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(variant), "-d", str(out)]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    assert not list(out.rglob("*.xz")) and not list(out.rglob("xz.*.wasm"))
    layer = (out / "layer" / "index.html").read_text()
    assert 'data-calc="layer"' in layer and "data-snapshot" not in layer and "data-preloads" not in layer
    assert not (out / "licences").exists() and not (out / "_headers").exists()
    assert "Content-Security-Policy" not in layer
    assert 'type="kl-after-paint"' not in layer
    assert re.search(r'<script src="\.\./assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js"', layer)
