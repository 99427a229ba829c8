# The licence notices of everything the site ships that is not the project's own, as a page
# (licences/, linked from every page's footer by website/overrides/partials/copyright.html), generated from the
# installed packages at every build: names, versions and licences from their package metadata, the licence texts
# from the files they install (a package's dist-info, node_modules, Debian's /usr/share/doc/<package>/copyright and
# /usr/share/common-licenses/), never typed here. What this file knows is only where to look (COMPONENTS) and which
# libraries to look for inside Pyodide's WebAssembly (WASM_LIBRARIES: each found by a string it carries).
# Each notice lists the site's files it covers (patterns); tests/test_licences.py walks a built site and checks that
# every file that is not the project's own is covered.

from __future__ import annotations

import importlib.metadata
import json
import re
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PAGE", "Notice", "notices", "page_markdown"]

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules"
PAGE = "licences.md"
PYODIDE = "assets/kernel-lab/pyodide/*/"
DEBIAN_DOC = Path("/usr/share/doc")
COMMON_LICENSES = Path("/usr/share/common-licenses")

# Libraries linked into pyodide.asm.wasm, each recognised by bytes it carries (its name or version string), with
# its licence, home and where Debian keeps the same upstream licence text: a package's copyright file (a pattern of
# package names: the newest installed one that has the text), whole, or only its paragraphs for the files named
# (Debian's machine-readable format: a Files paragraph covering one of these paths, and the License paragraphs it
# names). CPython bundles libmpdec (and, from 3.12, HACL*): Debian's python3.X copyright carries their texts.
# Emscripten's: its documentation package (scripts/setup.sh installs it; the compiler itself is 800 MB), which
# shares the copyright file of Debian's Emscripten: Emscripten's own code and the runtime libraries it links in.
EMSCRIPTEN_PARTS = ("*", "system/lib/")
WASM_LIBRARIES = (
    (b"inflate 1.3", "zlib", "Zlib", "https://zlib.net/", "zlib1g", ()),
    (b"bzip2", "bzip2 (libbz2)", "bzip2-1.0.6", "https://sourceware.org/bzip2/", "libbz2-1.0", ()),
    (b"Expat", "Expat (libexpat)", "MIT", "https://libexpat.github.io/", "libexpat1", ()),
    (b"SQLite", "SQLite", "blessing (public domain)", "https://www.sqlite.org/", "libsqlite3-0", ()),
    (b"liblzma", "XZ Utils (liblzma)", "0BSD", "https://tukaani.org/xz/", "liblzma5", ()),
    (b"libmpdec", "mpdecimal (libmpdec)", "BSD-2-Clause", "https://www.bytereef.org/mpdecimal/", r"python3\.\d+",
     ("Modules/_decimal/libmpdec/",)),
    (b"HACL", "HACL* (CPython's hashes)", "MIT", "https://github.com/hacl-star/hacl-star", r"python3\.\d+",
     ("Modules/_hacl/",)),
    (b"ffi_call", "libffi", "MIT", "https://sourceware.org/libffi/", "libffi8", ()),
    (b"emscripten", "Emscripten runtime and libraries (musl libc, libc++, libc++abi, libunwind, compiler-rt, "
     "dlmalloc)", "MIT OR NCSA; musl MIT; LLVM Apache-2.0 WITH LLVM-exception", "https://emscripten.org/",
     "emscripten-doc", EMSCRIPTEN_PARTS),
)  # fmt: skip
# The MIT licence's terms, where a component names it but ships no text: the Expat paragraph of a Debian copyright
# file (Debian's name for the MIT licence; the same words in every MIT-licensed project, below its own copyright).
MIT_TERMS = ("emscripten-doc", "Expat")


@dataclass
class Notice:
    """One shipped component: what it is, its licence, the site files it covers (patterns) and the texts."""

    name: str
    version: str
    licence: str
    home: str
    files: tuple[str, ...]
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where the text comes from, the text)
    missing: str = ""  # what could not be found on the build machine, said on the page


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _npm(name: str) -> dict[str, str]:
    package: dict[str, str] = json.loads(_read(NODE / name / "package.json"))
    return package


def _dist_info(name: str, files: tuple[str, ...], home: str) -> Notice:
    dist = importlib.metadata.distribution(name)
    meta = dist.metadata
    licence = meta["License-Expression"] or meta["License"] or "see the text"
    notice = Notice(name, dist.version, licence, home, files)
    for f in dist.files or ():
        if ".dist-info/" in str(f) and re.search(r"(LICEN[CS]E|COPYING|NOTICE)", f.name, re.I):
            notice.texts.append((f"{name} {dist.version}, {f}", _read(Path(str(f.locate())))))
    if not notice.texts:
        notice.missing = f"{name}'s installed package has no licence file"
    return notice


def _copyright_files(package: str) -> list[Path]:
    """Debian's copyright files of the installed packages named by ``package`` (a regular expression), newest
    version first (python3.13 before python3.11)."""
    if not package or not DEBIAN_DOC.is_dir():
        return []
    found = [d / "copyright" for d in DEBIAN_DOC.iterdir() if re.fullmatch(package, d.name)]
    return sorted((p for p in found if p.is_file()), key=_version_key, reverse=True)


def _version_key(path: Path) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", path.parent.name)]


def _debian(package: str, parts: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The licence texts Debian's copyright file of ``package`` (see _copyright_files: the newest that has them)
    holds: the whole file, or with ``parts``, the paragraphs for those paths (:func:`_copyright_paragraphs`)."""
    for path in _copyright_files(package):
        if not parts:
            return [(f"Debian's {path}", _read(path))]
        found = _copyright_paragraphs(_read(path), parts)
        if found:
            where = ", ".join(p.rstrip("*") or "*" for p in parts)
            return [(f"Debian's {path}, its paragraphs for {where}", "\n\n".join(found))]
    return []


def _paragraphs(text: str) -> list[tuple[dict[str, str], str]]:
    """A Debian copyright file's paragraphs (separated by blank lines) as ({field: value}, the paragraph's text);
    a field's value runs on over its indented lines."""
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        name = ""
        for line in block.splitlines():
            field = re.match(r"([A-Za-z][A-Za-z-]*):(.*)", line)
            if field:
                name = field[1]
                fields[name] = field[2].strip()
            elif name and line[:1].isspace():
                fields[name] += "\n" + line.strip()
        out.append((fields, block.strip("\n")))
    return out


def _copyright_paragraphs(text: str, parts: tuple[str, ...]) -> list[str]:
    """The paragraphs of a Debian copyright file that cover ``parts`` (a Files paragraph with a pattern that is
    one of them or starts with one that ends in ``/``), then the stand-alone License paragraphs those name, and the
    text of any /usr/share/common-licenses file they point to."""
    paragraphs = _paragraphs(text)
    chosen = []
    names: set[str] = set()
    for fields, block in paragraphs:
        patterns = fields.get("Files", "").split()
        if any(p == part or (part.endswith("/") and p.startswith(part)) for p in patterns for part in parts):
            chosen.append(block)
            first = fields.get("License", "").split("\n")[0]
            names |= {n.strip() for n in re.split(r"\bor\b|\band\b|\bwith\b|,", first) if n.strip()}
    for fields, block in paragraphs:
        if "Files" not in fields and fields.get("License", "").split("\n")[0].strip() in names:
            chosen.append(block)
            for common in sorted(set(re.findall(r"/usr/share/common-licenses/[\w.+-]+", block))):
                path = Path(common.rstrip("."))
                if path.is_file():
                    chosen.append(f"{path}:\n\n{_read(path)}")
    return chosen


def _mit_terms() -> list[tuple[str, str]]:
    """The MIT licence's terms (MIT_TERMS), for a component that names the licence without shipping its text."""
    package, name = MIT_TERMS
    for path in _copyright_files(package):
        for fields, block in _paragraphs(_read(path)):
            if "Files" not in fields and fields.get("License", "").split("\n")[0].strip() == name:
                return [(f"the MIT licence's terms, as Debian's {path} words them (License: {name})", block)]
    return []


def _pyodide_wasm() -> bytes:
    return (NODE / "pyodide" / "pyodide.asm.wasm").read_bytes()


def notices() -> Iterator[Notice]:
    """Every third-party component the site ships, found in the installed packages."""
    wasm = (f"{PYODIDE}pyodide.asm.wasm", f"{PYODIDE}pyodide.asm.wasm.xz")
    pyodide = _npm("pyodide")
    mpl = COMMON_LICENSES / str(pyodide["license"])
    yield Notice(
        "Pyodide", pyodide["version"], pyodide["license"], "https://pyodide.org/",
        (f"{PYODIDE}pyodide.mjs", f"{PYODIDE}pyodide.asm.mjs", f"{PYODIDE}pyodide.asm.mjs.xz",
         f"{PYODIDE}pyodide-lock.json", *wasm),
        [(f"{mpl} (the licence's text; the npm package ships none)", _read(mpl))] if mpl.is_file() else [],
        "" if mpl.is_file() else f"{mpl} is not installed on the build machine",
    )  # fmt: skip
    lock = json.loads(_read(NODE / "pyodide" / "pyodide-lock.json"))
    python = lock.get("info", {}).get("python", "?")
    psf = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    yield Notice(
        "CPython (the interpreter in pyodide.asm.wasm and its standard library)", python, "PSF-2.0",
        "https://www.python.org/", (*wasm, f"{PYODIDE}python_stdlib.zip", f"{PYODIDE}python_stdlib.zip.xz"),
        [(f"{psf} (CPython's LICENSE.txt as installed on the build machine)", _read(psf))] if psf.is_file() else [],
        "" if psf.is_file() else "CPython's LICENSE.txt is not installed on the build machine",
    )  # fmt: skip
    binary = _pyodide_wasm()
    platform = lock.get("info", {}).get("platform", "")
    for marker, name, licence, home, debian, parts in WASM_LIBRARIES:
        if marker not in binary:
            continue
        texts = _debian(debian, parts)
        files = (*wasm, f"{PYODIDE}pyodide.asm.mjs", f"{PYODIDE}pyodide.asm.mjs.xz") if "Emscripten" in name else wasm
        missing = ""
        if not texts:
            package = re.sub(r"\\\.\\d\+", ".N", debian)  # python3\.\d+ -> python3.N
            where = f"Debian's copyright of {package}" + (f" for {', '.join(parts)}" if parts else "")
            missing = f"its licence text: no package installed here carries it ({where})"
            if licence == "MIT":
                texts = _mit_terms()
                missing += "; so its authors' own copyright line is missing, and the MIT terms it is under follow"
        version = "as built into Pyodide " + pyodide["version"]
        if "Emscripten" in name and texts:
            # Debian packages an older Emscripten than the one Pyodide is built with; its licences are the same.
            version += f" ({platform}); the texts are those of Debian's Emscripten package"
        yield Notice(name, version, licence, home, files, texts, missing)
    xz = _npm("xz-decompress")
    script = NODE / "xz-decompress" / "dist" / "package" / "xz-decompress.js"
    comment = re.match(r"/\*!(.*?)\*/", _read(script), re.S)
    yield Notice(
        "xz-decompress (xzwasm, xz-embedded, walloc)", xz["version"], xz["license"],
        "https://github.com/httptoolkit/xz-decompress", ("assets/kernel-lab/xz.*.wasm",),
        ([(f"{script}, its opening comment (the package ships no licence file)", comment[1])] if comment else [])
        + (_mit_terms() if comment else []),
        "" if comment else "the package's notice was not found",
    )  # fmt: skip
    material = _dist_info(
        "mkdocs-material", ("assets/javascripts/*", "assets/stylesheets/*", "assets/images/favicon.png"),
        "https://squidfunk.github.io/mkdocs-material/",
    )  # fmt: skip
    material.name += " (the theme; the scripts it bundles keep their authors' notices in the files)"
    yield material
    icons = Path(str(importlib.metadata.distribution("mkdocs-material").locate_file("material/templates/.icons")))
    for folder, name in (("material", "Material Design Icons"), ("fontawesome", "Font Awesome")):
        texts = [(str(p), _read(p)) for p in sorted((icons / folder).glob("LICENSE*"))]
        yield Notice(f"{name} (icons drawn inline in the pages)", "as shipped with mkdocs-material", "see the text",
                     "", ("*.html",), texts, "" if texts else "no licence file found")  # fmt: skip
    for name in ("mkdocstrings", "mkdocstrings-python"):
        yield _dist_info(name, ("assets/_mkdocstrings.*.css",), "https://mkdocstrings.github.io/")
    keras = _dist_info("keras", ("assets/models/applications/*.json.gz",), "https://keras.io/")
    keras.name = "Keras (the keras.applications models' configurations)"
    yield keras


def page_markdown(found: list[Notice]) -> str:
    """The licences page: one section per component, its files, then its licence texts verbatim."""
    out = [
        "---",
        "search:",
        "  exclude: true",  # the licence texts are not what readers search the site for
        "---",
        "",
        "# Licences",
        "",
        "This site runs software written by others in your browser. Each part is listed here with its licence, "
        "the files of this site it covers, and its licence text as its package installs it. The site's own code "
        "is under the MIT licence (the LICENSE file of its repository).",
        "",
    ]
    for n in found:
        out += [
            f"## {n.name}",
            "",
            f"Version {n.version}. Licence: {n.licence}." + (f" Home: <{n.home}>" if n.home else ""),
        ]
        out += ["", "Files in this site: " + ", ".join(f"`{p}`" for p in n.files) + ".", ""]
        if n.missing:
            out += [f"Not found at build time: {n.missing}.", ""]
        for source, text in n.texts:
            fence = "~" * max(4, 1 + max((len(m) for m in re.findall(r"~+", text)), default=0))
            out += [f"From {source}:", "", f"{fence} text", text.rstrip("\n"), fence, ""]
    return "\n".join(out)
