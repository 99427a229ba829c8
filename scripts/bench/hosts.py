"""Static hosts for the browser benchmark: a folder served over HTTP on 127.0.0.1, the way two kinds of real host
serve it, counting the bytes each response puts on the wire.

- ``plain``: sends every file as it is (python's http.server never compresses; nor does a bare bucket);
- ``gzip``: gzips text, JavaScript, JSON, SVG and WebAssembly on the fly when the request's Accept-Encoding allows
  (as many hosts and CDNs do), compressed once per file and kept in memory, as a CDN would.

Both send ``Cache-Control: max-age=600``, as GitHub Pages does, so that a warm visit reads the browser's disk cache
rather than asking the server again.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, cast

__all__ = ["COMPRESSIBLE", "Host", "serve"]

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "image/svg+xml")


class Host:
    """What a running host has sent since the last reset: bytes on the wire (headers and bodies) by path."""

    def __init__(self, url: str, kind: str) -> None:
        self.url = url
        self.kind = kind
        self.sent: dict[str, int] = {}
        self.lock = threading.Lock()

    def count(self, path: str, n: int) -> None:
        with self.lock:
            self.sent[path] = self.sent.get(path, 0) + n

    def reset(self) -> dict[str, int]:
        """The bytes sent by path since the last reset, and start counting afresh."""
        with self.lock:
            sent, self.sent = self.sent, {}
        return sent


class _Handler(http.server.SimpleHTTPRequestHandler):
    host: ClassVar[Host]
    compressed: ClassVar[dict[str, bytes]]

    def log_message(self, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self) -> None:
        # Headers and bodies are counted as written; a gzip host answers compressible files itself.
        stream = getattr(self.wfile, "_stream", self.wfile)  # a kept-alive connection's stream is wrapped already
        self.wfile = cast(Any, _Counting(stream, functools.partial(self.host.count, self.path)))
        path = Path(self.translate_path(self.path))
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if self.host.kind == "gzip" and accepts and path.is_file() and kind.startswith(COMPRESSIBLE):
            key = str(path)
            if key not in self.compressed:
                self.compressed[key] = gzip.compress(path.read_bytes(), 6, mtime=0)
            body = self.compressed[key]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
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
def serve(folder: Path, kind: str) -> Iterator[Host]:
    """Serve ``folder`` from 127.0.0.1 on a free port as a ``kind`` host ("plain" or "gzip")."""

    class Handler(_Handler):
        compressed: ClassVar[dict[str, bytes]] = {}

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    host = Host(f"http://127.0.0.1:{server.server_port}/", kind)
    Handler.host = host
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
