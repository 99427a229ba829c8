"""A reverse proxy on 127.0.0.1 in front of a local host (scripts/bench/hosts.py, or the tests' server), for the
browsers that have no network emulation of their own (Firefox and WebKit; Chromium too, for an equal comparison):

- ``rate`` (bytes per second) and ``latency`` (ms): each response waits ``latency`` before its status line (as
  Chromium's Network.emulateNetworkConditions adds latency to each request), then its body goes out in 16 KiB
  pieces through one token bucket shared by every connection (one link, as a reader's line is one);
- ``inject``: bytes put right after ``<head>`` of every uncompressed HTML response (the engine tests put a
  same-origin ``<script src>`` there, which runs before anything of the page and which the site's
  ``script-src 'self'`` allows); ``files``: paths the proxy answers itself (that script).

Requests go to the upstream as they came (conditional headers included, so revalidation is the upstream's to
answer); responses come back whole (status, headers, body). Bounded: it serves at most ``seconds`` and then stops
by itself (the context manager stops it earlier); run alone, it is the same:

    .venv/bin/python -m scripts.bench.proxy http://127.0.0.1:8000 --rate 2.5e6 --latency 40 --seconds 600
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.server
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any, ClassVar

__all__ = ["Link", "Proxy", "proxy"]

PIECE = 16 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class Link:
    """One throttled link: ``rate`` bytes per second shared by everything sent through it (None: no limit)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._free_at = 0.0
        self._lock = threading.Lock()

    def send(self, write: Any, data: bytes) -> None:
        for start in range(0, len(data), PIECE):
            piece = data[start : start + PIECE]
            if self.rate:
                with self._lock:
                    begin = max(time.monotonic(), self._free_at)
                    self._free_at = begin + len(piece) / self.rate
                    until = self._free_at
                time.sleep(max(0.0, until - time.monotonic()))
            write(piece)


class Proxy:
    """A running proxy: its URL (the upstream's paths under it) and the bytes of response bodies it sent since the
    last reset, in all and by path."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sent = 0
        self.by_path: dict[str, int] = {}
        self.lock = threading.Lock()

    def count(self, n: int, path: str = "") -> None:
        with self.lock:
            self.sent += n
            self.by_path[path] = self.by_path.get(path, 0) + n

    def files(self) -> dict[str, int]:
        """The bytes sent by path since the last reset."""
        with self.lock:
            return dict(self.by_path)

    def reset(self) -> int:
        with self.lock:
            sent, self.sent, self.by_path = self.sent, 0, {}
        return sent


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: ClassVar[urllib.parse.SplitResult]
    link: ClassVar[Link]
    latency: ClassVar[float]
    inject: ClassVar[bytes]
    files: ClassVar[dict[str, tuple[str, bytes]]]
    proxy: ClassVar[Proxy]

    def log_message(self, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        if self.path in self.files:
            kind, own = self.files[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(own)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(own)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        connection = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=60)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status, reason, upstream_headers = response.status, response.reason, response.getheaders()
        finally:
            connection.close()
        names = {k.lower(): v for k, v in upstream_headers}
        html = names.get("content-type", "").startswith("text/html") and "content-encoding" not in names
        if self.inject and html and b"<head>" in data:
            data = data.replace(b"<head>", b"<head>" + self.inject, 1)
        if self.latency:
            time.sleep(self.latency / 1000)
        self.send_response(status, reason)
        for name, value in upstream_headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        self.send_header("Content-Length", str(len(data) if not no_body else names.get("content-length", 0)))
        self.end_headers()
        if not no_body:
            self.proxy.count(len(data), self.path)  # before sending: once a client has it all, the count says so
            self.link.send(self.wfile.write, data)

    do_GET = do_HEAD = do_POST = _forward


@contextlib.contextmanager
def proxy(
    upstream: str,
    rate: float | None = None,
    latency: float = 0,
    inject: bytes = b"",
    files: dict[str, tuple[str, bytes]] | None = None,
    seconds: float = 1800,
) -> Iterator[Proxy]:
    """A proxy in front of ``upstream`` (``http://127.0.0.1:PORT``) on a free port; it stops after ``seconds``.
    ``files``: {path: (content type, body)} answered by the proxy itself."""

    class Handler(_Handler):
        pass

    Handler.upstream = urllib.parse.urlsplit(upstream)
    Handler.link = Link(rate)
    Handler.latency = latency
    Handler.inject = inject
    Handler.files = dict(files or {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    running = Proxy(f"http://127.0.0.1:{server.server_port}/")
    Handler.proxy = running
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    timer = threading.Timer(seconds, server.shutdown)  # bounded: stops by itself
    timer.daemon = True
    timer.start()
    try:
        yield running
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("upstream")
    parser.add_argument("--rate", type=float, default=None, help="bytes per second (default: no limit)")
    parser.add_argument("--latency", type=float, default=0, help="ms added before each response")
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long")
    args = parser.parse_args()
    with proxy(args.upstream, args.rate, args.latency, seconds=args.seconds) as running:
        print(f"proxy: {running.url} -> {args.upstream} for {args.seconds:g} s", flush=True)
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
