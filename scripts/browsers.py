"""Firefox and WebKit, driven the same way for the engine tests (tests/browser/test_engines.py) and the browser
benchmark (scripts/bench/browser.py --modes engines), and Chromium the same way for that benchmark (Playwright, with
scripts/chromium.py's flags; the Chromium tests use Playwright directly).

- Firefox: Debian's ``firefox-esr`` through npm ``puppeteer-core`` over WebDriver BiDi (scripts/firefox_driver.mjs,
  a Node process speaking JSON lines); headless.
- WebKit: the ``MiniBrowser`` of Debian's WebKitGTK through ``WebKitWebDriver`` (webkit2gtk-driver), plain W3C
  WebDriver over HTTP, under a virtual display of its own (Debian's ``Xvfb``). A proxy for Safari, not Safari.

Both give a :class:`Browser` whose pages (:class:`Page`) navigate, evaluate a JavaScript function's source with
JSON arguments (without eval in the page: the site's CSP refuses eval), wait for a function to return a truthy
value (polled from here), and type real key events into a field. Every process started here is ended by
``close()`` (and by the kernel if this process dies first: they get SIGTERM when their parent ends).
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
FIREFOX = os.environ.get("FIREFOX", shutil.which("firefox-esr") or "/usr/bin/firefox-esr")
FIREFOX_DRIVER = ROOT / "scripts" / "firefox_driver.mjs"
WEBKIT_DRIVER = shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"
ENGINES = ("firefox", "webkit")  # beside Chromium, which every other browser test runs in
# Firefox's background traffic (updates, telemetry, safe browsing, captive portal checks) off: this machine's
# closed network refuses it, and a benchmark must not wait on it.
FIREFOX_PREFS = {
    "app.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
}


def minibrowser() -> str | None:
    """WebKitGTK's MiniBrowser, which Debian's libwebkit2gtk-4.1 package installs outside PATH."""
    found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))
    return os.environ.get("MINIBROWSER", found[0] if found else None)


def missing(engine: str) -> str | None:
    """Why ``engine`` cannot run here (what scripts/setup.sh installs for it), or None."""
    need = {
        "firefox": {"firefox-esr": FIREFOX, "node": shutil.which("node"), "puppeteer-core": _puppeteer()},
        "webkit": {"WebKitWebDriver": WEBKIT_DRIVER, "MiniBrowser": minibrowser(), "Xvfb": XVFB},
    }[engine]
    absent = [name for name, path in need.items() if not path or not Path(path).exists()]
    if absent:
        return f"{engine}: {', '.join(absent)} missing (scripts/setup.sh installs them)"
    return None


def _puppeteer() -> str:
    return str(ROOT / "node_modules" / "puppeteer-core" / "package.json")


def _die_with_parent() -> None:
    """In a child before exec: SIGTERM when the parent ends (Linux prctl PR_SET_PDEATHSIG), so that nothing started
    here outlives the test or the benchmark."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _end(process: subprocess.Popen[Any] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class Page(Protocol):
    def goto(self, url: str) -> None: ...
    def evaluate(self, fn: str, *args: Any) -> Any: ...
    def type(self, text: str) -> None: ...
    def errors(self) -> list[str]: ...
    def close(self) -> None: ...


class Browser(Protocol):
    name: str
    version: str

    def new_page(self) -> Page: ...
    def close(self) -> None: ...


# Polls a function in the page, every EVERY ms for at most MS ms; its first truthy value, or null. The function's
# source is written into this one (the page's CSP refuses eval), and the whole wait is one call to the browser:
# polling from here, one call every 50 ms, slowed Firefox's cold start several times over (each BiDi call costs
# its parent and content processes time; measured: 3.9 s with 1 s between calls, 30 s with 50 ms, loaded machine).
_WAIT = """async (...args) => {
  const f = (FN);
  const end = Date.now() + MS;
  for (;;) {
    const value = await f(...args);
    if (value || Date.now() > end) return value || null;
    await new Promise((resolve) => setTimeout(resolve, EVERY));
  }
}"""


def wait_for(page: Page, fn: str, *args: Any, timeout: float = 60.0, every: float = 0.05) -> Any:
    """Poll ``fn`` (a JavaScript function's source) in ``page``, from within the page, until it returns something
    truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        chunk = max(0.0, min(60.0, deadline - time.monotonic()))  # each call well within the drivers' time limits
        every_ms, chunk_ms = str(round(every * 1000)), str(round(chunk * 1000))
        waiter = _WAIT.replace("MS", chunk_ms).replace("EVERY", every_ms).replace("FN", fn)  # FN last: fn is any text
        value = page.evaluate(waiter, *args)
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"waited {timeout:g} s for {fn}")


def fill(page: Page, selector: str, text: str) -> None:
    """Replace the text of the field ``selector`` by typing ``text`` into it (key events, as a reader types)."""
    page.evaluate("s => { const el = document.querySelector(s); el.focus(); el.select(); }", selector)
    page.type(text)


# --- Firefox ---------------------------------------------------------------------------------------------------


class FirefoxPage:
    def __init__(self, browser: FirefoxBrowser, page_id: int) -> None:
        self._browser = browser
        self._id = page_id

    def goto(self, url: str) -> None:
        self._browser.call("goto", page=self._id, url=url, timeout=120_000)

    def evaluate(self, fn: str, *args: Any) -> Any:
        return self._browser.call("evaluate", page=self._id, fn=fn, args=list(args))

    def type(self, text: str) -> None:
        self._browser.call("type", page=self._id, text=text)

    def errors(self) -> list[str]:
        return list(self._browser.call("errors", page=self._id))

    def close(self) -> None:
        self._browser.call("closePage", page=self._id)


class FirefoxBrowser:
    """A headless firefox-esr with a fresh profile of its own (a disk cache and Cache Storage for its life)."""

    name = "firefox"

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the process's life; closed by close())
        self._process = subprocess.Popen(
            ["node", str(FIREFOX_DRIVER), FIREFOX, json.dumps(FIREFOX_PREFS)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            preexec_fn=_die_with_parent,
        )
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._next = 1
        self.version = str(self._answer(0, 120))

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with contextlib.suppress(ValueError):
                self._answers.put(json.loads(line))
        self._answers.put(None)

    def _answer(self, want: int, timeout: float) -> Any:
        while True:
            try:
                answer = self._answers.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"firefox driver silent for {timeout:g} s") from None
            if answer is None:
                self._stderr.seek(0)
                raise RuntimeError("firefox driver ended: " + self._stderr.read().decode(errors="replace")[-2000:])
            if answer.get("id") == want:
                if "error" in answer:
                    raise RuntimeError(answer["error"])
                return answer.get("value")

    def call(self, op: str, timeout: float = 180, **request: Any) -> Any:
        assert self._process.stdin is not None
        request_id, self._next = self._next, self._next + 1
        self._process.stdin.write(json.dumps({"id": request_id, "op": op, **request}) + "\n")
        self._process.stdin.flush()
        return self._answer(request_id, timeout)

    def new_page(self) -> FirefoxPage:
        return FirefoxPage(self, int(self.call("newPage")))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("quit", timeout=20)
        _end(self._process)
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._stderr.close()


# --- WebKit ----------------------------------------------------------------------------------------------------

# W3C WebDriver's "execute async script": the function's source applied to the JSON arguments; its value, or a
# rejection, handed to the callback WebDriver appends.
_EXECUTE = """
const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
Promise.resolve().then(() => (FN).apply(null, args)).then(
  value => done({ value: value === undefined ? null : value }),
  error => done({ error: String((error && error.stack) || error) }));
"""


class WebKitPage:
    """The session's one window (WebKitWebDriver's MiniBrowser): a new page is a navigation in it."""

    def __init__(self, browser: WebKitBrowser) -> None:
        self._browser = browser

    def goto(self, url: str) -> None:
        self._browser.call("POST", "/url", {"url": url})

    def evaluate(self, fn: str, *args: Any) -> Any:
        script = _EXECUTE.replace("FN", fn)
        answer = self._browser.call("POST", "/execute/async", {"script": script, "args": list(args)})
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["value"]

    def type(self, text: str) -> None:
        # Element Send Keys to the focused element: it keeps the selection that fill() made, so the text replaces it.
        active = self._browser.call("GET", "/element/active")
        element = next(iter(active.values()))
        self._browser.call("POST", f"/element/{element}/value", {"text": text})

    def errors(self) -> list[str]:
        return []  # WebDriver (classic) has no log of the page's errors: the tests' in-page listener reads them

    def close(self) -> None:
        self._browser.call("POST", "/url", {"url": "about:blank"})


class WebKitBrowser:
    """WebKitGTK's MiniBrowser in automation mode on a virtual display of its own; an ephemeral profile (its caches
    and Cache Storage live as long as the session)."""

    name = "webkit"

    def __init__(self) -> None:
        self._xvfb: subprocess.Popen[Any] | None = None
        self._driver: subprocess.Popen[Any] | None = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        read, write = os.pipe()
        self._xvfb = subprocess.Popen(
            [XVFB, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        os.close(write)
        with os.fdopen(read) as displayfd:
            display = displayfd.readline().strip()
        if not display:
            raise RuntimeError("Xvfb did not start")
        self._port = _free_port()
        self._driver = subprocess.Popen(
            [WEBKIT_DRIVER, f"--port={self._port}"],
            env={**os.environ, "DISPLAY": f":{display}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self._port), 0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("WebKitWebDriver did not start")
            time.sleep(0.05)
        options = {"binary": minibrowser(), "args": ["--automation"]}
        capabilities = {"alwaysMatch": {"webkitgtk:browserOptions": options, "pageLoadStrategy": "normal"}}
        session = self._http("POST", "/session", {"capabilities": capabilities})
        self._session = f"/session/{session['sessionId']}"
        self.version = "WebKitGTK " + str(session["capabilities"].get("browserVersion", "?"))
        self.call("POST", "/timeouts", {"script": 120_000, "pageLoad": 120_000})

    def _http(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self._port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=180) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            with error:
                text = error.read().decode(errors="replace")
            raise RuntimeError(f"WebKitWebDriver {method} {path}: {text}") from None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self._http(method, self._session + path, body)

    def new_page(self) -> WebKitPage:
        return WebKitPage(self)

    def close(self) -> None:
        if self._driver is not None and getattr(self, "_session", None):
            with contextlib.suppress(Exception):
                self._http("DELETE", self._session)
        _end(self._driver)
        _end(self._xvfb)


# --- Chromium ----------------------------------------------------------------------------------------------------


class ChromiumPage:
    def __init__(self, page: Any) -> None:
        self._page = page
        self._errors: list[str] = []
        page.on("pageerror", lambda e: self._errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: self._errors.append(f"console: {m.text}") if m.type == "error" else None)

    def goto(self, url: str) -> None:
        self._page.goto(url, timeout=120_000)

    def evaluate(self, fn: str, *args: Any) -> Any:
        return self._page.evaluate(f"args => ({fn})(...args)", list(args))

    def type(self, text: str) -> None:
        self._page.keyboard.type(text)

    def errors(self) -> list[str]:
        errors, self._errors = self._errors, []
        return errors

    def close(self) -> None:
        self._page.close()


class ChromiumBrowser:
    """Debian's Chromium (scripts/chromium.py) through Playwright, headless, with a fresh persistent profile (a disk
    cache and Cache Storage, as a reader's browser has)."""

    name = "chromium"

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

        self._profile = tempfile.TemporaryDirectory()
        self._playwright = sync_playwright().start()
        try:
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile.name, executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        except BaseException:
            self._playwright.stop()
            raise
        self.version = "Chromium " + str(self._context.browser.version if self._context.browser else "?")

    def new_page(self) -> ChromiumPage:
        return ChromiumPage(self._context.new_page())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._context.close()
        self._playwright.stop()
        self._profile.cleanup()


def launch(engine: str) -> Browser:
    """A fresh ``engine`` ("chromium", "firefox" or "webkit") with an empty profile."""
    if engine == "chromium":
        return ChromiumBrowser()
    return FirefoxBrowser() if engine == "firefox" else WebKitBrowser()


@contextlib.contextmanager
def launched(engine: str) -> Iterator[Browser]:
    browser = launch(engine)
    try:
        yield browser
    finally:
        browser.close()
