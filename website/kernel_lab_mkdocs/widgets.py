"""A calculator in a page: ``<div data-calc="NAME" data-input-FIELD="VALUE"></div>`` becomes its form (from the
calculator's signature, kernel_lab.forms) and its default result, rendered by the site's Python at build time; in
the browser calculators.js runs the same Python in the worker named by the calculator's data-worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from calc._model import MAX_CONFIG_BYTES  # the engine's limit on a model config's JSON
from calc.text import nbytes
from kernel_lab.html import Markup, html
from kernel_lab_mkdocs.markers import Marker

__all__ = ["MAX_MODEL_FILE_BYTES", "render_widget"]

# The largest file the analyzer's page reads (calculators.js refuses a larger one by its size, before reading it):
# a .json config as the engine's own limit; any other file (a .keras zip, which carries the model's weights) up to
# this bound, since it is read whole into the page and copied into Python's memory (ResNet50 with its weights is
# about 100 MB; VGG16's 528 MB is refused).
MAX_MODEL_FILE_BYTES = 256 << 20


def render_widget(
    marker: Marker, prefix: str, docs_dir: Path, calculators: Any, download: str = "", worker: str = ""
) -> Markup:
    """The calculator's form and its default result.

    ``data-input-NAME="VALUE"`` attributes set a field; a value "@path" is read from the file under docs/.
    ``download``: what a first visit downloads to start Python, in words (the status line says it while Python
    starts); ``worker``: the worker's address with this build's settings, relative to calculators.js's folder.
    """
    from kernel_lab.forms import form

    name = marker.name
    values = {}
    for key, raw in marker.attrs.items():
        if key.startswith("input-"):
            values[key[6:].replace("-", "_")] = (docs_dir / raw[1:]).read_text() if raw.startswith("@") else raw
    result = calculators.run(name, values) if values else calculators.render(name)
    label = name.replace("_", " ")
    data = html(' data-download="{}"', download) if download else Markup("")
    if worker:
        data += html(' data-worker="{}"', worker)
    if any(spec.kind == "file" for spec in calculators.inputs(name)):
        limits = {
            "json": [MAX_CONFIG_BYTES, f".json files up to {nbytes(MAX_CONFIG_BYTES)}"],
            "other": [MAX_MODEL_FILE_BYTES, f"model files up to {nbytes(MAX_MODEL_FILE_BYTES)}, weights included"],
        }
        data += html(' data-file-limits="{}"', json.dumps(limits))
    return html(
        '<div class="kl-calc" data-calc="{}" data-state="static"{}>{}'
        '<p class="kl-tools"><button type="button" class="kl-button" data-copy-link>Copy link</button></p>'
        '<p class="kl-status" role="status" aria-live="polite"></p>'
        # Focusable, so that keyboard users can scroll a wide result sideways (axe: scrollable-region-focusable).
        '<div class="kl-output" data-calc-output aria-live="polite" tabindex="0" role="region" '
        'aria-label="{} result">{}</div></div>',
        name,
        data,
        form(name, calculators.inputs(name), prefix, values),
        label,
        result,
    )
