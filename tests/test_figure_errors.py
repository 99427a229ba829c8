"""An error inside a figure or a calculator stops the build as that error, naming the page and the marker; only a
name no hook knows is reported as unknown (scripts/hooks/markers.py, and the hooks that hand it their figures:
scripts/hooks/calculators.py, scripts/hooks/examples.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mkdocs.exceptions import PluginError

from kernel_lab.html import Markup
from scripts.hooks import calculators, examples
from scripts.hooks.markers import Marker, UnknownMarker, substitute

ROOT = Path(__file__).resolve().parents[1]


def _page(src_uri: str) -> Any:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def _config() -> Any:
    return SimpleNamespace(docs_dir=str(ROOT / "docs"))


def _broken_renderer(arg: str) -> Markup:
    rows: dict[str, int] = {}
    return Markup(str(rows["missing_row"]))  # a bug inside the figure: a KeyError


def test_a_key_error_inside_a_figure_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(calculators.FIGURES, "broken_table", _broken_renderer)
    with pytest.raises(PluginError) as raised:
        html = '<p>x</p><div data-figure="broken_table" data-arg="a1"></div>'
        calculators.on_page_content(html, _page("speed.md"), _config(), None)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "unknown" not in message
    for part in ("speed.md", "'broken_table'", "KeyError", "'missing_row'", "'a1'"):
        assert part in message, (part, message)
    assert isinstance(raised.value.__cause__, KeyError)  # the original traceback stays attached


def test_an_error_inside_a_stored_run_figure_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: Any, arg: str) -> Markup:
        fields: dict[str, str] = {}
        return Markup(fields["no_such_field"])

    monkeypatch.setitem(examples.FIGURES, "broken_example", broken)
    with pytest.raises(PluginError) as raised:
        examples.on_page_content('<div data-figure="broken_example"></div>', _page("examples.md"), None, None)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "unknown" not in message
    assert "examples.md" in message and "'broken_example'" in message and "'no_such_field'" in message


def test_an_error_inside_a_calculator_is_reported_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    calcs = calculators._calculators()

    def broken(**values: Any) -> Markup:
        raise KeyError("kernel_size")

    monkeypatch.setitem(calcs.CALCULATORS, "layer", broken)
    with pytest.raises(PluginError) as raised:
        calculators.on_page_content('<div data-calc="layer"></div>', _page("layer.md"), _config(), None)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "unknown" not in message
    assert "layer.md" in message and "calc 'layer'" in message and "KeyError" in message


@pytest.mark.parametrize("kind", ["figure", "calc"])
def test_a_name_nobody_knows_is_reported_as_unknown(kind: str) -> None:
    with pytest.raises(PluginError, match=rf"page\.md: unknown {kind} 'no_such_name'"):
        calculators.on_page_content(f'<div data-{kind}="no_such_name"></div>', _page("page.md"), _config(), None)  # type: ignore[arg-type]


def test_substitute_leaves_a_marker_its_handler_declines_and_reports_an_unknown_one() -> None:
    html = '<span data-figure="other_hooks"></span>'
    assert substitute(html, "p.md", {"figure": lambda marker: None}) == html

    def strict(marker: Marker) -> str:
        raise UnknownMarker(marker.name)

    with pytest.raises(PluginError, match=r"p\.md: unknown figure 'other_hooks'$"):
        substitute(html, "p.md", {"figure": strict})
