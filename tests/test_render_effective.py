"""The effective-field page's measured figure shows what the measurement recorded: every run, its measured and its
equal-weight spread, and the maps of the article's two designs on one colour scale."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kernel_lab_mkdocs import render_effective
from tests.html_tables import tables

RECORDED = json.loads(render_effective.RESULTS.read_text()) if render_effective.RESULTS.exists() else None


@pytest.mark.skipif(RECORDED is None, reason="no results/effective_field.json recorded")
def test_every_run_is_in_the_table_with_its_recorded_spreads() -> None:
    assert RECORDED is not None
    html = render_effective.effective_field_measured()
    head, *rows = tables(html)[-1]
    assert head[3:] == ["Std, measured (pixels)", "Std, √ paths (pixels)", "Std, equal weights (pixels)"]
    assert len(rows) == len(RECORDED["runs"]) == 40
    shown = {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in rows}
    run = next(r for r in RECORDED["runs"] if r["id"] == "article/3x3_stack/relu/glorot_uniform")
    measured, predicted, computed = shown[("three stacked 3×3 Conv2D", "relu", "glorot_uniform")]
    assert [float(v) for v in measured.split(" × ")] == pytest.approx(run["std"], abs=0.006)
    assert float(computed) == pytest.approx(2**0.5, abs=0.005)  # σ² = 3 · (3² − 1)/12 = 2
    # Weights √1 √3 √6 √7 √6 √3 √1 at −3 … 3 pixels: σ² = Σ w·x² / Σ w
    w = [c**0.5 for c in (1, 3, 6, 7, 6, 3, 1)]
    assert float(predicted) == pytest.approx(
        (sum(wi * (i - 3) ** 2 for i, wi in enumerate(w)) / sum(w)) ** 0.5, abs=0.005
    )
    assert float(predicted) == pytest.approx(run["std"][0], abs=0.01)  # the prediction meets the measurement
    # The two maps share one colour scale: the darkest cell of both is the stack's centre.
    maps = html.split("</figure>")[:2]
    full = [re.findall(r'fill-opacity="([0-9.]+)"', m) for m in maps]
    assert "1.000" not in full[0] and "1.000" in full[1]


def test_without_a_recording_the_page_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render_effective, "RESULTS", tmp_path / "none.json")
    shown = render_effective.effective_field_measured()
    assert "No measurement has been recorded yet" in shown and "scripts" not in shown


def test_the_calculator_gives_the_central_squares_share_in_two_dimensions() -> None:
    """Three 3×3 layers: per axis 1 3 6 7 6 3 1 paths; the central 3 pixels hold 19/27 of an axis, the central 5
    hold 25/27, so the central 3 × 3 and 5 × 5 squares hold (19/27)² and (25/27)² of the weight, not 50 % and 90 %."""
    from kernel_lab import calculators

    summary = re.search(r'<p class="kl-summary">(.*?)</p>', calculators.render("effective_field"))
    assert summary
    text = re.sub(r"<[^>]+>", "", summary[1])
    assert f"central 3 × 3 pixels hold {(19 / 27) ** 2:.1%} of the weight" in text
    assert f"central 5 × 5 pixels {(25 / 27) ** 2:.1%}" in text
    assert "per axis" in text
