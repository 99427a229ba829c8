"""Browser benchmark of the site's calculators: headless Chromium, site served from localhost.

Builds the site in up to three variants: "snapshot" (as deployed: precompiled standard library + memory
snapshot, the worker started by calc.js after the theme's scripts, the theme's scripts split into short tasks
and run after the first paint), "stock_theme" (the same with the theme's scripts as Material ships them,
see scripts/theme_patch.py) and "plain" (Pyodide's own files, the baseline), then measures, the variants taking
turns over several runs, each run in a fresh browser profile (cold HTTP cache):

- static_paint_ms: first contentful paint of a calculator page (its result is in the HTML);
- interactive_ms: navigation start to the worker's first recomputed result (data-state="ready");
- interactive_warm_ms: the same on a reload with the HTTP cache warm;
- second_page_ms: click to a second calculator page (instant navigation) until its first recomputed result;
- longest_task_ms: the longest main-thread task until ready (Chromium reports tasks of 50 ms and more;
  0 means none reached 50 ms); longest_task_home_ms: the same on the home page, which has no calculator
  (the theme's own scripts);
- roundtrip_layer_ms / roundtrip_compare_ms: input event to updated result on the one-layer and the
  kernel-comparison calculators;
- roundtrip_effective_ms: the effective-field calculator on a chain of 20 layers (its largest);
- roundtrip_analyzer_ms: the analyzer on keras.applications.InceptionResNetV2's JSON (made with Keras);
- python_*_ms: the part of each round trip spent in Python, inside the worker.

Writes medians, spreads and every value to benchmarks/browser.json, shown on the Methods page.

    .venv/bin/python -m scripts.bench.browser [--runs 7] [--variants snapshot,stock_theme]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS
from scripts.examples import machine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "browser.json"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


VARIANT_ENV = {
    "snapshot": {},
    "stock_theme": {"KERNEL_LAB_STOCK_THEME": "1"},
    "plain": {"KERNEL_LAB_PLAIN_PYODIDE": "1"},
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
        pairs = [page.evaluate(ROUNDTRIP, [selector, choices[i % 2]]) for i in range(n)]
        r[f"roundtrip_{prefix}_ms"] = [total for total, _ in pairs]
        r[f"python_{prefix}_ms"] = [python for _, python in pairs]

    roundtrips_of('[name="filters"]', values, roundtrips, "layer")
    r["second_page_ms"] = page.evaluate(NAVIGATE, "parameters/")
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
    roundtrips_of('[name="input_shape"]', ["", "299, 299, 3"], max(3, roundtrips // 3), "analyzer")
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


def summarize(values: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
        "n": len(values),
        "values": [round(v, 1) for v in values],
    }


@contextlib.contextmanager
def served(variants: list[str], config: str) -> Iterator[dict[str, str]]:
    """Each variant built and served from 127.0.0.1 on a port of its own: {variant: base URL}."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        bases = {}
        for variant in variants:
            port = free_port()
            bases[variant] = f"http://127.0.0.1:{port}/"
            site = Path(tmp) / variant
            build(site, bases[variant], variant, config)
            server = subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(site)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(server.wait)
            stack.callback(server.terminate)
        time.sleep(0.5)
        yield bases


def summarize_runs(raw: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"boot": sorted({r["boot"] for r in raw})}
    for key in raw[0]:
        if key == "boot":
            continue
        values: list[float] = []
        for r in raw:
            values.extend(r[key] if isinstance(r[key], list) else [r[key]])
        out[key] = summarize(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--roundtrips", type=int, default=15)
    parser.add_argument("--variants", default=",".join(VARIANT_ENV))
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    model = inception_resnet_v2_json()
    load_before = os.getloadavg()
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version = browser.version
        variants = args.variants.split(",")
        raw: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        with served(variants, args.config) as bases:
            # Variants take turns, run after run: the machine's load falls on all of them alike.
            for run in range(args.runs):
                for variant in variants:
                    print(f"run {run + 1}/{args.runs}: {variant}", flush=True)
                    raw[variant].append(one_run(browser, bases[variant], model, args.roundtrips))
        for variant in variants:
            results[variant] = summarize_runs(raw[variant])
            print(f"== {variant}")
            for key, value in results[variant].items():
                if isinstance(value, dict):
                    goal = GOALS.get(key)
                    flag = "" if goal is None else ("  ok" if value["median"] <= goal else f"  MISSES goal {goal}")
                    print(f"  {key:24} median {value['median']:8.1f}  [{value['min']:.1f} .. {value['max']:.1f}]{flag}")
        browser.close()
    pyodide = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())["version"]
    fp = machine.fingerprint()
    record = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "key": fp["key"],
            "cpu": fp["cpu"],
            "cpus": fp["cores"],
            "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "browser": f"Chromium {version} (headless, Debian package)",
        "pyodide": pyodide,
        "runs": args.runs,
        "goals_ms": GOALS,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
