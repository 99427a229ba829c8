"""The effective-field page's measured figure shows what the measurement recorded: every run, its measured and its
equal-weight spread, and the maps of the article's two designs on one colour scale."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scripts.examples import render_effective
from tests.html_tables import tables

RECORDED = json.loads(render_effective.RESULTS.read_text()) if render_effective.RESULTS.exists() else None


@pytest.mark.skipif(RECORDED is None, reason="no results/effective_field.json recorded")
def test_every_run_is_in_the_table_with_its_recorded_spreads() -> None:
    assert RECORDED is not None
    html = render_effective.effective_field_measured()
    head, *rows = tables(html)[-1]
    assert head[3:] == ["Std, measured (pixels)", "Std, equal weights (pixels)"]
    assert len(rows) == len(RECORDED["runs"]) == 40
    shown = {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}
    run = next(r for r in RECORDED["runs"] if r["id"] == "article/3x3_stack/relu/glorot_uniform")
    measured, computed = shown[("three stacked 3×3 Conv2D", "relu", "glorot_uniform")]
    assert [float(v) for v in measured.split(" × ")] == pytest.approx(run["std"], abs=0.006)
    assert float(computed) == pytest.approx(2**0.5, abs=0.005)  # σ² = 3 · (3² − 1)/12 = 2
    # The two maps share one colour scale: the darkest cell of both is the stack's centre.
    maps = html.split("</figure>")[:2]
    full = [re.findall(r'fill-opacity="([0-9.]+)"', m) for m in maps]
    assert "1.000" not in full[0] and "1.000" in full[1]


def test_without_a_recording_the_page_says_how_to_make_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render_effective, "RESULTS", tmp_path / "none.json")
    assert "python -m scripts.examples" in render_effective.effective_field_measured()
