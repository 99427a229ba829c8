// The worker's settings (website/assets/worker/settings.mjs) from its address's query, written as the build writes
// them (runtime.py: the JSON, percent-encoded): the build's values over the defaults; no query, the defaults.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULTS, workerSettings } from "../../website/assets/worker/settings.mjs";

test("without a query, the plain site's defaults", () => {
  const settings = workerSettings(new URL("https://example.org/assets/kernel-lab/python-worker.0123456789.mjs"));
  assert.deepEqual(settings, { ...DEFAULTS });
  assert.deepEqual(settings.xz, []);
  assert.equal(settings.snapshot, false);
});

test("a build's settings, percent-encoded JSON, override the defaults; a fragment is not part of them", () => {
  const build = {
    build: "0123456789abcdef0123",
    xz: ["pyodide/abc/pyodide.asm.wasm", "python.0123456789.zip"],
    unxz: "xz.0123456789.wasm",
    snapshot: true,
    pyodide: "pyodide/abc/",
  };
  const url = new URL("https://example.org/sub/python-worker.mjs?" + encodeURIComponent(JSON.stringify(build)) + "#snapshot");
  assert.deepEqual(workerSettings(url), { ...DEFAULTS, ...build });
  assert.equal(workerSettings(url).python, "python.zip", "what the build does not say keeps its default");
});

test("a query that is not JSON is an error, not a silent default", () => {
  assert.throws(() => workerSettings(new URL("https://example.org/w.mjs?x=1")), SyntaxError);
});
