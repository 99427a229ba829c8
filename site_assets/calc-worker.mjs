// Kernel Lab calculator worker: boots Pyodide from the site itself, imports calc from calc.zip, then
// answers {id, name, inputs, data} with calc.calculators.handle's JSON. No arithmetic happens here.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const HERE = new URL("./", import.meta.url);
const EXTRACT_DIR = "/home/pyodide/kernel-lab";
let handle = null;
const queue = [];

async function boot() {
  const [pyodide, zip] = await Promise.all([
    loadPyodide({ indexURL: new URL("pyodide/", HERE).href }),
    fetch(new URL("calc.zip", HERE)).then(function (r) {
      if (!r.ok) throw new Error("calc.zip: HTTP " + r.status);
      return r.arrayBuffer();
    }),
  ]);
  pyodide.unpackArchive(zip, "zip", { extractDir: EXTRACT_DIR });
  pyodide.runPython("import sys; sys.path.insert(0, " + JSON.stringify(EXTRACT_DIR) + ")");
  handle = pyodide.pyimport("calc.calculators").handle;
}

function answer(msg) {
  let reply;
  try {
    reply = JSON.parse(handle(JSON.stringify({ name: msg.name, inputs: msg.inputs }), msg.data));
  } catch (error) {
    reply = { ok: false, field: "", message: "Internal error: " + String(error.message || error).split("\n").slice(-2).join(" ") };
  }
  reply.id = msg.id;
  self.postMessage(reply);
}

self.onmessage = function (event) {
  if (handle) answer(event.data);
  else queue.push(event.data);
};

boot().then(
  function () {
    self.postMessage({ type: "ready" });
    for (const msg of queue.splice(0)) answer(msg);
  },
  function (error) {
    self.postMessage({ type: "boot-error", message: String((error && error.message) || error) });
  },
);
