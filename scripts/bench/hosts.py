"""Static hosts for the browser benchmark: a folder served over HTTP on 127.0.0.1, the way two kinds of real host
serve it, counting the bytes each response puts on the wire.

- ``plain``: sends every file as it is (python's http.server never compresses; nor does a bare bucket);
- ``gzip``: gzips text, JavaScript, JSON, SVG and WebAssembly on the fly when the request's Accept-Encoding allows
  (as many hosts and CDNs do), compressed once per file and kept in memory, as a CDN would.

Either sends one of three cache policies (``CACHE``):

- ``short``: ``Cache-Control: max-age=600`` on every file, as GitHub Pages does: a visit within ten minutes reads
  the browser's disk cache without asking the server;
- ``revalidate``: ``Cache-Control: no-cache`` on every file: each is asked for again on every visit and answered
  ``304 Not Modified`` (one round trip each), as on any host once its max-age has run out, or on one that sends no
  cache headers for files it has just deployed (browsers then guess a freshness of a tenth of the file's age);
- ``headers``: what Netlify and Cloudflare Pages send: the rules of the site's own ``_headers`` file
  (kernel_lab_mkdocs/headers.py writes it: ``immutable`` for the files whose names carry a hash of their content), and
  ``public, max-age=0, must-revalidate`` for every other file (those hosts' default).
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, cast

__all__ = ["CACHE", "COMPRESSIBLE", "Host", "header_rules", "serve"]

CACHE = ("short", "revalidate", "headers")
HOST_DEFAULT = "public, max-age=0, must-revalidate"  # Netlify's and Cloudflare Pages' Cache-Control
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "image/svg+xml")


class Host:
    """What a running host has sent since the last reset: bytes on the wire (headers and bodies) by path."""

    def __init__(self, url: str, kind: str, cache: str = "short") -> None:
        self.url = url
        self.kind = kind
        self.cache = cache
        self.folder: Path | None = None  # what it serves
        self.sent: dict[str, int] = {}
        self.statuses: dict[str, list[int]] = {}
        self.lock = threading.Lock()

    def count(self, path: str, n: int) -> None:
        with self.lock:
            self.sent[path] = self.sent.get(path, 0) + n

    def status(self, path: str, code: int) -> None:
        with self.lock:
            self.statuses.setdefault(path, []).append(code)

    def reset(self) -> dict[str, int]:
        """The bytes sent by path since the last reset, and start counting afresh (the statuses too)."""
        with self.lock:
            sent, self.sent, self.statuses = self.sent, {}, {}
        return sent

    def files(self) -> dict[str, int]:
        """The bytes sent by path since the last reset (still counting)."""
        with self.lock:
            return dict(self.sent)

    def answered(self) -> dict[str, list[int]]:
        """The status codes answered by path since the last reset."""
        with self.lock:
            return {path: list(codes) for path, codes in self.statuses.items()}


def header_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """A ``_headers`` file (Netlify / Cloudflare Pages syntax: a path line, then indented ``Name: value`` lines)
    as (path, headers) pairs; ``*`` in a path matches any characters."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        elif rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def _matches(pattern: str, path: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern.replace("[", "[[]"))


class _Handler(http.server.SimpleHTTPRequestHandler):
    host: ClassVar[Host]
    compressed: ClassVar[dict[str, bytes]]

    def log_message(self, *args: Any) -> None:
        pass

    rules: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def send_response(self, code: int, message: str | None = None) -> None:
        self.host.status(self.path, code)
        super().send_response(code, message)

    def end_headers(self) -> None:
        if self.host.cache == "short":
            self.send_header("Cache-Control", "max-age=600")
        elif self.host.cache == "revalidate":
            self.send_header("Cache-Control", "no-cache")
        else:
            path = self.path.split("?")[0]
            headers = {"Cache-Control": HOST_DEFAULT}
            for pattern, extra in self.rules:
                if _matches(pattern, path):
                    headers |= extra
            for name, value in headers.items():
                self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        # Headers and bodies are counted as written; a gzip host answers compressible files itself.
        stream = getattr(self.wfile, "_stream", self.wfile)  # a kept-alive connection's stream is wrapped already
        self.wfile = cast(Any, _Counting(stream, functools.partial(self.host.count, self.path)))
        path = Path(self.translate_path(self.path))
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if self.host.kind == "gzip" and accepts and path.is_file() and kind.startswith(COMPRESSIBLE):
            modified = self.date_time_string(int(path.stat().st_mtime))
            if self.headers.get("If-Modified-Since") == modified:  # as http.server answers uncompressed files
                self.send_response(304)
                self.end_headers()
                return
            key = str(path)
            if key not in self.compressed:
                self.compressed[key] = gzip.compress(path.read_bytes(), 6, mtime=0)
            body = self.compressed[key]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


class _Counting:
    """A write-through wrapper of the response stream that counts what is written."""

    def __init__(self, stream: Any, count: Any) -> None:
        self._stream = stream
        self._count = count

    def write(self, data: bytes) -> int:
        self._count(len(data))
        return int(self._stream.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def serve(folder: Path, kind: str, cache: str = "short") -> Iterator[Host]:
    """Serve ``folder`` from 127.0.0.1 on a free port as a ``kind`` host ("plain" or "gzip") with a ``cache``
    policy (one of CACHE; ``headers`` reads ``folder/_headers`` when the first request comes, as the site may be
    built after the host has started)."""

    class Handler(_Handler):
        compressed: ClassVar[dict[str, bytes]] = {}

        def do_GET(self) -> None:
            if cache == "headers" and not Handler.rules and (folder / "_headers").exists():
                Handler.rules = header_rules((folder / "_headers").read_text())
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    host = Host(f"http://127.0.0.1:{server.server_port}/", kind, cache)
    host.folder = folder
    Handler.host = host
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
