"""The browser benchmark's ``engines`` mode (scripts/bench/browser.py --modes engines): the one-layer page in
Chromium, Firefox and WebKit (scripts/browsers.py), side by side, cold and warm, on localhost and through a
throttling proxy (scripts/bench/proxy.py: 20 Mbit/s, 40 ms, as the network mode's first profile; the same proxy for
the three engines, so they are compared on one network).

Each run, for each network, each engine in turn (the machine's load falls on all alike) gets a fresh browser and
profile: a cold visit (ready: navigation start to the worker's first recomputed result, the page's ``kl-ready``
mark), the memory snapshot it makes once idle, then a warm visit in a new page. Recorded besides, to see where an
engine's time goes: the worker's milestones (``window.klWorkerTimings``: worker running, Python booted, the site's
Python imported, first answer), and on localhost two bare pages: one that fetches this build's uncompressed
``pyodide.asm.wasm`` and compiles it (WebAssembly.compile), and the pages mode's floor (Pyodide alone from its
uncompressed files). Goal: each engine's median cold and warm ready within GOAL_RATIO of Chromium's in the same run.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scripts.bench.hosts import serve
from scripts.bench.proxy import proxy
from scripts.bench.summary import value_summary
from scripts.browsers import launched, missing, wait_for

ENGINES = ("chromium", "firefox", "webkit")
PAGE = "layer/"
GOAL_RATIO = 2.0
# The network mode's first profile (Chromium's emulation there), here through the proxy: bytes per second and ms.
NETWORKS: dict[str, dict[str, float] | None] = {
    "localhost": None,
    "20 Mbit/s, 40 ms": {"rate": 2.5e6, "latency": 40},
}
# A cold visit's milestones, in order (the page's paint and kl-worker-start mark, then the worker's own:
# website/assets/python-worker.mjs), and what the time up to each is.
STAGES = {
    "paint": "first contentful paint",
    "start": "the page starts the worker",
    "worker": "the worker's script runs",
    "python": "Python booted (runtime fetched, decoded, compiled, started; or restored from the snapshot)",
    "calc": "the site's Python imported",
    "queued": "first answer",
}

COMPILE = "_wasm-compile/"
COMPILE_PAGE = """<!doctype html><title>Compile the runtime</title><script>
new Worker("compile.mjs#" + performance.timeOrigin, { type: "module" }).onmessage = (e) => {
  window.klCompile = e.data;
};
</script>
"""
COMPILE_WORKER = """const ORIGIN = Number(location.hash.slice(1)) || performance.timeOrigin;
const at = () => Math.round(performance.timeOrigin + performance.now() - ORIGIN);
const started = at();
const bytes = await (await fetch("../assets/kernel-lab/FOLDER/pyodide.asm.wasm")).arrayBuffer();
const fetched = at();
await WebAssembly.compile(bytes);
self.postMessage({ worker: started, fetch: fetched - started, compile: at() - fetched, bytes: bytes.byteLength });
"""

SETTLED = "() => ['ready', 'error'].includes(document.querySelector('[data-calc]').dataset.state)"
VISIT = """() => {
  const at = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
  const timings = Object.assign({}, window.klWorkerTimings, { paint: at("first-contentful-paint"),
    start: at("kl-worker-start") });
  return { ms: at("kl-ready"), timings, idle: typeof requestIdleCallback };
}"""


def add_compile_page(site: Path) -> None:
    (folder,) = (site / "assets" / "kernel-lab" / "pyodide").iterdir()
    (site / COMPILE).mkdir()
    (site / COMPILE / "index.html").write_text(COMPILE_PAGE)
    (site / COMPILE / "compile.mjs").write_text(COMPILE_WORKER.replace("FOLDER", f"pyodide/{folder.name}"))


def visit(browser: Any, url: str) -> tuple[Any, dict[str, Any]]:
    page = browser.new_page()
    page.goto(url)
    page.evaluate("() => document.querySelector('[data-calc]').scrollIntoView()")
    try:
        wait_for(page, SETTLED, timeout=240)
    except TimeoutError:
        raise TimeoutError(f"{url}: not ready after 240 s") from None
    state = page.evaluate("() => [document.querySelector('[data-calc]').dataset.state, document.body.innerText]")
    if state[0] != "ready":
        raise RuntimeError(f"{url}: calculator {state[0]}: {state[1][:300]!r}")
    result: dict[str, Any] = page.evaluate(VISIT)
    return page, result


def probes(browser: Any, base: str, floor: str) -> dict[str, Any]:
    """The compile probe and the floor, each in a new page of ``browser``."""
    page = browser.new_page()
    page.goto(base + COMPILE)
    compiled = dict(wait_for(page, "() => window.klCompile", timeout=240))
    page.close()
    page = browser.new_page()
    page.goto(base + floor)
    wait_for(page, "() => document.documentElement.dataset.state === 'ready'", timeout=240)
    compiled["floor"] = page.evaluate("() => performance.getEntriesByName('kl-ready')[0].startTime")
    page.close()
    return compiled


def runtime_files(by_path: dict[str, int]) -> dict[str, int]:
    """The bytes sent of each runtime file (Pyodide's, python.zip, the decoder; NAME or NAME.xz), by file name
    without its folder or query: how often an engine fetched each (its size once, twice, ...)."""
    out: dict[str, int] = {}
    for path, sent in by_path.items():
        name = path.split("?")[0].rsplit("/", 1)[-1]
        if "/pyodide/" in path or name.endswith((".xz", ".wasm", ".zip")):
            out[name] = out.get(name, 0) + sent
    return dict(sorted(out.items()))


def engine_run(engine: str, base: str, counter: Any, floor: str | None) -> dict[str, Any]:
    """A fresh ``engine``: cold visit, the snapshot, warm visit (and on localhost the probes)."""
    with launched(engine) as browser:
        counter.reset()
        page, cold = visit(browser, base + PAGE)
        ready_files = runtime_files(counter.files())
        made = None
        if cold["timings"].get("makeSnapshot"):
            made = wait_for(page, "() => window.klSnapshot", timeout=240)
        cold_files = runtime_files(counter.files())
        cold_bytes = counter.reset()
        page.close()
        page, warm = visit(browser, base + PAGE)
        page.close()
        out = {
            "version": browser.version,
            "cold_ms": cold["ms"],
            "warm_ms": warm["ms"],
            "cold_bytes": cold_bytes,
            "warm_bytes": counter.reset(),
            "ready_files": ready_files,  # runtime bytes by file when the page was ready
            "cold_files": cold_files,  # and once the snapshot was made
            "cold": cold["timings"],
            "warm": warm["timings"],
            "requestIdleCallback": cold["idle"] != "undefined",
            "snapshot": made,
        }
        if floor:
            out["probes"] = probes(browser, base, floor)
    return out


class _Bytes:
    """Counts nothing: on localhost the host counts (hosts.Host.reset sums its paths)."""

    def __init__(self, host: Any) -> None:
        self.host = host

    def files(self) -> dict[str, int]:
        return dict(self.host.files())

    def reset(self) -> int:
        return int(sum(self.host.reset().values()))


@contextlib.contextmanager
def _front(host: Any, network: dict[str, float] | None) -> Iterator[tuple[str, Any]]:
    if network is None:
        yield host.url, _Bytes(host)
        return
    with proxy(host.url.rstrip("/"), rate=network["rate"], latency=network["latency"], seconds=7200) as front:
        yield front.url, front


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One engine on one network: medians and spreads of every figure."""
    out: dict[str, Any] = {"version": runs[0]["version"], "requestIdleCallback": runs[0]["requestIdleCallback"]}
    for key in ("cold_ms", "warm_ms", "cold_bytes", "warm_bytes"):
        out[key] = value_summary([r[key] for r in runs])
    for key in ("ready_files", "cold_files"):  # median bytes of each runtime file
        names = sorted({name for r in runs for name in r.get(key, {})})
        out[key] = {name: value_summary([r.get(key, {}).get(name, 0) for r in runs])["median"] for name in names}
    out["boot"] = sorted({f"{r['cold'].get('boot')}, then {r['warm'].get('boot')}" for r in runs})
    for visit_kind in ("cold", "warm"):
        stages = {}
        for stage in STAGES:
            values = [r[visit_kind][stage] for r in runs if isinstance(r[visit_kind].get(stage), int | float)]
            if values:
                stages[stage] = value_summary(values)
        out[f"{visit_kind}_stages"] = stages
    # Each compressed file a cold visit decoded: from its response to its end, and the decoder's own time.
    decoded: dict[str, Any] = {}
    for name in sorted({n for r in runs for n in r["cold"].get("decoded") or {}}):
        stats = [r["cold"]["decoded"][name] for r in runs if name in (r["cold"].get("decoded") or {})]
        done = [s for s in stats if s.get("end")]
        if done:
            decoded[name] = {
                "wall_ms": value_summary([round(s["end"] - s["start"]) for s in done]),
                "decoding_ms": value_summary([round(s["ms"]) for s in done]),
            }
    if decoded:
        out["cold_decoded"] = decoded
    made = [r["snapshot"]["ms"] for r in runs if r["snapshot"] and r["snapshot"].get("made")]
    out["snapshots_made"] = f"{len(made)} of {len(runs)}"
    if made:
        out["snapshot_ms"] = value_summary(made)
    if all("probes" in r for r in runs):
        out["probes"] = {k: value_summary([r["probes"][k] for r in runs]) for k in ("fetch", "compile", "floor")}
    return out


def measure_engines(
    build: Any, config: str, runs: int, add_floor_page: Any, floor: str, after_run: Any = None
) -> dict[str, Any]:
    """``runs`` rounds of every engine on every network; ``build(dest, url, variant, config)`` builds the site;
    ``after_run(figures)``, if given, gets the figures of the rounds done so far after each round (the benchmark
    writes them, so that a long measurement cut short keeps its finished rounds)."""
    engines = [e for e in ENGINES if e == "chromium" or not missing(e)]
    absent = {e: missing(e) for e in ENGINES if e not in engines}
    raw: dict[str, dict[str, list[dict[str, Any]]]] = {n: {e: [] for e in engines} for n in NETWORKS}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        with serve(site, "plain", "headers") as host:
            build(site, host.url, "site", config)
            add_floor_page(site)
            add_compile_page(site)
            for run in range(runs):
                for label, network in NETWORKS.items():
                    with _front(host, network) as (base, counter):
                        for engine in engines:
                            r = engine_run(engine, base, counter, floor if network is None else None)
                            raw[label][engine].append(r)
                            print(
                                f"engines run {run + 1}/{runs}, {label}, {engine}: cold {r['cold_ms']:.0f} ms, "
                                f"warm {r['warm_ms']:.0f} ms ({r['cold'].get('boot')}, then {r['warm'].get('boot')}); "
                                f"cold {r['cold_bytes'] / 1e6:.2f} MB, runtime files {r['cold_files']}",
                                flush=True,
                            )
                if after_run is not None:
                    after_run(_figures(raw, run + 1, absent))
    return _figures(raw, runs, absent)


def _figures(raw: dict[str, dict[str, list[dict[str, Any]]]], runs: int, absent: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, by_engine in raw.items():
        results[label] = {e: summarize(rs) for e, rs in by_engine.items() if rs}
        for engine, r in results[label].items():
            print(f"  {label:18} {engine:8} cold {r['cold_ms']['median']:7.0f}  warm {r['warm_ms']['median']:7.0f}")
    return {
        "runs": runs,
        "page": PAGE,
        "goal_ratio": GOAL_RATIO,
        "networks": NETWORKS,
        "stages": STAGES,
        "absent": absent,
        "results": results,
    }
