"""Browser benchmark of the site's calculators: headless Chromium, site served from 127.0.0.1.

Builds the site in up to three variants: "site" (as deployed: precompiled, trimmed standard library, large
files compressed with xz, a memory snapshot made by the browser for later visits, the worker started by
the page's head after the first paint (at once on a warm visit), the theme's scripts split into short tasks and
run after the first paint), "stock_theme" (the
same with the theme's scripts as Material ships them, see kernel_lab_mkdocs/theme_patch.py) and "plain" (Pyodide's own
files, the baseline). Three modes (all by default):

``localhost``: the variants taking turns over several runs, each run in a fresh browser context (cold HTTP cache):

- static_paint_ms: first contentful paint of a calculator page (its result is in the HTML);
- interactive_ms: navigation start to the worker's first recomputed result (data-state="ready");
- interactive_warm_ms: the same on a reload with the HTTP cache warm;
- second_page_ms: click to a second calculator page (instant navigation) until its first recomputed result;
- longest_task_ms: the longest main-thread task until ready (Chromium reports tasks of 50 ms and more;
  0 means none reached 50 ms); longest_task_home_ms: the same on the home page, which has no calculator
  (the theme's own scripts);
- roundtrip_layer_ms / roundtrip_compare_ms: input event to updated result, in the page and laid out (the
  paint that follows is not counted), on the one-layer and the kernel-comparison calculators, changing filters
  (the one-layer calculator's drawing does not depend on them: it is drawn once, kernel_lab/diagram.py);
- roundtrip_layer_kernel_ms: the one-layer calculator changing the kernel's height, to a new one each time (so
  that its drawing is made again each time);
- roundtrip_effective_ms: the effective-field calculator on a chain of 20 layers (its largest);
- roundtrip_analyzer_ms: the analyzer on keras.applications.InceptionResNetV2's JSON (made with Keras), its
  input size changed between 299 and 331 (every figure of its table changes);
- python_*_ms: the part of each round trip spent in Python, inside the worker.

``network``: "site" and "plain" served by two kinds of host (scripts/bench/hosts.py: one that compresses
nothing, one that gzips text, JavaScript, JSON and WebAssembly on the fly), both sending the site's _headers
(hashed names kept for a year), and by one that compresses nothing and has every file asked for again (HOSTS),
under Chromium's network emulation
(each profile of NETWORK_PROFILES), each run in a fresh persistent profile (a disk cache and Cache Storage, as a
reader's browser has): the one-layer page ready, cold; the bytes the host sent for that visit, including what
the page does once idle (the memory snapshot made in the browser, the search index); then the same page in a
new tab of that profile (warm), its time and bytes.

``pages``: every calculator page of "site", cold, on localhost (no emulation), each in a fresh context; and, in
turn with them, a bare page that only starts this build's Pyodide (FLOOR: the least time a normal start takes).

``engines``: the one-layer page of "site" in Chromium, Firefox and WebKit side by side, cold and warm, on
localhost and through a throttling proxy (scripts/bench/browsers.py; not in the default modes: it needs Debian's
firefox-esr, webkit2gtk-driver and xvfb, which scripts/setup.sh installs).

Writes medians, spreads and every value to benchmarks/browser.json (a mode run alone replaces only its own part),
shown on the authors' page Runtime and speed.

    .venv/bin/python -m scripts.bench.browser [--modes localhost,network,pages,engines] [--runs 7] [--network-runs 3]
        [--engine-runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kernel_lab_mkdocs import theme_patch
from scripts.bench.browsers import measure_engines
from scripts.bench.hosts import serve
from scripts.bench.summary import value_summary
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS
from scripts.examples import machine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "browser.json"
NETWORK_PROFILES = {
    # Chrome DevTools Protocol Network.emulateNetworkConditions: bytes per second, round-trip latency in ms.
    "20 Mbit/s, 40 ms": {"downloadThroughput": 2.5e6, "uploadThroughput": 2.5e6, "latency": 40},
    "4 Mbit/s, 150 ms": {"downloadThroughput": 0.5e6, "uploadThroughput": 0.5e6, "latency": 150},
}
# The hosts of the network mode: (kind, cache policy), scripts/bench/hosts.py. Both kinds apply the site's
# _headers (hashed names kept for a year, as Netlify and Cloudflare Pages do); "plain-revalidate" asks for every
# file again on the warm visit (a host that sends no cache headers, or any host once its max-age has run out), on
# the first network profile only.
HOSTS = {"plain": ("plain", "headers"), "gzip": ("gzip", "headers"), "plain-revalidate": ("plain", "revalidate")}
NETWORK_GOALS = {"cold_bytes": 6e6, "cold_ms": 3000, "warm_ms": 600}  # the first profile, host without compression
PAGE_GOAL_MS = 1000
CALC_PAGES = ("layer/", "receptive-field/", "effective-field/", "compare/", "inception/", "analyzer/")
GOALS = {
    "static_paint_ms": 200,
    "interactive_ms": 1000,
    "second_page_ms": 100,
    "longest_task_ms": 50,
    "roundtrip_layer_ms": 16,
    "roundtrip_compare_ms": 16,
    "roundtrip_effective_ms": 16,
    "roundtrip_analyzer_ms": 100,
}
READY = '[data-calc][data-state="ready"]'

# Injected before any page script: long tasks from the start of the load.
INIT = """
window.__klLong = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__klLong.push(e.duration); })
  .observe({type: "longtask", buffered: true});
"""

# Change one input and wait for the result; resolves to the round trip in ms.
ROUNDTRIP = """
async ([selector, value]) => {
  const root = document.querySelector("[data-calc]");
  const el = root.querySelector(selector);
  const done = new Promise(resolve => root.addEventListener("kl:result", resolve, {once: true}));
  const t0 = performance.now();
  el.value = value;
  el.dispatchEvent(new Event("input", {bubbles: true}));
  await done;  // the new result is in the DOM
  document.documentElement.getBoundingClientRect();  // and laid out, whether or not the page asked for its layout
  return [performance.now() - t0, Number(root.dataset.computeMs)];
}
"""

# Click a nav link (instant navigation) and wait for that page's calculator to be ready.
NAVIGATE = """
async (href) => {
  const before = performance.getEntriesByName("kl-ready").length;
  const t0 = performance.now();
  document.querySelector(`a.md-nav__link[href$="${href}"]`).click();
  while (performance.getEntriesByName("kl-ready").length === before) await new Promise(r => setTimeout(r, 2));
  return performance.getEntriesByName("kl-ready").at(-1).startTime - t0;
}
"""


VARIANT_ENV = {
    "site": {},
    "stock_theme": {"KERNEL_LAB_THEME_PATCH": "false"},  # mkdocs.yml binds these to the plugins' options
    "plain": {"KERNEL_LAB_RUNTIME": "plain"},
    # The theme patch without one of its edits (kernel_lab_mkdocs/theme_patch.py EDITS), for --variants ... --out
    # benchmarks/theme_edits.json: what each edit buys.
    **{f"theme_without_{name}": {"KERNEL_LAB_THEME_SKIP": name} for name in theme_patch.EDITS},
}


def build(dest: Path, url: str, variant: str, config: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KERNEL_LAB_SITE_URL": url, **VARIANT_ENV[variant]}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", config, "-d", str(dest)]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def inception_resnet_v2_json() -> str:
    """keras.applications.InceptionResNetV2 (weights=None) as JSON, made once with Keras and cached in build/."""
    cache = ROOT / "build" / "bench" / "inception_resnet_v2.json"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        code = (
            "import json, sys, keras; m = keras.applications.InceptionResNetV2(weights=None); "
            "open(sys.argv[1], 'w').write(m.to_json())"
        )
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        subprocess.run([sys.executable, "-c", code, str(cache)], check=True, env=env)
    return cache.read_text()


def one_run(browser: Any, base: str, model_json: str, roundtrips: int) -> dict[str, Any]:
    # Control: the home page has no calculator, so its longest task is the theme's alone.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(INIT)
    page.goto(base)
    page.wait_for_load_state("networkidle")
    home_longest = page.evaluate("() => Math.max(0, ...window.__klLong)")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.add_init_script(INIT)
    page.goto(base + "layer/")
    page.wait_for_selector(READY)
    r: dict[str, Any] = page.evaluate(
        """() => ({
            static_paint_ms: performance.getEntriesByName("first-contentful-paint")[0].startTime,
            interactive_ms: performance.getEntriesByName("kl-ready")[0].startTime,
            longest_task_ms: Math.max(0, ...window.__klLong),
            boot: (window.klWorkerTimings || {}).boot,
        })"""
    )
    r["longest_task_home_ms"] = home_longest
    values = ["32", "64"]

    def roundtrips_of(selector: str, choices: list[str], n: int, prefix: str) -> None:
        pairs = [page.evaluate(ROUNDTRIP, [selector, choices[i % len(choices)]]) for i in range(n)]
        r[f"roundtrip_{prefix}_ms"] = [total for total, _ in pairs]
        r[f"python_{prefix}_ms"] = [python for _, python in pairs]

    roundtrips_of('[name="filters"]', values, roundtrips, "layer")
    # A kernel height not seen before each time, so that the drawing is made again each time.
    roundtrips_of('[name="kernel_height"]', [str(k) for k in range(2, 2 + roundtrips)], roundtrips, "layer_kernel")
    r["second_page_ms"] = page.evaluate(NAVIGATE, "compare/")
    page.locator("[data-calc]").scroll_into_view_if_needed()
    roundtrips_of('[name="filters"]', values, roundtrips, "compare")
    # Its calculator is at the foot of the page: navigate, bring it into view, wait for its first answer.
    page.evaluate("href => document.querySelector(`a.md-nav__link[href$='${href}']`).click()", "effective-field/")
    page.wait_for_url("**/effective-field/")
    page.locator('[data-calc="effective_field"]').scroll_into_view_if_needed()
    page.wait_for_selector('[data-calc="effective_field"][data-state="ready"]')
    chains = [", ".join(["3"] * 20), ", ".join(["5"] + ["3"] * 19)]  # 20 layers, the most the calculator takes
    roundtrips_of('[name="kernel_sizes"]', chains, roundtrips, "effective")
    page.evaluate(NAVIGATE, "analyzer/")
    page.evaluate("json => { document.querySelector('textarea').value = json; }", model_json)
    # Two input sizes, so that every figure of the table changes each time.
    roundtrips_of('[name="input_shape"]', ["331, 331, 3", "299, 299, 3"], max(3, roundtrips // 3), "analyzer")
    assert "InceptionResNet" in page.inner_text("[data-calc-output]") or "conv_7b" in page.inner_text(
        "[data-calc-output]"
    ), "analyzer did not show the model"
    # Warm HTTP cache: a fresh page in the same profile.
    page2 = context.new_page()
    page2.goto(base + "layer/")
    page2.wait_for_selector(READY)
    r["interactive_warm_ms"] = page2.evaluate('() => performance.getEntriesByName("kl-ready")[0].startTime')
    context.close()
    return r


@contextlib.contextmanager
def served(variants: list[str], config: str, kinds: tuple[str, ...] = ("plain",)) -> Iterator[dict[str, Any]]:
    """Each variant built once and served from 127.0.0.1 by each kind of host: {variant: {kind: Host}}."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        hosts: dict[str, Any] = {}
        for variant in variants:
            site = Path(tmp) / variant
            site.mkdir()
            hosts[variant] = {
                kind: stack.enter_context(serve(site, *HOSTS.get(kind, (kind, "short")))) for kind in kinds
            }
            # Built for the first host's address (instant navigation follows only links under the site's URL).
            build(site, hosts[variant][kinds[0]].url, variant, config)
        time.sleep(0.2)
        yield hosts


def summarize_runs(raw: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"boot": sorted({r["boot"] for r in raw})}
    for key in raw[0]:
        if key == "boot":
            continue
        values: list[float] = []
        for r in raw:
            values.extend(r[key] if isinstance(r[key], list) else [r[key]])
        out[key] = value_summary(values)
    return out


# --- network: cold and warm visits in a persistent profile, emulated network, two kinds of host -------------


def _visit(context: Any, url: str, conditions: dict[str, float] | None) -> tuple[Any, dict[str, Any]]:
    """A new tab on ``url`` (throttled by ``conditions``), once its calculator has answered."""
    page = context.new_page()
    page.set_default_timeout(240_000)
    if conditions:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
    page.goto(url)
    page.locator("[data-calc]").first.scroll_into_view_if_needed()
    page.wait_for_selector(READY)
    r: dict[str, Any] = page.evaluate(
        """() => ({ms: performance.getEntriesByName("kl-ready")[0].startTime, timings: window.klWorkerTimings})"""
    )
    return page, r


def _settle(page: Any) -> None:
    """Wait for what the page does once idle: the memory snapshot, when it makes one, and the network to go quiet."""
    if page.evaluate("() => window.klWorkerTimings.makeSnapshot"):
        page.wait_for_function("() => window.klSnapshot !== undefined", timeout=240_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)


def network_run(browser_type: Any, host: Any, conditions: dict[str, float]) -> dict[str, Any]:
    """One cold and one warm visit of the one-layer page in a fresh persistent profile."""
    with tempfile.TemporaryDirectory() as profile:
        context = browser_type.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            host.reset()
            page, cold = _visit(context, host.url + "layer/", conditions)
            _settle(page)
            cold_bytes = sum(host.reset().values())
            made = page.evaluate("() => window.klSnapshot || null")
            page.close()
            page, warm = _visit(context, host.url + "layer/", conditions)
            page.wait_for_load_state("networkidle")
            warm_bytes = sum(host.reset().values())
        finally:
            context.close()
    return {
        "cold_ms": cold["ms"],
        "cold_bytes": cold_bytes,
        "warm_ms": warm["ms"],
        "warm_bytes": warm_bytes,
        "boot_cold": cold["timings"]["boot"],
        "boot_warm": warm["timings"]["boot"],
        "snapshot_made_ms": (made or {}).get("ms"),
    }


def measure_network(p: Any, config: str, runs: int) -> dict[str, Any]:
    variants, kinds = ["site", "plain"], tuple(HOSTS)
    raw: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    first = next(iter(NETWORK_PROFILES))
    with served(variants, config, kinds) as hosts:
        for run in range(runs):
            for kind in kinds:
                for label, conditions in NETWORK_PROFILES.items():
                    if kind == "plain-revalidate" and label != first:
                        continue
                    for variant in variants:
                        print(f"network run {run + 1}/{runs}: {variant}, {kind} host, {label}", flush=True)
                        r = network_run(p.chromium, hosts[variant][kind], conditions)
                        raw.setdefault(kind, {}).setdefault(label, {}).setdefault(variant, []).append(r)
    results: dict[str, Any] = {}
    for kind, by_profile in raw.items():
        for label, by_variant in by_profile.items():
            for variant, rs in by_variant.items():
                out: dict[str, Any] = {
                    k: value_summary([r[k] for r in rs]) for k in ("cold_ms", "cold_bytes", "warm_ms", "warm_bytes")
                }
                out["boot"] = sorted({f"{r['boot_cold']}, then {r['boot_warm']}" for r in rs})
                made = [r["snapshot_made_ms"] for r in rs if r["snapshot_made_ms"] is not None]
                if made:
                    out["snapshot_made_ms"] = value_summary(made)
                results.setdefault(kind, {}).setdefault(label, {})[variant] = out
                print(
                    f"  {kind:5} {label:18} {variant:5} "
                    + "  ".join(f"{k} {out[k]['median']:g}" for k in NETWORK_GOALS)
                )
    return {"runs": runs, "profiles": NETWORK_PROFILES, "goals": NETWORK_GOALS, "results": results}


# --- pages: every calculator page, cold, on localhost ---------------------------------------------------------


# The least time a normal Pyodide start takes on this machine, a bound under any calculator page's cold start: a
# bare page (no theme, no calculator) whose first script starts a worker that imports this build's Pyodide from
# its own uncompressed files (nothing to decode) and runs one line of Python. Measured with the pages, in turn.
FLOOR = "_pyodide-floor/"
FLOOR_PAGE = """<!doctype html><title>Pyodide alone</title><script>
new Worker("floor.mjs", { type: "module" }).onmessage = () => {
  performance.mark("kl-ready");
  document.documentElement.dataset.state = "ready";
};
</script>
"""
FLOOR_WORKER = """import { loadPyodide } from "../assets/kernel-lab/FOLDER/pyodide.mjs";
const pyodide = await loadPyodide({ indexURL: new URL("../assets/kernel-lab/FOLDER/", import.meta.url).href });
pyodide.runPython("1 + 1");
self.postMessage("ready");
"""


def add_floor_page(site: Path) -> None:
    """FLOOR's page and worker, beside a built site."""
    (folder,) = (site / "assets" / "kernel-lab" / "pyodide").iterdir()
    (site / FLOOR).mkdir()
    (site / FLOOR / "index.html").write_text(FLOOR_PAGE)
    (site / FLOOR / "floor.mjs").write_text(FLOOR_WORKER.replace("FOLDER", f"pyodide/{folder.name}"))


def floor_ms(context: Any, url: str) -> float:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector('html[data-state="ready"]', timeout=120_000)
    ms: float = page.evaluate('() => performance.getEntriesByName("kl-ready")[0].startTime')
    return ms


def measure_pages(browser: Any, config: str, runs: int) -> dict[str, Any]:
    values: dict[str, list[float]] = {page: [] for page in CALC_PAGES}
    floor: list[float] = []
    with served(["site"], config) as hosts:
        host = hosts["site"]["plain"]
        add_floor_page(host.folder)
        for run in range(runs):
            context = browser.new_context()
            try:
                floor.append(floor_ms(context, host.url + FLOOR))
            finally:
                context.close()
            for path in CALC_PAGES:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                try:
                    _, r = _visit(context, host.url + path, None)
                finally:
                    context.close()
                values[path].append(r["ms"])
            print(
                f"pages run {run + 1}/{runs}: floor {floor[-1]:.0f}, "
                + ", ".join(f"{p} {v[-1]:.0f}" for p, v in values.items()),
                flush=True,
            )
    return {
        "runs": runs,
        "goal_ms": PAGE_GOAL_MS,
        "results": {p: value_summary(v) for p, v in values.items()},
        "floor": value_summary(floor),
    }


def section(measure: Any) -> dict[str, Any]:
    """A mode's figures with the date and the load average before and after."""
    before = os.getloadavg()
    out: dict[str, Any] = measure()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_before": [round(x, 2) for x in before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        **out,
    }


def measure_localhost(browser: Any, variants: list[str], config: str, runs: int, roundtrips: int) -> dict[str, Any]:
    model = inception_resnet_v2_json()
    raw: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with served(variants, config) as hosts:
        # Variants take turns, run after run: the machine's load falls on all of them alike.
        for run in range(runs):
            for variant in variants:
                print(f"run {run + 1}/{runs}: {variant}", flush=True)
                raw[variant].append(one_run(browser, hosts[variant]["plain"].url, model, roundtrips))
    results = {}
    for variant in variants:
        results[variant] = summarize_runs(raw[variant])
        print(f"== {variant}")
        for key, value in results[variant].items():
            if isinstance(value, dict):
                goal = GOALS.get(key)
                flag = "" if goal is None else ("  ok" if value["median"] <= goal else f"  MISSES goal {goal}")
                print(f"  {key:24} median {value['median']:8.1f}  [{value['min']:.1f} .. {value['max']:.1f}]{flag}")
    return {"runs": runs, "goals_ms": GOALS, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="localhost,network,pages")
    parser.add_argument("--runs", type=int, default=7, help="localhost runs per variant")
    parser.add_argument("--roundtrips", type=int, default=15)
    parser.add_argument("--network-runs", type=int, default=3, help="network runs per variant, host and profile")
    parser.add_argument("--page-runs", type=int, default=5, help="cold loads of each calculator page")
    parser.add_argument("--engine-runs", type=int, default=5, help="engines mode: runs per engine and network")
    parser.add_argument("--variants", default="site,stock_theme,plain", help="localhost mode's variants")
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    modes = args.modes.split(",")
    record: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        record["browser"] = f"Chromium {browser.version} (headless, Debian package)"
        if "localhost" in modes:
            localhost = section(
                lambda: measure_localhost(browser, args.variants.split(","), args.config, args.runs, args.roundtrips)
            )
            # The localhost figures stay at the record's top level, where earlier records had them.
            record |= {k: localhost[k] for k in ("date", "runs", "goals_ms", "results")}
            record["machine"] = machine_record(localhost)
        if "network" in modes:
            record["network"] = section(lambda: measure_network(p, args.config, args.network_runs))
        if "pages" in modes:
            record["pages"] = section(lambda: measure_pages(browser, args.config, args.page_runs))
        browser.close()
    if "engines" in modes:  # after Playwright's session above: the engines mode starts its own for Chromium
        before = os.getloadavg()

        def keep(figures: dict[str, Any]) -> None:  # each finished round written at once
            record["engines"] = section(lambda: figures)
            record["engines"]["load_average_before"] = [round(x, 2) for x in before]
            write(args.out, record)

        record["engines"] = section(
            lambda: measure_engines(build, args.config, args.engine_runs, add_floor_page, FLOOR, keep)
        )
        record["engines"]["load_average_before"] = [round(x, 2) for x in before]
    record["pyodide"] = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())["version"]
    record.setdefault("machine", machine_record(None))
    write(args.out, record)
    print(f"wrote {args.out}")


def write(out: Path, record: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")


def machine_record(localhost: dict[str, Any] | None) -> dict[str, Any]:
    fp = machine.fingerprint()
    out: dict[str, Any] = {"key": fp["key"], "cpu": fp["cpu"], "cpus": fp["cores"], "platform": platform.platform()}
    if localhost:
        out["load_average_before"] = localhost["load_average_before"]
        out["load_average_after"] = localhost["load_average_after"]
    return out


if __name__ == "__main__":
    main()
