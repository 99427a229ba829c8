"""An error inside a figure or a calculator stops the build as that error, naming the page and the marker; only a
name nobody knows is reported as unknown (website/kernel_lab_mkdocs/markers.py, and the one figure registry the
kernel-lab plugin reads: website/kernel_lab_mkdocs/figures.py)."""

from __future__ import annotations

from typing import Any

import pytest
from mkdocs.exceptions import PluginError

from kernel_lab.html import Markup
from kernel_lab_mkdocs import figures
from kernel_lab_mkdocs.markers import Marker, UnknownMarker, substitute
from tests.site_plugin import page_content


def _broken_renderer(sources: Any, arg: str) -> Markup:
    rows: dict[str, int] = {}
    return Markup(str(rows["missing_row"]))  # a bug inside the figure: a KeyError


def test_a_key_error_inside_a_figure_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(figures.FIGURES, "broken_table", _broken_renderer)
    with pytest.raises(PluginError) as raised:
        page_content('<p>x</p><div data-figure="broken_table" data-arg="a1"></div>', "speed.md")
    message = str(raised.value)
    assert "unknown" not in message
    for part in ("speed.md", "'broken_table'", "KeyError", "'missing_row'", "'a1'"):
        assert part in message, (part, message)
    assert isinstance(raised.value.__cause__, KeyError)  # the original traceback stays attached


def test_an_error_inside_a_stored_run_figure_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(sources: Any, arg: str) -> Markup:
        fields = sources.data.machines  # the stored runs, read as a stored-run figure reads them
        return Markup(fields["no_such_machine"])

    monkeypatch.setitem(figures.FIGURES, "broken_example", broken)
    with pytest.raises(PluginError) as raised:
        page_content('<div data-figure="broken_example"></div>', "examples.md")
    message = str(raised.value)
    assert "unknown" not in message
    assert "examples.md" in message and "'broken_example'" in message and "'no_such_machine'" in message


def test_an_error_inside_a_calculator_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import kernel_lab.calculators as calcs

    def broken(**values: Any) -> Markup:
        raise KeyError("kernel_size")

    monkeypatch.setitem(calcs.CALCULATORS, "layer", broken)
    with pytest.raises(PluginError) as raised:
        page_content('<div data-calc="layer"></div>', "layer.md")
    message = str(raised.value)
    assert "unknown" not in message
    assert "layer.md" in message and "calc 'layer'" in message and "KeyError" in message


@pytest.mark.parametrize("kind", ["figure", "calc"])
def test_a_name_nobody_knows_is_reported_as_unknown(kind: str) -> None:
    with pytest.raises(PluginError, match=rf"page\.md: unknown {kind} 'no_such_name'"):
        page_content(f'<div data-{kind}="no_such_name"></div>', "page.md")


def test_substitute_leaves_a_marker_its_handler_declines_and_reports_an_unknown_one() -> None:
    html = '<span data-figure="other_hooks"></span>'
    assert substitute(html, "p.md", {"figure": lambda marker: None}) == html

    def strict(marker: Marker) -> str:
        raise UnknownMarker(marker.name)

    with pytest.raises(PluginError, match=r"p\.md: unknown figure 'other_hooks'$"):
        substitute(html, "p.md", {"figure": strict})
