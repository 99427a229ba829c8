// Kernel Lab calculator worker: boots Pyodide from the site itself, imports the site's Python from
// python.zip (calc and kernel_lab), then answers {id, name, inputs, data} with kernel_lab.worker.handle's JSON.
// No arithmetic happens here.
//
// Boot: from a memory snapshot that this browser made on an earlier visit (Cache Storage, keyed by the build),
// else a normal boot. Nothing is downloaded for the snapshot: after a normal boot that will be followed by one,
// this worker keeps the files it decompressed in Cache Storage (keepCopies); after the first answer, calculators.js
// starts this file a second time as python-worker.mjs#snapshot (the same file, from the HTTP cache) when the page
// is idle; that instance boots from those copies with _makeSnapshot (a private Pyodide option), imports and runs
// every calculator once, and stores makeMemorySnapshot()'s bytes. A
// snapshot that is missing, unreadable or refused by Pyodide (a different build, a corrupt entry) means a
// normal boot; one that failed to load is made again, but not after a second failure, nor after the browser
// refused to store one (snapshotFailures).
//
// Large files come compressed with xz (NAME.xz, listed in RUNTIME.xz; a quarter smaller than gzip -9) and are
// decompressed here (RUNTIME.unxz: an xz decoder in WebAssembly), so that hosts that compress nothing still send
// few bytes; Pyodide fetches through the global fetch, which is wrapped below, so the wasm still compiles while
// it streams in (a Response with Content-Type application/wasm).
// This build's settings come in the worker's query, as JSON (worker/settings.mjs).
// The Pyodide files' folder and python.zip's name carry a hash of their content (a host may let browsers keep
// them for a year: website/kernel_lab_mkdocs/headers.py).
//
// The pure parts are modules in worker/ (with Node tests in tests/node/); the site ships this file bundled with
// them as one module (website/kernel_lab_mkdocs/runtime.py).
import { workerSettings } from "./worker/settings.mjs";
import { errorText, fileName } from "./worker/text.mjs";
import { unxz } from "./worker/xz.mjs";
import { packSnapshot, unpackSnapshot } from "./worker/snapshot-pages.mjs";
import { watchedStream } from "./worker/streams.mjs";
import { isWebKit } from "./worker/engine.mjs";

const SELF_URL = new URL(import.meta.url);
const RUNTIME = workerSettings(SELF_URL);
const HERE = new URL("./", SELF_URL);
const INDEX_URL = new URL(RUNTIME.pyodide, HERE).href;
// Pyodide's JavaScript, from this build's folder, imported as the worker starts.
const PYODIDE = import(new URL("pyodide.mjs", INDEX_URL).href);
const EXTRACT_DIR = "/home/pyodide/kernel-lab";
const MAKING_SNAPSHOT = SELF_URL.hash === "#snapshot";
const CACHE_NAME = "kernel-lab-python";
const SNAPSHOT_URL = new URL("pyodide/snapshot-" + RUNTIME.build + ".bin", HERE).href;
const REFUSED_URL = SNAPSHOT_URL + "?refused"; // stored when this build's snapshot failed to load
let handle = null;
const queue = [];
// Milestones in ms since the page's navigation start (the page passes its timeOrigin in the URL's fragment).
const PAGE_ORIGIN = Number(SELF_URL.hash.slice(1)) || performance.timeOrigin;
const timings = {};
function mark(name) {
  timings[name] = Math.round(performance.timeOrigin + performance.now() - PAGE_ORIGIN);
}
mark("worker");

// --- fetching -----------------------------------------------------------------------------------------------
// A host that accepts the request but sends no response would leave Python waiting for ever: a fetch that has no
// response after STALL_S seconds is abandoned. Failures name the file.
const STALL_S = 15;
const hostFetch = self.fetch.bind(self);
function plainFetch(input, init) {
  const name = fileName(input instanceof Request ? input.url : input);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), STALL_S * 1000);
  return hostFetch(input, { ...init, signal: stop.signal }).then(
    (response) => {
      clearTimeout(timer);
      return response;
    },
    (error) => {
      clearTimeout(timer);
      const what = stop.signal.aborted ? "no answer from the host in " + STALL_S + " s" : errorText(error);
      throw new Error(name + ": " + (navigator.onLine === false ? "offline (" + what + ")" : what));
    },
  );
}

// One of Pyodide's own files, as the host serves it: a failure (no answer, an HTTP error) is the end of the
// Python start under way (loadPython), not something to start again from.
function fetchOriginal(input, init) {
  return plainFetch(input, init)
    .then((response) => {
      if (!response.ok) throw new Error(fileName(response.url) + ": HTTP " + response.status);
      return response;
    })
    .catch((error) => {
      error.original = true;
      reportFailure(error);
      throw error;
    });
}

// --- compressed files ---------------------------------------------------------------------------------------
const XZ = new Set(RUNTIME.unxz ? RUNTIME.xz.map((n) => new URL(n, HERE).href) : []);
const TYPES = { wasm: "application/wasm", mjs: "text/javascript", json: "application/json", zip: "application/zip" };
// The decoder: xz-embedded compiled to WebAssembly (12.5 kB, from the xz-decompress package: RUNTIME.unxz), loaded
// at the first compressed file: a start from the kept copies decodes nothing. A failure is that fetch's: it falls
// back to the original file.
const instantiate = WebAssembly.instantiate; // before the wrapping below: the decoder is not Pyodide's wasm
let decoder = null;
function xzDecoder() {
  if (!decoder) {
    decoder = plainFetch(new URL(RUNTIME.unxz, HERE))
      .then((response) => {
        if (!response.ok) throw new Error(RUNTIME.unxz + ": HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then((bytes) => instantiate(bytes, {}))
      .then((result) => result.instance.exports);
  }
  return decoder;
}

// NAME.xz decompressed as it arrives (worker/xz.mjs). Where this browser keeps copies (COPIES), what was
// decompressed is also held (DECOMPRESSED) until keepCopies stores it or the worker finds no snapshot is wanted.
// An .xz that fails part-way (truncated, corrupt), or a wasm that does not compile or instantiate (a corrupt
// kept copy), must not leave Python waiting: Pyodide only logs them. Each is reported to the loadPython attempt
// under way, which then starts again on the original files.
const DECOMPRESSED = new Map(); // url -> Blob of the decompressed file, for keepCopies
let reportFailure = (error) => {};
// JavaScriptCore compiles the runtime's wasm only once all of it is here, and WebKit's worker reads nothing the
// page preloaded (early-start.js preloads nothing there): in WebKit the other compressed files wait until the wasm
// has arrived, so that it has the line to itself (measured through the 20 Mbit/s proxy: it arrived about half a
// second later while it shared the line, and the engine then waited for it). Elsewhere they are fetched at once.
const WASM_FIRST = isWebKit(self.navigator.userAgent);

async function fetchCompressed(url, onClose) {
  const x = await xzDecoder();
  const response = await plainFetch(url + ".xz");
  if (!response.ok || !response.body) throw new Error(url + ".xz: HTTP " + response.status);
  const type = TYPES[url.split(".").pop()] || "application/octet-stream";
  const keep = RUNTIME.snapshot && RUNTIME.build && typeof caches !== "undefined";
  // How long it took (ms in the worker's clock: the response, the stream's end, the decoder's own time), for the
  // benchmark (scripts/bench/browsers.py).
  const stats = { start: performance.now(), ms: 0, end: 0 };
  (timings.decoded = timings.decoded || {})[fileName(url)] = stats;
  const body = watchedStream(response.body.pipeThrough(unxz(x, stats)), {
    onError: (error) => reportFailure(error),
    onEnd: keep ? (chunks) => DECOMPRESSED.set(url, new Blob(chunks, { type })) : null,
    onClose: onClose,
  });
  return new Response(body, { headers: { "Content-Type": type } });
}
WebAssembly.instantiate = function (...args) {
  return instantiate.apply(this, args).catch((error) => {
    reportFailure(error);
    throw error;
  });
};

// A wasm compiled ahead (PRECOMPILED, below) is instantiated from its module, not compiled again. A failure
// names the file.
const PRECOMPILED = new WeakMap(); // the Response handed to Pyodide -> its compiled WebAssembly.Module
const instantiateStreaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async function (source, imports) {
  let response = null;
  try {
    response = await source;
    const module = PRECOMPILED.get(response);
    if (!module) return await instantiateStreaming(response, imports);
    return { module, instance: await instantiate(module, imports) };
  } catch (error) {
    // No response: the fetch's own error, which names the file.
    const failure = response ? new Error(fileName(response.url || WASM_URL) + ": " + errorText(error)) : error;
    reportFailure(failure);
    throw failure;
  }
};

// loadPyodide, ended by the first file that fails on the way (Pyodide only logs those, and may wait for ever).
async function loadWatched(options) {
  const failed = new Promise((resolve, reject) => {
    reportFailure = reject;
  });
  try {
    const { loadPyodide } = await PYODIDE;
    return await Promise.race([loadPyodide(options), failed]);
  } finally {
    reportFailure = (error) => {};
  }
}

// loadPyodide, or, when a compressed file or a kept copy fails on the way, loadPyodide again on the original
// files (the kept copies that were read are deleted: one may be the culprit). When an original file fails,
// or the second start fails too, Python cannot start: the error says which file.
async function loadPython(options) {
  try {
    return await loadWatched(options);
  } catch (error) {
    if (error.original || !(XZ.size || timings.copies)) throw error;
    timings.fileError = errorText(error);
    if (timings.copies) await forgetCopies();
    XZ.clear();
    DECOMPRESSED.clear();
    return loadWatched({ ...options, createPyodideModule: undefined });
  }
}

// A compressed file: the decompressed copy kept beside the snapshot (Cache Storage: read without work on this
// thread, where the decoder would take about 200 ms for the wasm), else NAME.xz, else the original.
// The snapshot maker reads the copies that the page's worker keeps for it (keepCopies, which holds COPIES_LOCK
// while it writes them, from before it says it is ready), so it first waits for that lock.
const COPIES_LOCK = "kernel-lab-copies";
function withCopiesLock(task) {
  return self.navigator.locks ? navigator.locks.request(COPIES_LOCK, task) : Promise.resolve().then(task);
}
const COPIES = MAKING_SNAPSHOT ? withCopiesLock(() => null).then(openCache, openCache) : openCache();
async function keptCopy(url) {
  try {
    const cache = await COPIES;
    const kept = (cache && (await cache.match(url))) || null;
    if (kept) (timings.copies = timings.copies || []).push(url.split("/").pop());
    return kept;
  } catch (error) {
    return null;
  }
}

async function forgetCopies() {
  try {
    const cache = await COPIES;
    for (const url of XZ) await cache.delete(url);
  } catch (error) {
    /* storage refused: nothing to forget */
  }
}

// The wasm compiles as soon as the worker starts, beside the import of Pyodide's JavaScript (and the reading of
// the snapshot), instead of when Pyodide asks for it (~150 ms later on a fast link): from its kept copy, else
// from NAME.xz as it downloads. Pyodide then gets a Response that stands for the compiled module. A copy that
// does not compile is passed over (NAME.xz instead); if the .xz fails too (no decoder, a corrupt file), Pyodide
// gets the original file.
const WASM_URL = INDEX_URL + "pyodide.asm.wasm";
let wasmArrived = Promise.resolve(); // in WebKit, resolved once the wasm's download is over (whole or not)
let arrived = () => {};
if (WASM_FIRST && XZ.has(WASM_URL)) {
  wasmArrived = new Promise((resolve) => {
    arrived = resolve;
  });
}
async function compileWasm() {
  const kept = await keptCopy(WASM_URL);
  if (kept) {
    arrived(); // nothing to download
    try {
      return await WebAssembly.compileStreaming(kept);
    } catch (error) {
      timings.fileError = errorText(error);
      await forgetCopies();
    }
  }
  const response = fetchCompressed(WASM_URL, arrived);
  response.catch(arrived); // no response: nothing to wait for
  return WebAssembly.compileStreaming(response);
}
const compiledWasm = XZ.has(WASM_URL) ? compileWasm() : Promise.resolve(null);
compiledWasm.catch(() => {}); // awaited by fetchWasm

async function fetchWasm(input, init) {
  let module = null;
  try {
    module = await compiledWasm;
  } catch (error) {
    timings.fileError = errorText(error);
  }
  if (!module) return fetchOriginal(input, init);
  const standIn = new Response(null, { headers: { "Content-Type": "application/wasm" } });
  PRECOMPILED.set(standIn, module);
  return standIn;
}

self.fetch = function (input, init) {
  const url = input instanceof Request ? input.url : String(input);
  const absolute = new URL(url, HERE).href;
  if (!XZ.has(absolute)) return fetchOriginal(input, init);
  if (absolute === WASM_URL) return fetchWasm(input, init);
  const later = absolute === INDEX_URL + "pyodide.asm.mjs" ? Promise.resolve() : wasmArrived;
  return keptCopy(absolute)
    .then((kept) => kept || later.then(() => fetchCompressed(absolute)))
    .catch(() => fetchOriginal(input, init)); // no .xz or no decoder: the original
};

// Pyodide imports pyodide.asm.mjs itself (1.2 MB of JavaScript, a sixth of that compressed); when it ships
// compressed, it is imported from the decompressed text instead (a blob: URL; the original file if that is
// refused). Handed to loadPyodide as createPyodideModule, which it awaits only after it has started fetching
// the wasm, so both downloads overlap.
function pyodideModule() {
  const url = INDEX_URL + "pyodide.asm.mjs";
  if (!XZ.has(url)) return undefined;
  const loaded = (async function () {
    let blobUrl = null;
    try {
      const text = await (await self.fetch(url)).text();
      blobUrl = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      return (await import(blobUrl)).default;
    } catch (error) {
      timings.asmModuleError = errorText(error);
      return (await import(url)).default;
    } finally {
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    }
  })();
  return async (settings) => (await loaded)(settings);
}

// A file's bytes: through the wrapped fetch (a kept copy, NAME.xz or the file), or from the host as it is.
function fetchBytes(name, { original = false } = {}) {
  return (original ? plainFetch : fetch)(new URL(name, HERE)).then(function (r) {
    if (!r.ok) throw new Error(name + ": HTTP " + r.status);
    return r.arrayBuffer();
  });
}

// --- the memory snapshot ------------------------------------------------------------------------------------
function openCache() {
  // Cache Storage: absent outside secure contexts, refused in some private modes; any failure means none.
  if (!RUNTIME.snapshot || !RUNTIME.build || typeof caches === "undefined") return Promise.resolve(null);
  return caches.open(CACHE_NAME).catch(() => null);
}

// {bytes: a promise of the kept snapshot} (read while Pyodide fetches the rest), or null when there is none.
async function cachedSnapshot(cache) {
  if (!cache) return null;
  try {
    const response = await cache.match(SNAPSHOT_URL);
    if (!response) return null;
    const bytes = unpackSnapshot(response); // worker/snapshot-pages.mjs
    bytes.then(() => mark("snapshotBytes"), () => {});
    return { bytes };
  } catch (error) {
    return null;
  }
}

// How often this build's snapshot failed, kept beside it (REFUSED_URL). One that failed to load is made again
// (its entry may have been damaged), but not after MAX_FAILURES; one that could not be stored (no room left: the
// quota) is not tried again, since each try is a second Python start.
const MAX_FAILURES = 2;
const REASON_HEADER = "X-Refused";
async function snapshotFailures(cache) {
  const entry = await cache.match(REFUSED_URL);
  return entry ? Number(await entry.text()) || MAX_FAILURES : 0;
}

// Whether calculators.js should have this browser make a snapshot: storage works, none is kept, few have failed.
async function snapshotWanted(cache) {
  if (!cache) return false;
  try {
    return !(await cache.match(SNAPSHOT_URL)) && (await snapshotFailures(cache)) < MAX_FAILURES;
  } catch (error) {
    return false;
  }
}

async function forgetSnapshot(cache, failures, reason = "") {
  try {
    await cache.delete(SNAPSHOT_URL);
    const count = String(failures || (await snapshotFailures(cache)) + 1);
    await cache.put(REFUSED_URL, new Response(count, { headers: { [REASON_HEADER]: reason } }));
  } catch (error) {
    /* storage refused: nothing to forget */
  }
}

// Why no snapshot is wanted, for the page (window.klSnapshot.reason).
async function refusal(cache) {
  try {
    const entry = cache && (await cache.match(REFUSED_URL));
    return (entry && entry.headers.get(REASON_HEADER)) || "not wanted";
  } catch (error) {
    return "not wanted";
  }
}

// Writes to Cache Storage. With no room left (the quota), everything of ours goes and this build's snapshot is
// refused for good (each try would be a second Python start); the error is passed on.
async function storing(cache, write) {
  try {
    await write();
  } catch (error) {
    if (error && error.name === "QuotaExceededError") {
      try {
        for (const request of await cache.keys()) if (request.url !== REFUSED_URL) await cache.delete(request);
      } catch (ignored) {
        /* storage refused: nothing to clear */
      }
      await forgetSnapshot(cache, MAX_FAILURES, "storage quota exceeded (" + errorText(error) + ")");
    }
    throw error;
  }
}

// The files this worker decompressed (DECOMPRESSED), kept in Cache Storage under their own names (COPIES), so that
// the snapshot maker and later starts neither download nor decode them again; other builds' entries go.
async function keepCopies(cache) {
  const copies = [...DECOMPRESSED];
  DECOMPRESSED.clear();
  await storing(cache, async function () {
    for (const request of await cache.keys()) {
      if (!XZ.has(request.url) && request.url !== REFUSED_URL) await cache.delete(request);
    }
    for (const [url, blob] of copies) {
      await cache.put(url, new Response(blob, { headers: { "Content-Type": blob.type } }));
    }
  });
}

// Python state in a snapshot is the same on every start from it: reseed what the calculators might draw on.
const AFTER_RESTORE = "import sys\nif 'random' in sys.modules: sys.modules['random'].seed()";

async function startPython(cache) {
  const options = { indexURL: INDEX_URL, createPyodideModule: pyodideModule() };
  const snapshot = await cachedSnapshot(cache);
  mark("snapshotRead");
  if (snapshot) {
    try {
      const pyodide = await loadPython({ ...options, _loadSnapshot: snapshot.bytes });
      pyodide.runPython(AFTER_RESTORE);
      timings.boot = "snapshot";
      timings.snapshot = SNAPSHOT_URL;
      return { pyodide, site: null };
    } catch (error) {
      timings.snapshotError = errorText(error);
      await forgetSnapshot(cache);
    }
  }
  timings.boot = "normal";
  // The site's Python downloads while Pyodide boots, not after.
  const site = fetchBytes(RUNTIME.python);
  site.catch(() => {}); // awaited by unpackSite
  return { pyodide: await loadPython(options), site };
}

// python.zip unpacked; if its copy or .xz was unreadable, the original file from the host.
async function unpackSite(pyodide, site) {
  try {
    pyodide.unpackArchive(await site, "zip", { extractDir: EXTRACT_DIR });
  } catch (error) {
    timings.fileError = errorText(error).split("\n").slice(-2).join(" ");
    if (timings.copies) await forgetCopies();
    const original = await fetchBytes(RUNTIME.python, { original: true });
    pyodide.unpackArchive(original, "zip", { extractDir: EXTRACT_DIR });
  }
  pyodide.runPython("import sys; sys.path.insert(0, " + JSON.stringify(EXTRACT_DIR) + ")");
}

// Everything a snapshot restore may need is imported before it is made: the unpacked files are not in it.
const PREPARE_SNAPSHOT = `
import importlib, json, os
for package in ("calc", "kernel_lab"):
    for name in sorted(os.listdir(os.path.join(${JSON.stringify(EXTRACT_DIR)}, package))):
        if name.endswith(".py") and name != "__main__.py":
            importlib.import_module(package + "." + name[:-3] if name != "__init__.py" else package)
import kernel_lab.calculators as c, kernel_lab.worker as w
for name in c.CALCULATORS:
    w.handle(json.dumps({"name": name, "inputs": {}}))
del c, w, name, package, importlib, json, os
`;

// The snapshot maker: Python from the copies the page's worker kept (what is not there is downloaded, and kept
// now), the snapshot, then the snapshot stored beside the copies.
async function makeSnapshot() {
  const cache = await COPIES;
  if (!(await snapshotWanted(cache))) return { made: false, reason: await refusal(cache) };
  const t0 = performance.now();
  const { loadPyodide } = await PYODIDE;
  const pyodide = await loadPyodide({
    indexURL: INDEX_URL,
    createPyodideModule: pyodideModule(),
    _makeSnapshot: true,
  });
  await unpackSite(pyodide, fetchBytes(RUNTIME.python));
  pyodide.runPython(PREPARE_SNAPSHOT);
  const bytes = pyodide.makeMemorySnapshot();
  await keepCopies(cache);
  await storing(cache, () => cache.put(SNAPSHOT_URL, packSnapshot(bytes)));
  let stored = 0;
  for (const request of await cache.keys()) stored += (await (await cache.match(request)).blob()).size;
  return { made: true, snapshot: SNAPSHOT_URL, bytes: bytes.length, stored, ms: Math.round(performance.now() - t0) };
}

// --- answering ----------------------------------------------------------------------------------------------
async function boot() {
  const cache = await openCache();
  const { pyodide, site } = await startPython(cache);
  mark("python");
  if (site) await unpackSite(pyodide, site);
  decoder = null; // every compressed file is in: the decoder's memory (its dictionaries: about 25 MB) may go
  handle = pyodide.pyimport("kernel_lab.worker").handle;
  mark("calc");
  timings.makeSnapshot = timings.boot === "normal" && (await snapshotWanted(cache));
  if (!timings.makeSnapshot) DECOMPRESSED.clear();
  return cache;
}

function answer(msg) {
  let reply;
  const t0 = performance.now();
  try {
    // undefined, not null, for "no file": Pyodide turns JS null into jsnull, not None.
    const data = msg.data ? msg.data : undefined;
    // The request goes in as an object, not as JSON: Python converts it (kernel_lab.worker.handle).
    reply = JSON.parse(handle({ name: msg.name, inputs: msg.inputs }, data));
  } catch (error) {
    const text = errorText(error);
    reply = { ok: false, field: "", message: "Internal error: " + text.split("\n").slice(-2).join(" ") };
  }
  reply.id = msg.id;
  reply.ms = Math.round((performance.now() - t0) * 10) / 10; // time in Python, for the benchmark
  self.postMessage(reply);
}

if (MAKING_SNAPSHOT) {
  makeSnapshot().then(
    (result) => self.postMessage({ type: "snapshot", ...result }),
    (error) => self.postMessage({ type: "snapshot", made: false, reason: errorText(error) }),
  );
} else {
  self.onmessage = function (event) {
    if (handle) answer(event.data);
    else queue.push(event.data);
  };

  boot().then(
    function (cache) {
      for (const msg of queue.splice(0)) answer(msg);
      mark("queued");
      // The copies for the snapshot maker, which the page starts once it has heard this worker is ready: the lock
      // is asked for first, so the maker waits for them.
      if (timings.makeSnapshot) withCopiesLock(() => keepCopies(cache)).catch(() => {});
      self.postMessage({ type: "ready", timings: timings });
    },
    function (error) {
      self.postMessage({ type: "boot-error", message: errorText(error) });
    },
  );
}
