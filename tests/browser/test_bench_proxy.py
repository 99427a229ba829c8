"""The throttling proxy of the browser benchmark and the engine tests (scripts/bench/proxy.py): it limits the bytes
per second of all its connections together, adds the latency to each response, puts the injected text after
<head> of HTML pages only, answers its own files, passes revalidation through, and stops by itself."""

from __future__ import annotations

import functools
import http.server
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from scripts.bench.proxy import proxy


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    top = tmp_path_factory.mktemp("upstream")
    (top / "big.bin").write_bytes(b"x" * 200_000)
    (top / "index.html").write_text("<!doctype html><html><head><title>t</title></head><body>&lt;head&gt;</body>")
    (top / "data.js").write_text("const s = '<head>';")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(top)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def get(url: str, **headers: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_the_rate_is_shared_by_all_connections_and_each_response_waits_the_latency(upstream: str) -> None:
    with proxy(upstream, rate=1e6, latency=150) as running:
        t0 = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            bodies = list(pool.map(lambda _: get(running.url + "big.bin")[1], range(2)))
        took = time.monotonic() - t0
        assert bodies == [b"x" * 200_000] * 2
        # 400 kB at 1 MB/s over one link, after 150 ms: at least 0.55 s (each alone at full rate would take 0.35 s).
        assert took >= 0.53, took
        assert running.reset() == 400_000
    with proxy(upstream) as running:  # no limits: the same transfer takes a fraction of that
        t0 = time.monotonic()
        assert get(running.url + "big.bin")[1] == b"x" * 200_000
        assert time.monotonic() - t0 < 0.3


def test_injection_goes_into_html_heads_only_and_the_proxy_answers_its_own_files(upstream: str) -> None:
    tag = b'<script src="/probe.js"></script>'
    with proxy(upstream, inject=tag, files={"/probe.js": ("text/javascript", b"window.p = 1;")}) as running:
        status, page = get(running.url + "index.html")
        assert status == 200 and page.startswith(b"<!doctype html><html><head>" + tag + b"<title>")
        assert page.count(tag) == 1
        assert get(running.url + "data.js")[1] == b"const s = '<head>';"
        assert get(running.url + "probe.js") == (200, b"window.p = 1;")
        assert get(running.url + "missing")[0] == 404


def test_revalidation_is_answered_by_the_upstream(upstream: str) -> None:
    with proxy(upstream) as running, urllib.request.urlopen(running.url + "big.bin", timeout=10) as first:
        modified = first.headers["Last-Modified"]
        first.read()
        assert get(running.url + "big.bin", **{"If-Modified-Since": modified})[0] == 304


def test_the_proxy_stops_by_itself(upstream: str) -> None:
    with proxy(upstream, seconds=0.3) as running:
        assert get(running.url + "data.js")[0] == 200
        time.sleep(0.8)
        with pytest.raises((urllib.error.URLError, TimeoutError, ConnectionError)):
            urllib.request.urlopen(running.url + "data.js", timeout=1).read()
