# MkDocs hook: the calculators' build-time side.
# - on_config: watch calc/ and site_assets/ under `mkdocs serve`, and load calc and kernel_lab afresh on each build.
# - on_files: add the browser runtime to the site: the widget (site_assets/), the five Pyodide files from
#   node_modules/pyodide (the standard library precompiled and trimmed when Node can build it), and the site's
#   Python (calc/ and site_assets/kernel_lab/) as python.zip. The large files also ship compressed with
#   xz (NAME.xz beside NAME: a quarter smaller than gzip -9), which the worker decompresses itself (with an xz
#   decoder in WebAssembly, from node_modules), so that a host that compresses nothing still sends few bytes; the
#   worker learns which files have an .xz and the build's id (its memory-snapshot cache key) from RUNTIME, written into
#   calc-worker.mjs here. Every one of these files is named by a hash of its content
#   (calc.<h>.js, calc.<h>.css, calc-worker.<h>.mjs, python.<h>.zip, pyodide/<h>/NAME), so that hosts may let
#   browsers keep them for a year (scripts/hooks/headers.py writes _headers for them).
# - on_page_content: replace each calculator marker with its form and default result, and each figure marker
#   with the figure (scripts/hooks/markers.py has the syntax). Pages without markers are returned untouched.

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import io
import json
import logging
import lzma
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from calc._model import MAX_CONFIG_BYTES  # the engine's limit on a model config's JSON
from calc.text import integer, milliseconds, nbytes, percent
from kernel_lab.html import Markup, html, scroll_region
from scripts import convnext
from scripts.bench import authors, report
from scripts.examples import stats, timing
from scripts.hooks.markers import Marker, UnknownMarker, substitute

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "build" / "site-runtime"  # precompiled, trimmed stdlib (scripts/build_site_runtime.mjs)
ASSETS = "assets/kernel-lab"
PACKAGES = {"calc": ROOT / "calc", "kernel_lab": ROOT / "site_assets" / "kernel_lab"}  # shipped as python.zip
log = logging.getLogger("mkdocs.hooks.calculators")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
WIDGET_FILES = ("calc.js", "calc.css")
WORKER = "calc-worker.mjs"
PYODIDE_IMPORT = "pyodide/pyodide.mjs"  # the worker's import, relative to it; the build puts the hashed folder
# Shipped compressed too (when the precompiled runtime is built and xz saves 10 % or more): the worker fetches
# NAME.xz and decompresses it with xz_decoder().
COMPRESSED = ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip", "pyodide-lock.json")
# xz -9e with a CRC32 per block (what the decoder checks); the wasm: 2.64 MB (zstd -19: 2.89, gzip -9: 3.53).
XZ_PRESET = 9 | lzma.PRESET_EXTREME
# The decoder: xz-embedded (public domain) compiled to WebAssembly by the xz-decompress package (MIT), which
# inlines it in base64; shipped as xz.<h>.wasm.
XZ_DECOMPRESS = ROOT / "node_modules" / "xz-decompress" / "dist" / "package" / "xz-decompress.min.js"
# The worker's settings, between these markers in site_assets/calc-worker.mjs.
RUNTIME_MARKERS = ("/*RUNTIME*/", "/*END RUNTIME*/")

HASH_LENGTH = 10  # hex digits of a content hash in a file or folder name
renamed: dict[str, str] = {}  # calc.js and calc.css -> their hashed names, for the pages (on_post_page)
shipped: dict[str, int] = {}  # the Pyodide runtime's files in this build: name -> bytes (for docs/site-speed.md)
# What a first visit to a calculator downloads to start Python (the worker, the runtime as shipped, the site's
# Python, the decoder), in words, for the calculators' status line (data-download): set by on_files.
first_download: list[str] = [""]
# The largest file the analyzer's page reads (calc.js refuses a larger one by its size, before reading it): a
# .json config as the engine's own limit; any other file (a .keras zip, which carries the model's weights) up to
# this bound, since it is read whole into the page and copied into Python's memory (ResNet50 with its weights is
# about 100 MB; VGG16's 528 MB is refused).
MAX_MODEL_FILE_BYTES = 256 << 20
preloads: list[str] = []  # the compressed runtime files, fetched by a calculator page's head on a first visit
# The worker, this build's memory-snapshot key and EARLY_START's code, for calculator pages' heads; empty when
# the build keeps no snapshot.
early_start: dict[str, str] = {}
EARLY_START = ROOT / "site_assets" / "calc-early.js"  # inlined into each calculator page's head


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Under `mkdocs serve` a rebuild must see edited sources: forget the imported modules.
    for name in [m for m in sys.modules if m.split(".")[0] in PACKAGES]:
        del sys.modules[name]
    for path in (ROOT / "calc", ROOT / "site_assets"):
        if str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def _calculators() -> Any:
    return importlib.import_module("kernel_lab.calculators")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    package = python_zip()
    runtime = fast_runtime(package)
    shipped.clear()
    folder, sources, compressed = _pyodide_files(runtime)
    for name, src in sources.items():
        files.append(File.generated(config, f"{ASSETS}/{folder}/{name}", abs_src_path=str(src)))
    # The site's Python with its bytecode, when the runtime build made it, also compressed.
    packed = None
    if runtime and (runtime / "python-pyc.zip").exists():
        package = (runtime / "python-pyc.zip").read_bytes()
        packed = _compressed(runtime / "python-pyc.zip").read_bytes()
    runtime_files = [sources[name] for name in PYODIDE_FILES]
    python_name = hashed_name("python.zip", package)
    settings: dict[str, Any] = {
        "build": build_id(package, runtime_files),
        "xz": [f"{folder}/{name}" for name in compressed] + ([python_name] if packed else []),
        "unxz": hashed_name("xz.wasm", xz_decoder()) if compressed or packed else "",
        "snapshot": runtime is not None,
        "pyodide": folder + "/",
        "python": python_name,
    }
    preloads[:] = [f"{ASSETS}/{folder}/{name}.xz" for name in compressed]
    worker = worker_source(settings)
    worker_name = hashed_name(WORKER, worker.encode())
    early_start.clear()
    if settings["snapshot"]:
        # The worker's SNAPSHOT_URL, relative to the site.
        early_start.update(
            worker=f"{ASSETS}/{worker_name}",
            snapshot=f"{ASSETS}/pyodide/snapshot-{settings['build']}.bin",
            code=early_code(),
        )
        if "</script" in early_start["code"].lower():
            raise ValueError(f"{EARLY_START} must not contain </script")
    generated = {python_name: package, worker_name: worker.encode()}
    if packed:
        generated[python_name + ".xz"] = packed
    if settings["unxz"]:
        generated[settings["unxz"]] = xz_decoder()
    script = (ROOT / "site_assets" / "calc.js").read_text(encoding="utf-8")
    generated["calc.js"] = script.replace(f'"{WORKER}"', json.dumps(worker_name)).encode()
    generated["calc.css"] = (ROOT / "site_assets" / "calc.css").read_bytes()
    renamed.clear()
    for name in WIDGET_FILES:  # the pages name them (mkdocs.yml): on_post_page puts the hashed names there
        content = generated.pop(name)
        renamed[f"{ASSETS}/{name}"] = f"{ASSETS}/{hashed_name(name, content)}"
        generated[hashed_name(name, content)] = content
    for name, content in generated.items():
        files.append(File.generated(config, f"{ASSETS}/{name}", content=content))
    # A first visit fetches each runtime file as NAME.xz where there is one, else NAME.
    runtime_bytes = sum(size for name, size in shipped.items() if name.endswith(".xz") or f"{name}.xz" not in shipped)
    site_python = generated.get(python_name + ".xz", package)
    decoder = len(generated.get(settings["unxz"], b""))
    first_download[0] = nbytes(runtime_bytes + len(site_python) + decoder + len(worker.encode()))
    return files


@functools.cache
def xz_decoder() -> bytes:
    """The WebAssembly decoder the worker streams .xz files through, taken from xz-decompress's script (which
    exports create_context, supply_input, get_next_output, destroy_context and memory)."""
    text = XZ_DECOMPRESS.read_text(encoding="utf-8")
    found = re.findall(r"data:application/wasm;base64,([A-Za-z0-9+/=]+)", text)
    wasm = base64.b64decode(found[0]) if len(found) == 1 else b""
    notice = re.match(r"/\*!(.*?)\*/", text, re.S)
    if not wasm.startswith(b"\0asm") or notice is None:
        raise ValueError(f"{XZ_DECOMPRESS}: no WebAssembly decoder found (xz-decompress not as package.json pins?)")
    # Its authors and licences (the script's opening comment) go with it, as a custom section named "license".
    lines = [line.strip(" *") for line in notice.group(1).strip().splitlines()]
    return wasm + _custom_section("license", "\n".join(lines).encode())


def _custom_section(name: str, payload: bytes) -> bytes:
    body = _leb128(len(name)) + name.encode() + payload
    return b"\0" + _leb128(len(body)) + body


def _leb128(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def hashed_name(name: str, content: bytes) -> str:
    """``name`` with a hash of ``content`` before its extension (calc.js -> calc.0123456789.js), so that a host
    may let browsers keep it for a year: another content is another name."""
    stem, dot, ext = name.partition(".")
    return f"{stem}.{content_hash(content)}{dot}{ext}"


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:HASH_LENGTH]


def folder_hash(sources: dict[str, Path]) -> str:
    """A hash of a folder's files: each name and the hash of its bytes, in name order."""
    listing = "".join(
        f"{name} {hashlib.sha256(src.read_bytes()).hexdigest()}\n" for name, src in sorted(sources.items())
    )
    return content_hash(listing.encode())


def _pyodide_files(runtime: Path | None) -> tuple[str, dict[str, Path], list[str]]:
    """The Pyodide files to ship ({name: source}, also NAME.xz where compression pays), the folder they go to
    (``pyodide/<hash of the files and their names>``) and the names shipped compressed too."""
    pyodide = ROOT / "node_modules" / "pyodide"
    sources: dict[str, Path] = {}
    compressed = []
    for name in PYODIDE_FILES:
        # The precompiled standard library, when there is one, replaces the .py one.
        built = runtime / name if runtime else None
        src = built if built and built.exists() else pyodide / name
        if not src.exists():
            raise FileNotFoundError(f"{src}: run `npm ci` (scripts/setup.sh) to get the Pyodide runtime")
        sources[name] = src
        shipped[name] = src.stat().st_size
        packed = _compressed(src) if runtime and name in COMPRESSED else None
        if packed and packed.stat().st_size < 0.9 * src.stat().st_size:  # not for a file that barely shrinks
            sources[name + ".xz"] = packed
            shipped[name + ".xz"] = packed.stat().st_size
            compressed.append(name)
    return f"pyodide/{folder_hash(sources)}", sources, compressed


def build_id(package: bytes, runtime_files: list[Path]) -> str:
    """The key a browser keeps its memory snapshot under: a hash of everything the snapshot depends on
    (the site's Python, the worker, Pyodide's files and the standard library)."""
    digest = hashlib.sha256(package + (ROOT / "site_assets" / WORKER).read_bytes())
    for path in runtime_files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def worker_source(settings: dict[str, Any]) -> str:
    """site_assets/calc-worker.mjs with this build's settings in place of the defaults between RUNTIME_MARKERS,
    importing Pyodide from this build's folder."""
    text = (ROOT / "site_assets" / WORKER).read_text(encoding="utf-8")
    text = text.replace(f'"./{PYODIDE_IMPORT}"', json.dumps(f"./{settings['pyodide']}pyodide.mjs"), 1)
    start, end = (text.index(marker) for marker in RUNTIME_MARKERS)
    return text[: start + len(RUNTIME_MARKERS[0])] + json.dumps(settings) + text[end:]


def _compressed(src: Path) -> Path:
    """src compressed with xz (XZ_PRESET, its dictionary the smallest power of two that holds the whole file, so
    that the decoder allocates no more), cached in build/site-runtime/xz/ under the hash of its bytes (the wasm
    takes about 10 s)."""
    data = src.read_bytes()
    dest = RUNTIME / "xz" / f"{hashlib.sha256(data).hexdigest()[:20]}-{src.name}.xz"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".tmp")
        dictionary = max(1 << 16, 1 << (len(data) - 1).bit_length())
        filters = [{"id": lzma.FILTER_LZMA2, "preset": XZ_PRESET, "dict_size": dictionary}]
        tmp.write_bytes(lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, filters=filters))
        tmp.replace(dest)
    return dest


def fast_runtime(package: bytes) -> Path | None:
    """build/site-runtime/, brought up to date by scripts/build_site_runtime.mjs when the site's Python
    (``package``, python.zip), Pyodide or the script changed.

    The script keeps its own cache there: the compiled standard library is keyed on Pyodide's release and the
    script, the trimmed one also on the modules the site's Python consists of and names in its imports, so an
    edit of calc that imports nothing new recompiles python.zip only (one Pyodide start under Node, about 2 s of
    CPU) and leaves python_stdlib.zip as it was.

    None when it cannot be built (no Node): the site then ships Pyodide's own files and boots normally.
    Set KERNEL_LAB_PLAIN_PYODIDE=1 to skip it (the benchmark's baseline).
    """
    if os.environ.get("KERNEL_LAB_PLAIN_PYODIDE") == "1":
        return None
    script = ROOT / "scripts" / "build_site_runtime.mjs"
    pyodide = ROOT / "node_modules" / "pyodide"
    key = hashlib.sha256(script.read_bytes() + (pyodide / "package.json").read_bytes() + package).hexdigest()
    stamp = RUNTIME / "key.txt"
    if stamp.exists() and stamp.read_text() == key and (RUNTIME / "python-pyc.zip").exists():
        return RUNTIME
    node = shutil.which("node")
    if node is None:
        log.info("calculators: node not found; shipping the plain Pyodide runtime (slower start)")
        return None
    log.info("calculators: compiling the site's Python for Pyodide (the standard library too if its modules changed)")
    RUNTIME.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a run that fails part-way leaves no stale stamp
    (RUNTIME / "python.zip").write_bytes(package)
    env = {**os.environ, "TZ": "UTC"}
    cmd = [node, str(script), str(RUNTIME), str(RUNTIME / "python.zip")]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        log.info("calculators: runtime build failed, shipping the plain runtime:\n%s", done.stderr[-2000:])
        return None
    log.debug("%s", done.stdout.strip())
    stamp.write_text(key)
    return RUNTIME


def python_zip() -> bytes:
    """calc/ and kernel_lab/ (the .py files) in a zip with fixed timestamps, so unchanged sources give identical
    bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for package, folder in PACKAGES.items():
            for path in sorted(folder.glob("*.py")):
                info = zipfile.ZipInfo(f"{package}/{path.name}", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Every page names calc.js and calc.css by their hashed names. A calculator page's head gets
    site_assets/calc-early.js twice: before the stylesheets (on a warm visit it starts the worker at once) and
    at the end (on a first visit it starts downloading the compressed runtime at low priority, after the page's
    own styles, so that the download overlaps the page's first paint instead of waiting for the worker, whose
    fetches then find the files in the HTTP cache or join the download)."""
    output = with_hashed_names(output)
    head = output.find("</head>")
    if not early_start or 'data-calc="' not in output or head < 0:  # markup, not a page quoting data-calc=&quot;
        return output
    files = " ".join(get_relative_url(path, page.url) for path in preloads)
    output = output[:head] + early_script(preloads=files) + output[head:]
    at = output.find('<link rel="stylesheet"', 0, head)
    at = head if at < 0 else at
    worker, snapshot = (get_relative_url(early_start[name], page.url) for name in ("worker", "snapshot"))
    return output[:at] + early_script(worker=worker, snapshot=snapshot) + output[at:]


def early_code() -> str:
    """site_assets/calc-early.js without its opening comment (for authors; each calculator page carries the code
    twice)."""
    text = EARLY_START.read_text(encoding="utf-8")
    start = text.find("(function")
    if start < 0:
        raise ValueError(f"{EARLY_START} must be one (function (script) {{...}})(document.currentScript)")
    return text[start:]


def early_script(**data: str) -> str:
    """site_assets/calc-early.js inlined, with ``data`` as its data- attributes."""
    attributes = Markup("".join(str(html(' data-{}="{}"', name, value)) for name, value in data.items()))
    return str(html("<script{}>{}</script>", attributes, Markup(early_start["code"])))


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    return with_hashed_names(output)  # 404.html


def with_hashed_names(output: str) -> str:
    """A page's HTML naming calc.js and calc.css by their hashed names."""
    for old, new in renamed.items():
        output = output.replace(f'{old}"', f'{new}"')
    return output


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if "data-calc" not in html and "data-figure" not in html:
        return html
    count = 0
    docs_dir = Path(config.docs_dir)

    def widget(marker: Marker) -> str:
        nonlocal count
        if marker.name not in _calculators().CALCULATORS:
            raise UnknownMarker(marker.name)
        count += 1
        return str(render_widget(marker, f"kl{count}", docs_dir))

    def figure(marker: Marker) -> str:
        if marker.name not in FIGURES:
            raise UnknownMarker(marker.name)  # an error inside a figure stops the build as itself (substitute)
        return str(FIGURES[marker.name](marker.arg))

    return substitute(html, page.file.src_uri, {"calc": widget, "figure": figure})


def shipped_size(name: str) -> Markup:
    """The size of a runtime file in this build, in MiB; what a build without it ships instead."""
    if name not in shipped:
        return Markup("(not in this build: see <code>KERNEL_LAB_PLAIN_PYODIDE</code>)")
    return html("{:.1f} MiB", shipped[name] / 2**20)


def _listed(values: Iterable[int]) -> str:
    """(1, 8, 32) -> '1, 8 and 32'."""
    *head, last = [integer(v) for v in values]
    return f"{', '.join(head)} and {last}" if head else last


# How the example timings are taken (scripts/examples/timing.py) and judged (stats.py), for the Methods page.
TIMING_METHOD: dict[str, str] = {
    "iqr": percent(stats.IQR_LIMIT),  # a timing is steady when its IQR is at most this fraction of its median
    "half_width": percent(stats.HALF_WIDTH_LIMIT),  # a ratio is precise when its interval's half-width is at most this
    "confidence": percent(stats.CONFIDENCE),  # the confidence level of a ratio's interval
    "batches": _listed(timing.BATCHES),
    "article_batches": _listed(timing.SHAPES["article"].batches),
    "sample": milliseconds(timing.SAMPLE_S),  # calls shorter than this are repeated inside a sample
    "min_sample": milliseconds(timing.MIN_SAMPLE_S),
    "min_rounds": integer(timing.MIN_ROUNDS),
    "max_rounds": integer(timing.MAX_ROUNDS),
    "runs": integer(timing.RUNS),  # separate measuring processes per engine
    "other_batches": _listed(timing.OTHER_BATCHES),  # the batches timed on the XLA-compiled engines
    "overhead_layers": _listed(len(layers) for layers in timing.OVERHEAD.values()),
    "peak": f"{integer(timing.PEAK_SIZE)}×{integer(timing.PEAK_SIZE)}",
}


def timing_method(name: str) -> Markup:
    """A setting of the example timings, or a threshold they are judged by, from the constants the code applies,
    by the marker's data-arg (a key of TIMING_METHOD)."""
    if name not in TIMING_METHOD:
        raise ValueError(f"timing_method: data-arg must be one of {', '.join(TIMING_METHOD)}, not {name!r}")
    return html("{}", TIMING_METHOD[name])


def render_widget(marker: Marker, prefix: str, docs_dir: Path) -> Markup:
    """The calculator's form (from its signature) and its default result, rendered by the site's Python.

    ``data-input-NAME="VALUE"`` attributes set a field; a value "@path" is read from the file under docs/.
    """
    from kernel_lab.forms import form

    calculators = _calculators()
    name = marker.name
    values = {}
    for key, raw in marker.attrs.items():
        if key.startswith("input-"):
            values[key[6:].replace("-", "_")] = (docs_dir / raw[1:]).read_text() if raw.startswith("@") else raw
    result = calculators.run(name, values) if values else calculators.render(name)
    label = name.replace("_", " ")
    data = html(' data-download="{}"', first_download[0]) if first_download[0] else Markup("")
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


def _static_figure(name: str) -> Markup:
    return scroll_region(_calculators().figure(name), name.replace("_", " "))


# Figures by marker name: each takes the marker's data-arg.
FIGURES: dict[str, Any] = {
    **{name: (lambda arg, name=name: _static_figure(name)) for name in ("short_answer", "effective_field_table")},
    "effective_field_maps": lambda arg: _calculators().figure("effective_field_maps"),
    **report.FIGURES,  # the benchmarks on the authors' page docs/site-speed.md
    **authors.FIGURES,  # the authors' loop under `mkdocs serve` (docs/authors.md)
    **convnext.FIGURES,  # ConvNeXtTiny with 7×7 and with 3×3 depthwise kernels (docs/large-kernels.md)
    "shipped_size": shipped_size,
    "timing_method": timing_method,
}
