"""Split the theme's start-up script into short tasks (the browser goal: no main-thread task over 50 ms).

Material for MkDocs runs all of its start-up in one script evaluation: on this 2-core machine 40-70 ms of CPU,
most of it spent mounting the header's controls (search, palette) and forcing style and layout. Three edits to
its minified bundle, each anchored on code that must occur exactly once and named as in ``EDITS``, spread that
work over tasks:

1. ``lazy_controls``: the control components (consent, dialog, palette, progress, search, source) are built
   lazily, when the components are subscribed, instead of while the script evaluates: ``defer(() => merge(...))``.
2. ``subscribe_task``: the components are subscribed in a task of their own:
   ``setTimeout(() => component$.subscribe())``.
3. ``late_search``: the search index is fetched, and handed to the search worker to build, once the page has
   settled instead of during the load, where that work competed for the two cores with the page and the
   calculators' worker (about 100 ms of interactive time here): the theme waits for ``window.klSearchIdle``, a
   promise the page template resolves after the load event, the calculators' first answer and an idle moment, or
   for the search to be opened, whichever comes first. ``defer(() => window.klSearchIdle || of(...))``: without
   the promise, the theme's own behaviour.

The page template (website/overrides/main.html) does the rest: it loads the bundle after the first paint,
so that the page's first style and layout are not forced inside the bundle's evaluation.

Any edit whose anchor is missing raises ThemePatchError (a Material upgrade changed the bundle), naming the edit,
and nothing is patched: the plugin (website/kernel_lab_mkdocs/theme.py) then warns and ships the theme as it is, never a
half-patched one; `mkdocs build --strict` fails on that warning. Leaving the plugin out builds the
theme as shipped (the browser benchmark's comparison).

The bundle's source map is kept exact: its generated columns after each insertion are shifted by the inserted
length. (A fourth edit, V8's compile hint ``//# allFunctionsCalledOnLoad`` as the first line, was measured and
dropped: without it interactive time and the longest tasks were the same or better; benchmarks/theme_edits.json.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

EDITS = ("lazy_controls", "subscribe_task", "late_search")
_ID = r"[\w$]+"
# merge(...getComponentElements("consent")...: the control components, built eagerly in Material 9.
_CONTROL = re.compile(rf'(?P<name>{_ID})=(?P<merge>{_ID})\(\.\.\.(?P<elements>{_ID})\("consent"\)')
# ,content$=defer(() => merge(...getComponentElements("announce")...: the next declaration, and `defer`.
_CONTENT = re.compile(rf',{_ID}=(?P<defer>{_ID})\(\(\)=>{_ID}\(\.\.\.{_ID}\("announce"\)')
# merge(of(location.protocol!=="file:"), watchToggle("search")): when the search worker gets the index.
_SEARCH = re.compile(rf'(?P<of>{_ID})\((?P<test>location\.protocol!=="file:")\),{_ID}\("search"\)')
# component$.subscribe();window.document$=
_SUBSCRIBE = re.compile(rf"(?P<name>{_ID})\.subscribe\(\);(?=window\.document\$=)")

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_INDEX = {c: i for i, c in enumerate(_B64)}


class ThemePatchError(RuntimeError):
    """The theme's bundle does not have the code an edit is anchored on."""


def _one(pattern: re.Pattern[str], text: str, edit: str) -> re.Match[str]:
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise ThemePatchError(
            f"theme bundle patch '{edit}': expected its anchor once, found it {len(found)} times; "
            "the theme changed: update kernel_lab_mkdocs/theme_patch.py, or leave the kernel-lab-theme plugin out "
            "(KERNEL_LAB_THEME_PATCH=false)"
        )
    return found[0]


def _vlq_first(segment: str) -> tuple[int, int]:
    """The first value of a source-map segment and the number of characters it takes."""
    value = shift = 0
    for i, char in enumerate(segment):
        digit = _B64_INDEX[char]
        value += (digit & 31) << shift
        shift += 5
        if not digit & 32:
            return (-(value >> 1) if value & 1 else value >> 1), i + 1
    raise ThemePatchError(f"source map: truncated segment {segment!r}")


def _vlq(value: int) -> str:
    value = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit, value = value & 31, value >> 5
        out += _B64[digit | (32 if value else 0)]
        if not value:
            return out


def shift_columns(mappings: str, line: int, column: int, delta: int) -> str:
    """Source-map ``mappings`` with generated columns >= ``column`` on ``line`` (0-based) moved by ``delta``.

    Columns are relative within a line, so only the first segment at or after ``column`` changes.
    """
    lines = mappings.split(";")
    segments = lines[line].split(",") if lines[line] else []
    absolute = 0
    for i, segment in enumerate(segments):
        step, used = _vlq_first(segment)
        absolute += step
        if absolute >= column:
            segments[i] = _vlq(step + delta) + segment[used:]
            break
    lines[line] = ",".join(segments)
    return ";".join(lines)


def _insert(js: str, mappings: str, at: int, text: str) -> tuple[str, str]:
    line = js.count("\n", 0, at)
    column = at - (js.rfind("\n", 0, at) + 1)
    return js[:at] + text + js[at:], shift_columns(mappings, line, column, len(text))


def patch_bundle(js: str, source_map: str, skip: Collection[str] = ()) -> tuple[str, str]:
    """The theme's bundle and its source map (JSON text), edited as the module docstring says; the edits named in
    ``skip`` (of ``EDITS``) are left out, for measuring what each one buys (the browser benchmark)."""
    unknown = set(skip) - set(EDITS)
    if unknown:
        raise ValueError(f"unknown theme edit(s) {sorted(unknown)}; the edits are {', '.join(EDITS)}")
    smap = json.loads(source_map)
    mappings: str = smap["mappings"]
    if "window.klSearchIdle" in js:
        raise ThemePatchError("theme bundle patch: the bundle is already patched")
    control = _one(_CONTROL, js, "control components built lazily")
    content = _one(_CONTENT, js, "control components built lazily")
    subscribe = _one(_SUBSCRIBE, js, "components subscribed in a task of their own")
    search = _one(_SEARCH, js, "search index loaded once the page has settled")
    if not search.start() < control.end() < content.start() < subscribe.start():
        raise ThemePatchError("theme bundle patch: the anchors are not in the expected order")
    # From the end backwards, so that earlier offsets stay valid.
    if "subscribe_task" not in skip:
        js, mappings = _insert(js, mappings, subscribe.end() - 1, ")")  # setTimeout(()=>X.subscribe());
        js, mappings = _insert(js, mappings, subscribe.start(), "setTimeout(()=>")
    if "lazy_controls" not in skip:
        js, mappings = _insert(js, mappings, content.start(), ")")  # defer(() => merge(...))
        js, mappings = _insert(js, mappings, control.start("merge"), f"{content['defer']}(()=>")
    if "late_search" not in skip:
        js, mappings = _insert(js, mappings, search.end("test") + 1, ")")
        js, mappings = _insert(js, mappings, search.start("of"), f"{content['defer']}(()=>window.klSearchIdle||")
    smap["mappings"] = mappings
    return js, json.dumps(smap, separators=(",", ":"))
