# The one way this site makes HTML: a template whose values are escaped unless they are already Markup
# (HTML this package made), in the manner of MarkupSafe and Jinja's autoescape. Text from a model, a file or a
# URL can only reach a page as text.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape as _escape
from typing import Any

from calc.text import cell as cell_text

__all__ = ["Cell", "Markup", "escape", "html", "join", "scroll_region", "table"]


class Markup(str):
    """A string that is already HTML: inserted as it is, everything else is escaped on the way in.

    >>> html("<b>{}</b>", "<img src=x>")
    Markup('<b>&lt;img src=x&gt;</b>')
    >>> html("<p>{}</p>", html("<b>{}</b>", "ok"))
    Markup('<p><b>ok</b></p>')
    """

    __slots__ = ()

    def __html__(self) -> Markup:
        return self

    def __add__(self, other: str) -> Markup:
        return Markup(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Markup:
        return Markup(str.__add__(escape(other), self))

    def __repr__(self) -> str:
        return f"Markup({str.__repr__(self)})"


class _Field:
    """A template value: formatted with the field's spec, then escaped unless it is Markup (numbers need no
    escaping, so they are passed to str.format as they are)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        if hasattr(self.value, "__html__"):
            return str(self.value.__html__())
        return _escape(format(self.value, spec), quote=True)


def _field(value: Any) -> Any:
    return value if type(value) in (int, float) else _Field(value)


def escape(value: object) -> Markup:
    """``value`` as HTML text: Markup is kept, anything else is converted with str() and escaped."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(_escape(str(value), quote=True))


def html(template: str, /, *args: Any, **kwargs: Any) -> Markup:
    """``template`` (HTML written in this package's code) with ``{}`` fields filled in, escaped.

    Format specs work as in str.format: ``html('<rect x="{:.1f}"/>', 2.345)`` gives ``<rect x="2.3"/>``.
    """
    return Markup(template.format(*map(_field, args), **{k: _field(v) for k, v in kwargs.items()}))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    """Parts joined as HTML; parts that are not Markup are escaped."""
    return Markup(escape(separator).join(escape(p) for p in parts))


def scroll_region(content: Markup, label: str) -> Markup:
    """``content`` (a wide table) in a box that scrolls sideways on a narrow screen, reachable by keyboard and
    named ``label`` for screen readers (axe: scrollable-region-focusable)."""
    return html('<div class="kl-scroll" tabindex="0" role="region" aria-label="{}">{}</div>', label, content)


Cell = str | int | float | bool | None


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    caption: str = "",
    numeric_from: int = 1,
    cls: str = "",
    row_classes: Sequence[str] = (),
    shown: int | None = None,
    total: int | None = None,
) -> Markup:
    """A plain HTML table, the one table writer of the site.

    The first cell of a row is its header; cells from column ``numeric_from`` on are right-aligned numbers
    (by the table's ``kl-nN`` class). Cells are text (escaped) unless they are Markup; numbers are formatted
    by calc.text.cell. ``row_classes`` gives rows a class (by position; "" for none). With ``shown``, rows
    after the first ``shown`` are written ``hidden`` (the browser lays out none of them; the page's script shows
    them on request, and sorts every row) and the table says how many it shows (``data-shown``). ``total`` says
    how many rows the whole table has (``data-rows``) where ``rows`` are only its first.

    >>> t = table(("Layer", "MACs"), [("<x>", 1234), (Markup("<b>y</b>"), None)], row_classes=("kl-heavy",))
    >>> print(t[t.index("<tbody>") + 7 : t.index("</tbody>")].replace("</tr>", "</tr>\\n"))
    <tr class="kl-heavy"><th scope="row">&lt;x&gt;</th><td>1,234</td></tr>
    <tr><th scope="row"><b>y</b></th><td>—</td></tr>
    <BLANKLINE>
    """
    shown_attr = "" if shown is None else html(' data-shown="{}"', int(shown))
    if total is not None:
        shown_attr += html(' data-rows="{}"', int(total))
    out: list[str] = [html('<table class="kl-table kl-n{}{}"{}>', numeric_from, " " + cls if cls else "", shown_attr)]
    if caption:
        out.append(html("<caption>{}</caption>", caption))
    out.append(html("<thead><tr>{}</tr></thead><tbody>", join(html('<th scope="col">{}</th>', h) for h in head)))
    # Rows are written with one join each, escaping as html() does: the analyzer's tables have thousands of
    # rows, and a template per cell took half its time (InceptionResNetV2 in CPython: 48 ms before, 26 after). A
    # row of plain text is escaped in one call, its cells split by a NUL (never in a cell's text, else the row is
    # escaped cell by cell).
    for i, row in enumerate(rows):
        texts = [c if isinstance(c, Markup) else cell_text(c) for c in row]
        plain = "\0".join(texts)
        if plain.count("\0") == len(texts) - 1 and not any(isinstance(t, Markup) for t in texts):
            first, _, rest = _escape(plain, quote=True).partition("\0")
            cells = "<td>" + rest.replace("\0", "</td><td>") + "</td>" if len(texts) > 1 else ""
        else:
            escaped = [t if isinstance(t, Markup) else _escape(t, quote=True) for t in texts]
            first, cells = escaped[0], "".join(f"<td>{t}</td>" for t in escaped[1:])
        mark = row_classes[i] if i < len(row_classes) else ""
        hide = " hidden" if shown is not None and i >= shown else ""
        out.append(f'<tr{f" class={_quoted(mark)}" if mark else ""}{hide}><th scope="row">{first}</th>{cells}</tr>')
    out.append("</tbody></table>")
    return Markup("".join(out))


def _quoted(value: str) -> str:
    return '"' + _escape(value, quote=True) + '"'
