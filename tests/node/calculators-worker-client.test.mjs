// The page's side of the Python worker (website/assets/calculators/worker-client.js), with a stand-in Worker and
// Node's mocked timers: the watchdog, the start-up timeout, failures, and adopting the head's early worker.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import {
  PythonWorker, STARTUP_S, STOPPED, UNAVAILABLE, WATCHDOG_S, scriptName,
} from "../../website/assets/calculators/worker-client.js";

const WORKER_URL = "https://example.org/site/assets/kernel-lab/python-worker.0123456789.mjs?%7B%22build%22%3A1%7D";
const READY = { type: "ready", timings: { boot: "normal", makeSnapshot: false } };

class FakeWorker {
  static made = [];
  constructor(url, options) {
    this.url = url;
    this.options = options;
    this.posted = [];
    this.terminated = false;
    FakeWorker.made.push(this);
  }
  postMessage(msg) {
    this.posted.push(msg);
  }
  terminate() {
    this.terminated = true;
  }
  say(data) {
    this.onmessage({ data });
  }
  answer(msg, reply) {
    this.say({ id: msg.id, ...reply });
  }
}

let failures;
function client() {
  return new PythonWorker(() => WORKER_URL, (message) => failures.push(message));
}

beforeEach(() => {
  globalThis.window = globalThis;
  globalThis.Worker = FakeWorker;
  FakeWorker.made = [];
  failures = [];
  delete globalThis.klEarlyWorker;
  delete globalThis.klWorkerStarted;
});

test("a started worker is a module worker at the build's address, started once", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = client();
  const booted = python.start();
  assert.equal(python.start(), booted);
  assert.equal(FakeWorker.made.length, 1);
  const [worker] = FakeWorker.made;
  assert.ok(worker.url.startsWith(WORKER_URL + "#"), worker.url);
  assert.deepEqual(worker.options, { type: "module" });
  assert.equal(window.klWorkerStarted, true); // the head's early start must not start a second one
});

test("a request stuck past the watchdog restarts Python, answers it stopped and sends the others again", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = client();
  python.start();
  const [first] = FakeWorker.made;
  first.say(READY);
  const stuck = python.request("layer", { filters: "100000" });
  const other = python.request("layer", { filters: "8" });
  t.mock.timers.tick(WATCHDOG_S * 1000 - 1);
  assert.equal(FakeWorker.made.length, 1);
  t.mock.timers.tick(1);
  assert.equal(first.terminated, true);
  assert.equal(FakeWorker.made.length, 2);
  assert.deepEqual(await stuck, { ok: false, field: "", message: STOPPED, stopped: true });
  const second = FakeWorker.made[1];
  assert.deepEqual(second.posted.map((msg) => msg.inputs), [{ filters: "8" }]);
  second.say(READY);
  second.answer(second.posted[0], { ok: true, html: "<p>8</p>" });
  assert.deepEqual(await other, { id: second.posted[0].id, ok: true, html: "<p>8</p>" });
  assert.deepEqual(failures, []);
});

test("the watchdog gives each request its own time from when Python is free for it", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = client();
  python.start();
  const [worker] = FakeWorker.made;
  const first = python.request("layer", {});
  const second = python.request("layer", {});
  t.mock.timers.tick(30_000); // Python still starting: no watchdog yet
  worker.say(READY);
  t.mock.timers.tick(WATCHDOG_S * 1000 - 1);
  worker.answer(worker.posted[0], { ok: true });
  assert.equal((await first).ok, true);
  t.mock.timers.tick(WATCHDOG_S * 1000 - 1);
  assert.equal(worker.terminated, false);
  t.mock.timers.tick(1);
  assert.equal(worker.terminated, true);
  assert.equal((await second).stopped, true);
});

test("Python not running STARTUP_S after the start: every request fails, the page says why, Retry starts again", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = client();
  const booted = python.start();
  const waiting = python.request("layer", {});
  t.mock.timers.tick(STARTUP_S * 1000);
  const why = `it was not running ${STARTUP_S} s after it started`;
  await assert.rejects(booted, new Error(why));
  assert.deepEqual(await waiting, { ok: false, unavailable: true });
  assert.deepEqual(failures, [why]);
  assert.equal(FakeWorker.made[0].terminated, true);
  assert.deepEqual(await python.request("layer", {}), { ok: false, unavailable: true });
  assert.equal(python.forgetFailure(), true);
  python.start();
  assert.equal(FakeWorker.made.length, 2);
  assert.equal(python.forgetFailure(), false); // not failed (yet): nothing to retry
});

test("the worker's own boot error and a script that cannot load end the start, saying why", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = client();
  const booted = python.start();
  FakeWorker.made[0].say({ type: "boot-error", message: "pyodide.asm.wasm: HTTP 404" });
  await assert.rejects(booted, /pyodide\.asm\.wasm: HTTP 404/);
  python.forgetFailure();
  const again = python.start();
  let prevented = false;
  FakeWorker.made[1].onerror({ message: "", preventDefault: () => { prevented = true; } });
  await assert.rejects(again, /its script could not be loaded \(python-worker\.0123456789\.mjs or pyodide\.mjs\)/);
  assert.equal(prevented, true);
  assert.equal(failures.length, 2);
});

test("a browser that cannot make a module worker is told apart", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.Worker = class {
    constructor() {
      throw new TypeError("module workers are not supported");
    }
  };
  await assert.rejects(client().start(), new Error(UNAVAILABLE));
  assert.deepEqual(failures, [UNAVAILABLE]);
});

test("the worker the page's head started is adopted, with what it said meanwhile", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const early = new FakeWorker("early");
  FakeWorker.made = [];
  const timings = { boot: "snapshot", snapshot: "key", makeSnapshot: false };
  window.klEarlyWorker = { worker: early, messages: [{ type: "ready", timings }] };
  const python = client();
  await python.start();
  assert.equal(FakeWorker.made.length, 0);
  assert.equal(window.klEarlyWorker, null);
  assert.equal(python.running, true);
  assert.deepEqual(window.klWorkerTimings, timings);
  const reply = python.request("layer", { filters: "8" });
  assert.deepEqual(early.posted.map((msg) => msg.inputs), [{ filters: "8" }]);
  early.answer(early.posted[0], { ok: true });
  assert.equal((await reply).ok, true);
});

test("an early worker that failed before the page's script ran fails the start", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  window.klEarlyWorker = { worker: new FakeWorker("early"), messages: [], error: "worker failed" };
  await assert.rejects(client().start(), new Error("worker failed"));
  assert.deepEqual(failures, ["worker failed"]);
});

test("a worker that cannot load is named by its file, without folders or settings", () => {
  assert.equal(scriptName(WORKER_URL), "python-worker.0123456789.mjs");
});
