// The page's side of the Python worker (python-worker.mjs): starting it, or adopting the one the page's head
// started (early-start.js), requests and their answers, the watchdog that restarts a stuck Python, the start-up
// timeout, and the second worker that makes a memory snapshot. One PythonWorker serves every calculator of the
// page and survives Material's instant navigation.

export const UNAVAILABLE = "this browser cannot run it";
// A request still running after WATCHDOG_S ends: the worker is stopped and started afresh, and the page's other
// requests are sent again, so that one input asking for too much work does not freeze every calculator.
export const WATCHDOG_S = 10;
// Python must be running this long after the worker started, or the start has failed (the worker itself gives
// up sooner on a host that does not answer: python-worker.mjs, STALL_S).
export const STARTUP_S = 120;
// Making the snapshot waits until the reader has sent nothing to the worker for QUIET_MS and the page is idle.
export const QUIET_MS = 3000;

export const STOPPED =
  "Stopped: these inputs took more than " + WATCHDOG_S + " s to compute, so the page restarted Python. " +
  "Try smaller values.";

// The file named in a message about a worker that could not load: its address without folders or query.
export function scriptName(url) {
  return new URL(url).pathname.split("/").pop();
}

export class PythonWorker {
  // workerURL(): the worker's address (with the build's settings in its query); onFailure(message): Python could
  // not start, said by every active calculator.
  constructor(workerURL, onFailure) {
    this.workerURL = workerURL;
    this.onFailure = onFailure;
    this.worker = null; // the Worker, once started
    this.booted = null; // Promise resolved when Python is ready, rejected when it cannot start
    this.failed = false; // the last start failed
    this.running = false; // Python is up and answering
    this.snapshotAsked = false;
    this.nextId = 0;
    this.pending = new Map(); // request id -> {resolve, msg}, in the order sent (the order the worker answers in)
    this.watchdog = 0;
    this.lastRequest = 0;
  }

  start() {
    if (this.booted) return this.booted;
    window.klWorkerStarted = true; // the head's early start (warm visits) must not start a second one
    this.failed = false;
    this.running = false;
    this.booted = new Promise((resolve, reject) => {
      const startup = setTimeout(() => {
        fail("it was not running " + STARTUP_S + " s after it started");
      }, STARTUP_S * 1000);
      const fail = (message) => {
        clearTimeout(startup);
        if (this.failed || this.running) return;
        this.failed = true;
        if (this.worker) this.worker.terminate();
        reject(new Error(message));
        for (const waiting of this.pending.values()) waiting.resolve({ ok: false, unavailable: true });
        this.pending.clear();
        this.onFailure(message);
      };
      const onMessage = (msg) => {
        if (msg.type === "ready") {
          clearTimeout(startup);
          this.running = true;
          window.klWorkerTimings = msg.timings; // how it booted (snapshot or normal), for the benchmark
          rememberSnapshot(msg.timings.boot === "snapshot" ? msg.timings.snapshot : null);
          resolve();
          this.armWatchdog(false);
          if (msg.timings.makeSnapshot && !this.snapshotAsked) {
            this.snapshotAsked = true;
            this.whenIdle(() => this.makeSnapshot());
          }
        } else if (msg.type === "boot-error") {
          fail(msg.message);
        } else if (this.pending.has(msg.id)) {
          const waiting = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          this.armWatchdog(true);
          waiting.resolve(msg);
        }
      };
      // On a warm visit the page's head has started the worker already (website/kernel_lab_mkdocs/runtime.py,
      // EARLY_START), keeping what it said until now.
      const early = window.klEarlyWorker;
      window.klEarlyWorker = null;
      try {
        if (early) {
          this.worker = early.worker;
        } else {
          performance.mark("kl-worker-start", { detail: "calculators.js" });
          this.worker = new Worker(this.workerURL() + "#" + performance.timeOrigin, { type: "module" });
        }
      } catch (error) {
        this.worker = null;
        fail(UNAVAILABLE);
        return;
      }
      this.worker.onmessage = (event) => {
        onMessage(event.data);
      };
      this.worker.onerror = (event) => {
        event.preventDefault();
        const script = scriptName(this.workerURL());
        fail(event.message || "its script could not be loaded (" + script + " or pyodide.mjs)");
      };
      if (early) {
        for (const msg of early.messages) onMessage(msg);
        if (early.error) fail(early.error);
      }
    });
    this.booted.catch(() => {}); // handled by each calculator; never an unhandled rejection
    return this.booted;
  }

  // While Python runs and requests wait, the oldest one must be answered within WATCHDOG_S of Python being free
  // for it (Python up, or the request before it answered).
  armWatchdog(answered) {
    if (answered || !this.pending.size) {
      clearTimeout(this.watchdog);
      this.watchdog = 0;
    }
    if (this.running && this.pending.size && !this.watchdog) {
      this.watchdog = setTimeout(() => this.stopStuckWorker(), WATCHDOG_S * 1000);
    }
  }

  stopStuckWorker() {
    this.watchdog = 0;
    const [stuck, ...others] = this.pending.values();
    this.pending.clear();
    this.worker.terminate();
    this.booted = null;
    this.start();
    for (const waiting of others) {
      if (this.failed) {
        waiting.resolve({ ok: false, unavailable: true });
      } else {
        this.pending.set(waiting.msg.id, waiting);
        this.worker.postMessage(waiting.msg);
      }
    }
    stuck.resolve({ ok: false, field: "", message: STOPPED, stopped: true });
  }

  // After a failed start, a new one may begin (the caller activates the calculators again): true when it failed.
  forgetFailure() {
    if (!this.failed) return false;
    this.booted = null;
    return true;
  }

  // Post a request (the worker queues it while Python boots); resolves with the reply.
  request(name, inputs, data) {
    return new Promise((resolve) => {
      if (!this.worker || this.failed) {
        resolve({ ok: false, unavailable: true });
        return;
      }
      const msg = { id: ++this.nextId, name: name, inputs: inputs, data: data || null };
      this.lastRequest = performance.now();
      this.pending.set(msg.id, { resolve: resolve, msg: msg });
      this.worker.postMessage(msg);
      this.armWatchdog(false);
    });
  }

  // Run fn once the reader has sent nothing to the worker for QUIET_MS and the page is idle, so that making the
  // snapshot (a second Python start, about a second of CPU) does not compete with the reader's typing.
  whenIdle(fn) {
    const check = () => {
      const wait = this.lastRequest + QUIET_MS - performance.now();
      if (wait > 0 || document.hidden) {
        setTimeout(check, Math.max(wait, 500));
      } else if ("requestIdleCallback" in window) {
        window.requestIdleCallback(fn, { timeout: 10000 });
      } else {
        fn();
      }
    };
    setTimeout(check, QUIET_MS);
  }

  // A second worker makes a memory snapshot of Python with the calculators loaded, which the worker keeps in
  // Cache Storage and later visits start from (python-worker.mjs). It lives only for that; any failure just
  // means the next visit boots the normal way. window.klSnapshot: its outcome, for the tests and benchmark.
  makeSnapshot() {
    let maker;
    const done = function (result) {
      window.klSnapshot = result;
      if (result.made) rememberSnapshot(result.snapshot);
      if (maker) maker.terminate();
    };
    try {
      maker = new Worker(this.workerURL() + "#snapshot", { type: "module" }); // the same file, from the cache
    } catch (error) {
      done({ made: false, reason: String(error) });
      return;
    }
    maker.onmessage = function (event) {
      done(event.data);
    };
    maker.onerror = function (event) {
      event.preventDefault();
      done({ made: false, reason: event.message || "snapshot worker failed" });
    };
  }
}

// Which snapshot this browser keeps (its key, or null for none), for the head's early start on the next visit
// (early-start.js).
function rememberSnapshot(key) {
  try {
    if (key) localStorage.setItem("kernel-lab-snapshot", key);
    else localStorage.removeItem("kernel-lab-snapshot");
  } catch (error) {
    /* storage refused: the next visit starts the worker from calculators.js */
  }
}
