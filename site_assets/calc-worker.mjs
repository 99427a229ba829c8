// Kernel Lab calculator worker: boots Pyodide from the site itself, imports the site's Python from
// python.zip (calc and kernel_lab), then answers {id, name, inputs, data} with kernel_lab.worker.handle's JSON. No arithmetic happens here.
// Boot: from the memory snapshot (pyodide/snapshot.bin) when the site has one, else a normal boot; a
// snapshot that fails to load (a different Pyodide build, say) also falls back to a normal boot.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const HERE = new URL("./", import.meta.url);
const INDEX_URL = new URL("pyodide/", HERE).href;
const EXTRACT_DIR = "/home/pyodide/kernel-lab";
let handle = null;
const queue = [];
// Milestones in ms since the page's navigation start (the page passes its timeOrigin in the URL hash).
const PAGE_ORIGIN = Number(new URL(import.meta.url).hash.slice(1)) || performance.timeOrigin;
const timings = {};
function mark(name) {
  timings[name] = Math.round(performance.timeOrigin + performance.now() - PAGE_ORIGIN);
}
mark("worker");

function fetchBytes(name) {
  return fetch(new URL(name, HERE)).then(function (r) {
    if (!r.ok) throw new Error(name + ": HTTP " + r.status);
    return r.arrayBuffer();
  });
}

async function startPython() {
  let response = null;
  try {
    response = await fetch(new URL("pyodide/snapshot.bin", HERE));
  } catch (error) {
    response = null;
  }
  mark("snapshotHeaders");
  if (response && response.ok) {
    try {
      const pyodide = await loadPyodide({ indexURL: INDEX_URL, _loadSnapshot: response.arrayBuffer() });
      timings.boot = "snapshot";
      return pyodide;
    } catch (error) {
      timings.snapshotError = String((error && error.message) || error);
    }
  }
  timings.boot = "normal";
  return loadPyodide({ indexURL: INDEX_URL });
}

async function boot() {
  const pyodide = await startPython();
  mark("python");
  if (timings.boot !== "snapshot") {
    // The snapshot already holds the calculators, imported from python.zip at build time; a normal boot unpacks it.
    pyodide.unpackArchive(await fetchBytes("python.zip"), "zip", { extractDir: EXTRACT_DIR });
    pyodide.runPython("import sys; sys.path.insert(0, " + JSON.stringify(EXTRACT_DIR) + ")");
  }
  handle = pyodide.pyimport("kernel_lab.worker").handle;
  mark("calc");
}

function answer(msg) {
  let reply;
  const t0 = performance.now();
  try {
    // undefined, not null, for "no file": Pyodide turns JS null into jsnull, not None.
    const data = msg.data ? msg.data : undefined;
    reply = JSON.parse(handle(JSON.stringify({ name: msg.name, inputs: msg.inputs }), data));
  } catch (error) {
    const text = String((error && error.message) || error);
    reply = { ok: false, field: "", message: "Internal error: " + text.split("\n").slice(-2).join(" ") };
  }
  reply.id = msg.id;
  reply.ms = Math.round((performance.now() - t0) * 10) / 10; // time in Python, for the benchmark
  self.postMessage(reply);
}

self.onmessage = function (event) {
  if (handle) answer(event.data);
  else queue.push(event.data);
};

boot().then(
  function () {
    for (const msg of queue.splice(0)) answer(msg);
    mark("queued");
    self.postMessage({ type: "ready", timings: timings });
  },
  function (error) {
    self.postMessage({ type: "boot-error", message: String((error && error.message) || error) });
  },
);
