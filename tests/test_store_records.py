"""Corrupted stored results (issue 22 item 9): every record is checked on load; an unusable one is named by its
file, left out with a warning that `mkdocs build --strict` turns into a failure, or, for the shared
effective-field record, stops the build with an error naming it (not a traceback)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from kernel_lab_mkdocs import render_effective
from kernel_lab_mkdocs.store import Data
from tests.site_plugin import page_content

ROOT = Path(__file__).resolve().parents[1]
MACHINE = sorted(p.name for p in (ROOT / "results").iterdir() if p.is_dir() and (p / "article_7x7.json").exists())[0]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the project's stored results beside its examples."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    shutil.copytree(ROOT / "results", tmp_path / "results")
    return tmp_path


def _page(root: Path, monkeypatch: pytest.MonkeyPatch, figure: str, arg: str = "") -> str:
    """A page with one figure marker through the kernel-lab plugin, reading ``root``'s results."""
    monkeypatch.setattr(render_effective, "RESULTS", root / "results" / "effective_field.json")
    html, _ = page_content(f'<div data-figure="{figure}" data-arg="{arg}"></div>', "examples.md", root)
    return html


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("mkdocs.") and r.levelno == logging.WARNING]


def test_intact_results_are_all_kept(root: Path) -> None:
    data = Data(root)
    assert data.dropped == [] and "article_7x7" in data.machines[MACHINE]["examples"]


def test_a_truncated_example_record_is_named_and_warned_about(
    root: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = root / "results" / MACHINE / "article_7x7.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    caplog.set_level(logging.WARNING)
    _page(root, monkeypatch, "example", "article_3x3_stack")
    assert [w for w in _warnings(caplog) if str(path) in w and "not valid JSON" in w]


def test_a_record_of_the_wrong_shape_is_named_and_warned_about(
    root: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = root / "results" / MACHINE / "article_7x7.json"
    record = json.loads(path.read_text())
    record["models"] = [{"name": "m", "layers": "not a list"}]
    path.write_text(json.dumps(record))
    caplog.set_level(logging.WARNING)
    _page(root, monkeypatch, "example", "article_3x3_stack")
    assert [w for w in _warnings(caplog) if str(path) in w and "models[0].layers" in w]


def test_a_broken_timing_record_is_named_not_skipped_silently(root: Path) -> None:
    path = root / "results" / MACHINE / "timing.json"
    path.write_text('{"groups": [{"id": "x"}], "method": {}, "machine": {}, "date": "today"}')
    data = Data(root)
    assert MACHINE not in data.timings
    assert [d for d in data.dropped if d.startswith(str(path)) and "'variants'" in d]


def test_a_truncated_effective_field_record_stops_the_build_naming_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = root / "results" / "effective_field.json"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(PluginError, match=rf"{path}: not valid JSON"):
        _page(root, monkeypatch, "effective_field_measured")
