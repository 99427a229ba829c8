"""The calculators' runtime in the site: Pyodide's files (the standard library precompiled and trimmed when Node
can build it), the site's Python as python.zip, the worker and the xz decoder, each named by its content
(:class:`~kernel_lab_mkdocs.manifest.Manifest`), and what a calculator page's head needs to start them early.

The large files also ship compressed with xz (NAME.xz beside NAME: a quarter smaller than gzip -9), which the worker
decompresses itself (with an xz decoder in WebAssembly, from node_modules), so that a host that compresses nothing
still sends few bytes. The worker learns which files have an .xz, where the files are and the build's id (its
memory-snapshot cache key) from its address's query (:attr:`Runtime.worker`), which the pages carry as data.
"""

from __future__ import annotations

import ast
import base64
import functools
import hashlib
import io
import json
import logging
import lzma
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from calc.text import nbytes
from kernel_lab.html import Markup, html
from kernel_lab_mkdocs.bundle import bundle
from kernel_lab_mkdocs.manifest import Manifest, folder_hash, hashed_name

__all__ = ["ASSETS", "COMPRESSED", "PYODIDE_FILES", "Runtime", "build_id", "python_zip", "xz_decoder"]

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "build" / "site-runtime"  # precompiled, trimmed stdlib (scripts/build_site_runtime.mjs)
ASSETS = "assets/kernel-lab"
ASSET_SOURCES = ROOT / "website" / "assets"
log = logging.getLogger("mkdocs.plugins.kernel_lab.runtime")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
WIDGET_FILES = ("calculators.js", "calculators.css")  # named by every page (mkdocs.yml's extra_css, extra_javascript)
CALCULATORS = ASSET_SOURCES / "calculators" / "main.js"  # calculators.js's entry module (bundled: bundle.py)
WORKER = "python-worker.mjs"
# Shipped compressed too (when the precompiled runtime is built and xz saves 10 % or more): the worker fetches
# NAME.xz and decompresses it with xz_decoder().
COMPRESSED = ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip", "pyodide-lock.json")
# xz -9e with a CRC32 per block (what the decoder checks); the wasm: 2.64 MB (zstd -19: 2.89, gzip -9: 3.53).
XZ_PRESET = 9 | lzma.PRESET_EXTREME
# The decoder: xz-embedded (public domain) compiled to WebAssembly by the xz-decompress package (MIT), which
# inlines it in base64; shipped as xz.<h>.wasm.
XZ_DECOMPRESS = ROOT / "node_modules" / "xz-decompress" / "dist" / "package" / "xz-decompress.min.js"
EARLY_START = ASSET_SOURCES / "early-start.js"  # inlined into each calculator page's head


class Runtime:
    """One build's runtime files and what the pages say about them (state of one build, kept by the plugin)."""

    def __init__(
        self, packages: dict[str, Path], fast: bool, later: Callable[[Callable[[], object]], None] | None = None
    ) -> None:
        self.packages = packages  # shipped in python.zip: package name -> its folder
        self.fast = fast  # the precompiled, trimmed, compressed runtime with a memory snapshot (else Pyodide's own)
        self.later = later  # where compiling the site's Python may go when the build need not wait (fast_runtime)
        self.shipped: dict[str, int] = {}  # the Pyodide runtime's files in this build: name -> bytes
        # What a first visit to a calculator downloads to start Python (the worker, the runtime as shipped, the
        # site's Python, the decoder), in words, for the calculators' status line (data-download).
        self.first_download = ""
        self.preloads: list[str] = []  # the compressed runtime files a calculator page's head fetches on a first visit
        self.worker = ""  # the worker's site path with this build's settings as its query
        # The worker, this build's memory-snapshot key and EARLY_START's code, for calculator pages' heads; empty
        # when the build keeps no snapshot.
        self.early_start: dict[str, str] = {}

    def add_files(self, files: Files, config: MkDocsConfig, manifest: Manifest) -> None:
        """The runtime's files into the site, each under its hashed name (recorded in ``manifest``)."""
        package = python_zip(self.packages)
        runtime = fast_runtime(package, self.later) if self.fast else None
        folder, sources, compressed = self._pyodide_files(runtime)
        for name, src in sources.items():
            files.append(File.generated(config, f"{ASSETS}/{folder}/{name}", abs_src_path=str(src)))
        manifest.folder(f"{ASSETS}/{folder}", list(sources))
        # The site's Python with its bytecode, when the runtime build made it, also compressed.
        packed = None
        if runtime and (compiled := compiled_python(package)):
            package = compiled.read_bytes()
            packed = _compressed(compiled).read_bytes()
        worker = bundle(ASSET_SOURCES / WORKER, "esm")  # with the modules it imports (website/assets/worker/)
        runtime_files = [sources[name] for name in PYODIDE_FILES]
        python_name = hashed_name("python.zip", package)
        settings: dict[str, Any] = {
            "build": build_id(package, worker, runtime_files),
            "xz": [f"{folder}/{name}" for name in compressed] + ([python_name] if packed else []),
            "unxz": hashed_name("xz.wasm", xz_decoder()) if compressed or packed else "",
            "snapshot": runtime is not None,
            "pyodide": folder + "/",
            "python": python_name,
        }
        self.preloads = [f"{ASSETS}/{folder}/{name}.xz" for name in compressed]
        generated = {"python.zip": package, WORKER: worker}
        if packed:
            generated["python.zip.xz"] = packed
        if settings["unxz"]:
            generated["xz.wasm"] = xz_decoder()
        for name in WIDGET_FILES:
            generated[name] = (
                bundle(CALCULATORS, "iife") if name == "calculators.js" else (ASSET_SOURCES / name).read_bytes()
            )
        for name, content in generated.items():
            if name == "python.zip.xz":  # beside python.zip, under its name
                path = f"{ASSETS}/{python_name}.xz"
                manifest.add(path)
            else:
                path = manifest.name(f"{ASSETS}/{name}", content)
            files.append(File.generated(config, path, content=content))
        worker_path = manifest.renamed[f"{ASSETS}/{WORKER}"]
        self.worker = worker_path + "?" + quote(json.dumps(settings, separators=(",", ":")), safe="")
        self.early_start = {}
        if settings["snapshot"]:
            # The worker's SNAPSHOT_URL, relative to the site.
            self.early_start = {
                "worker": self.worker,
                "snapshot": f"{ASSETS}/pyodide/snapshot-{settings['build']}.bin",
                "code": early_code(),
            }
            if "</script" in self.early_start["code"].lower():
                raise ValueError(f"{EARLY_START} must not contain </script")
        # A first visit fetches each runtime file as NAME.xz where there is one, else NAME.
        shipped = self.shipped
        runtime_bytes = sum(
            size for name, size in shipped.items() if name.endswith(".xz") or f"{name}.xz" not in shipped
        )
        site_python = generated.get("python.zip.xz", package)
        decoder = len(generated.get("xz.wasm", b""))
        self.first_download = nbytes(runtime_bytes + len(site_python) + decoder + len(worker))

    def worker_for(self, page_url: str | None = None) -> str:
        """The worker's address (with its settings) relative to a page, or to the widget's folder (``None``)."""
        if page_url is None:
            return self.worker[len(ASSETS) + 1 :]
        return get_relative_url(self.worker, page_url)

    def head(self, output: str, page: Page) -> str:
        """A calculator page's head gets website/assets/early-start.js twice: before the stylesheets (on a warm
        visit it starts the worker at once) and at the end (on a first visit it starts downloading the compressed
        runtime at low priority, after the page's own styles, so that the download overlaps the page's first paint
        instead of waiting for the worker, whose fetches then find the files in the HTTP cache or join the
        download)."""
        head = output.find("</head>")
        if not self.early_start or 'data-calc="' not in output or head < 0:  # markup, not text quoting data-calc=
            return output
        files = " ".join(get_relative_url(path, page.url) for path in self.preloads)
        output = output[:head] + self._early_script(preloads=files) + output[head:]
        at = output.find('<link rel="stylesheet"', 0, head)
        at = head if at < 0 else at
        worker = get_relative_url(self.early_start["worker"], page.url)
        snapshot = get_relative_url(self.early_start["snapshot"], page.url)
        return output[:at] + self._early_script(worker=worker, snapshot=snapshot) + output[at:]

    def _early_script(self, **data: str) -> str:
        """website/assets/early-start.js inlined, with ``data`` as its data- attributes."""
        attributes = Markup("".join(str(html(' data-{}="{}"', name, value)) for name, value in data.items()))
        return str(html("<script{}>{}</script>", attributes, Markup(self.early_start["code"])))

    def _pyodide_files(self, runtime: Path | None) -> tuple[str, dict[str, Path], list[str]]:
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
            self.shipped[name] = src.stat().st_size
            packed = _compressed(src) if runtime and name in COMPRESSED else None
            if packed and packed.stat().st_size < 0.9 * src.stat().st_size:  # not for a file that barely shrinks
                sources[name + ".xz"] = packed
                self.shipped[name + ".xz"] = packed.stat().st_size
                compressed.append(name)
        return f"pyodide/{folder_hash(sources)}", sources, compressed


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


def build_id(package: bytes, worker: bytes, runtime_files: list[Path]) -> str:
    """The key a browser keeps its memory snapshot under: a hash of everything the snapshot depends on
    (the site's Python, the worker, Pyodide's files and the standard library)."""
    digest = hashlib.sha256(package + worker)
    for path in runtime_files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


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


def fast_runtime(package: bytes, later: Callable[[Callable[[], object]], None] | None = None) -> Path | None:
    """build/site-runtime/, brought up to date by scripts/build_site_runtime.mjs when the site's Python
    (``package``, python.zip), Pyodide or the script changed.

    The script keeps its own cache there: the compiled standard library is keyed on Pyodide's release and the
    script, the trimmed one also on the modules the site's Python consists of and names in its imports, so an
    edit of calc that imports nothing new recompiles python.zip only (one Pyodide start under Node, about 2 s of
    CPU) and leaves python_stdlib.zip as it was.

    ``later`` (`mkdocs serve`): when only python.zip's bytecode is out of date (the modules it imports are those
    the trimmed library was made for), the compiling is handed to ``later`` to run after the build, and this
    build ships python.zip as source (:func:`compiled_python` finds no bytecode of it), which the browser compiles.

    None when it cannot be built (no Node): the site then ships Pyodide's own files and boots normally."""
    key = _runtime_key(package)
    stamp = RUNTIME / "key.txt"
    imports = RUNTIME / "site-imports.txt"  # site_imports() of the python.zip the trimmed library was made for
    if stamp.exists() and stamp.read_text() == key and (RUNTIME / "python-pyc.zip").exists():
        if not imports.exists():  # a cache from before site-imports.txt
            imports.write_text(site_imports(package), encoding="utf-8")
        return RUNTIME
    node = shutil.which("node")
    if node is None:
        log.info("calculators: node not found; shipping the plain Pyodide runtime (slower start)")
        return None
    stdlib_current = (RUNTIME / "python_stdlib.zip").exists() and imports.exists()
    if later and stdlib_current and imports.read_text(encoding="utf-8") == site_imports(package):
        log.info("calculators: the site's Python ships as source; compiling it after this build")
        later(functools.partial(_build_runtime, node, package))
        return RUNTIME
    return _build_runtime(node, package)


def _runtime_key(package: bytes) -> str:
    script = ROOT / "scripts" / "build_site_runtime.mjs"
    pyodide = ROOT / "node_modules" / "pyodide"
    return hashlib.sha256(script.read_bytes() + (pyodide / "package.json").read_bytes() + package).hexdigest()


def _build_runtime(node: str, package: bytes) -> Path | None:
    """scripts/build_site_runtime.mjs run for ``package``, one run at a time (a lock file in RUNTIME, also between
    processes); nothing to do when a run before this one made it."""
    import fcntl  # Linux and macOS

    key, stamp = _runtime_key(package), RUNTIME / "key.txt"
    RUNTIME.mkdir(parents=True, exist_ok=True)
    with (RUNTIME / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == key and (RUNTIME / "python-pyc.zip").exists():
            return RUNTIME
        log.info(
            "calculators: compiling the site's Python for Pyodide (the standard library too if its modules changed)"
        )
        stamp.unlink(missing_ok=True)  # a run that fails part-way leaves no stale stamp
        (RUNTIME / "python.zip").write_bytes(package)
        env = {**os.environ, "TZ": "UTC"}
        script = ROOT / "scripts" / "build_site_runtime.mjs"
        cmd = [node, str(script), str(RUNTIME), str(RUNTIME / "python.zip")]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            log.info("calculators: runtime build failed, shipping the plain runtime:\n%s", done.stderr[-2000:])
            return None
        log.debug("%s", done.stdout.strip())
        _compressed(RUNTIME / "python-pyc.zip")  # shipped beside it (xz -9e: seconds; cached by its bytes)
        (RUNTIME / "site-imports.txt").write_text(site_imports(package), encoding="utf-8")
        stamp.write_text(key)
    return RUNTIME


def compiled_python(package: bytes) -> Path | None:
    """RUNTIME's python-pyc.zip when it is ``package`` compiled (its key current and its sources those of
    ``package``, read after the key, so that a run finishing meanwhile is never mistaken for this one)."""
    compiled, stamp = RUNTIME / "python-pyc.zip", RUNTIME / "key.txt"
    if not (stamp.exists() and compiled.exists() and stamp.read_text() == _runtime_key(package)):
        return None
    with zipfile.ZipFile(io.BytesIO(compiled.read_bytes())) as built, zipfile.ZipFile(io.BytesIO(package)) as src:
        sources = {n: built.read(n) for n in built.namelist() if n.endswith(".py")}
        return compiled if sources == {n: src.read(n) for n in src.namelist()} else None


@functools.lru_cache(maxsize=2)  # rebuilds under `mkdocs serve` ask again until the compiling after them is done
def site_imports(package: bytes) -> str:
    """What the trimmed standard library is made for, besides Pyodide's release and the script: the modules in
    python.zip and every module their sources import (absolute imports, also inside functions: what the script's
    own scan reads), as text."""
    modules: list[str] = []
    named: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for name in sorted(zf.namelist()):
            modules.append(name)
            imported = _imports(zf.read(name))
            if imported is None:
                return ""  # matches nothing: the build runs the script, which reports the error
            named |= imported
    return "\n".join([_runtime_key(b""), *modules, "", *sorted(named)]) + "\n"


@functools.lru_cache(maxsize=256)  # a calc edit parses the edited module only
def _imports(source: bytes) -> frozenset[str] | None:
    """The modules a module's source imports (absolute imports, anywhere in it); None if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named.add(node.module)
    return frozenset(named)


def python_zip(packages: dict[str, Path]) -> bytes:
    """calc/ and kernel_lab/ (the .py files) in a zip with fixed timestamps, so unchanged sources give identical
    bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for package, folder in packages.items():
            for path in sorted(folder.glob("*.py")):
                info = zipfile.ZipInfo(f"{package}/{path.name}", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def early_code() -> str:
    """website/assets/early-start.js without its opening comment (for authors; each calculator page carries the code
    twice)."""
    text = EARLY_START.read_text(encoding="utf-8")
    start = text.find("(function")
    if start < 0:
        raise ValueError(f"{EARLY_START} must be one (function (script) {{...}})(document.currentScript)")
    return text[start:]
