# The one marker syntax for putting computed things into pages, shared by the hooks:
#   <div data-calc="NAME" data-input-FIELD="VALUE" ...></div>   a calculator (form + its result as built)
#   <div data-figure="NAME" data-arg="ARG"></div>                a static figure (HTML), ARG optional
#   <span data-figure="NAME" data-arg="ARG"></span>              the same, inline in a sentence
# Attribute values are HTML-unescaped before use; a marker naming nothing known stops the build, and so does an
# error inside a figure or calculator, reported as that error with the marker's name and page.

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from mkdocs.exceptions import PluginError

__all__ = ["MARKER", "Marker", "UnknownMarker", "substitute"]

MARKER = re.compile(
    r'<(?P<tag>div|span) data-(?P<kind>calc|figure)="(?P<name>[a-z_]+)"(?P<attrs>(?:\s+data-[a-z-]+="[^"]*")*)\s*>'
    r"\s*</(?P=tag)>"
)
_ATTR = re.compile(r'data-(?P<key>[a-z-]+)="(?P<value>[^"]*)"')


class UnknownMarker(Exception):
    """Raised by a handler for a marker whose name it does not know (and no other hook handled)."""


class Marker:
    """One marker found in a page: its kind ("calc" or "figure"), name, and its other data- attributes."""

    def __init__(self, match: re.Match[str]) -> None:
        self.kind: str = match["kind"]
        self.name: str = match["name"]
        self.attrs = {m["key"]: unescape(m["value"]) for m in _ATTR.finditer(match["attrs"])}

    @property
    def arg(self) -> str:
        return self.attrs.get("arg", "")


def substitute(html: str, where: str, handlers: dict[str, Callable[[Marker], str | None]]) -> str:
    """Every marker in ``html`` replaced by what the handler of its kind returns ("calc" or "figure"); a handler
    that returns None leaves the marker to another hook, one that raises UnknownMarker knows no such name. Any
    other exception stops the build as that error, naming the page (``where``) and the marker."""

    def one(match: re.Match[str]) -> str:
        marker = Marker(match)
        handler = handlers.get(marker.kind)
        try:
            out = None if handler is None else handler(marker)
        except UnknownMarker:
            raise PluginError(f"{where}: unknown {marker.kind} {marker.name!r}") from None
        except PluginError:
            raise  # already says where
        except Exception as e:
            arg = f" (data-arg {marker.arg!r})" if marker.arg else ""
            message = f"{where}: {marker.kind} {marker.name!r}{arg} failed: {type(e).__name__}: {e}"
            raise PluginError(message) from e
        return match[0] if out is None else out  # None: another hook's marker

    return MARKER.sub(one, html)
