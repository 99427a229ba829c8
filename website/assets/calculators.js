// Kernel Lab calculators, browser side. Carries form values to the Python worker and puts the HTML it
// returns into the page; it computes nothing itself. One worker serves every calculator and survives
// Material's instant navigation. On a warm visit the calculator page's head starts it (early-start.js);
// otherwise it starts when a calculator comes into view or is touched. Pages without calculators never start it.
(function () {
  "use strict";

  // The worker's address, with this build's settings in its query: each calculator's data-worker, relative to this
  // script's folder (written by the build: website/kernel_lab_mkdocs/calculators.py).
  const SCRIPT_URL = document.currentScript.src;
  function workerURL() {
    const root = document.querySelector(".kl-calc[data-worker]");
    return new URL(root ? root.dataset.worker : "python-worker.mjs", SCRIPT_URL).href;
  }
  const UNAVAILABLE = "this browser cannot run it";
  // A request still running after WATCHDOG_S ends: the worker is stopped and started afresh, and the page's other
  // requests are sent again, so that one input asking for too much work does not freeze every calculator.
  const WATCHDOG_S = 10;
  // Python must be running this long after the worker started, or the start has failed (the worker itself gives
  // up sooner on a host that does not answer: python-worker.mjs, STALL_S).
  const STARTUP_S = 120;

  let worker = null; // the Worker, once started
  let booted = null; // Promise resolved when Python is ready, rejected when it cannot start
  let bootFailed = false;
  let running = false; // Python is up and answering
  let snapshotAsked = false;
  let nextId = 0;
  const pending = new Map(); // request id -> {resolve, msg}, in the order sent (the order the worker answers in)
  let watchdog = 0;

  function startWorker() {
    if (booted) return booted;
    window.klWorkerStarted = true; // the head's early start (warm visits) must not start a second one
    bootFailed = false;
    running = false;
    booted = new Promise(function (resolve, reject) {
      const startup = setTimeout(function () {
        fail("it was not running " + STARTUP_S + " s after it started");
      }, STARTUP_S * 1000);
      function fail(message) {
        clearTimeout(startup);
        if (bootFailed || running) return;
        bootFailed = true;
        if (worker) worker.terminate();
        reject(new Error(message));
        for (const waiting of pending.values()) waiting.resolve({ ok: false, unavailable: true });
        pending.clear();
        for (const root of activeCalculators()) showFailure(root, message);
      }
      // On a warm visit the page's head has started the worker already (website/kernel_lab_mkdocs/calculators.py,
      // EARLY_START), keeping what it said until now.
      const early = window.klEarlyWorker;
      window.klEarlyWorker = null;
      try {
        if (early) {
          worker = early.worker;
        } else {
          performance.mark("kl-worker-start", { detail: "calculators.js" });
          worker = new Worker(workerURL() + "#" + performance.timeOrigin, { type: "module" });
        }
      } catch (error) {
        worker = null;
        fail(UNAVAILABLE);
        return;
      }
      worker.onmessage = function (event) {
        onMessage(event.data);
      };
      worker.onerror = function (event) {
        event.preventDefault();
        fail(event.message || "its script could not be loaded (" + WORKER_URL.split("/").pop() + " or pyodide.mjs)");
      };
      if (early) {
        for (const msg of early.messages) onMessage(msg);
        if (early.error) fail(early.error);
      }

      function onMessage(msg) {
        if (msg.type === "ready") {
          clearTimeout(startup);
          running = true;
          window.klWorkerTimings = msg.timings; // how it booted (snapshot or normal), for the benchmark
          rememberSnapshot(msg.timings.boot === "snapshot" ? msg.timings.snapshot : null);
          resolve();
          armWatchdog(false);
          if (msg.timings.makeSnapshot && !snapshotAsked) {
            snapshotAsked = true;
            whenIdle(makeSnapshot);
          }
        } else if (msg.type === "boot-error") {
          fail(msg.message);
        } else if (pending.has(msg.id)) {
          const waiting = pending.get(msg.id);
          pending.delete(msg.id);
          armWatchdog(true);
          waiting.resolve(msg);
        }
      }
    });
    booted.catch(function () {}); // handled by each calculator; never an unhandled rejection
    return booted;
  }

  // While Python runs and requests wait, the oldest one must be answered within WATCHDOG_S of Python being free
  // for it (Python up, or the request before it answered).
  function armWatchdog(answered) {
    if (answered || !pending.size) {
      clearTimeout(watchdog);
      watchdog = 0;
    }
    if (running && pending.size && !watchdog) watchdog = setTimeout(stopStuckWorker, WATCHDOG_S * 1000);
  }

  function stopStuckWorker() {
    watchdog = 0;
    const [stuck, ...others] = pending.values();
    pending.clear();
    worker.terminate();
    booted = null;
    startWorker();
    for (const waiting of others) {
      if (bootFailed) {
        waiting.resolve({ ok: false, unavailable: true });
      } else {
        pending.set(waiting.msg.id, waiting);
        worker.postMessage(waiting.msg);
      }
    }
    const message =
      "Stopped: these inputs took more than " + WATCHDOG_S + " s to compute, so the page restarted Python. " +
      "Try smaller values.";
    stuck.resolve({ ok: false, field: "", message: message, stopped: true });
  }

  // After a failed start: the Retry button, or the connection coming back.
  function retryStart() {
    if (!bootFailed) return;
    booted = null;
    for (const root of activeCalculators()) {
      root.klActive = false;
      activate(root);
    }
  }

  // Run fn once the reader has sent nothing to the worker for QUIET_MS and the page is idle, so that making the
  // snapshot (a second Python start, about a second of CPU) does not compete with the reader's typing.
  const QUIET_MS = 3000;
  let lastRequest = 0;
  function whenIdle(fn) {
    const check = function () {
      const wait = lastRequest + QUIET_MS - performance.now();
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
  function makeSnapshot() {
    let maker;
    const done = function (result) {
      window.klSnapshot = result;
      if (result.made) rememberSnapshot(result.snapshot);
      if (maker) maker.terminate();
    };
    try {
      maker = new Worker(workerURL() + "#snapshot", { type: "module" }); // the same file, from the cache
    } catch (error) {
      done({ made: false, reason: String(error) });
      return;
    }
    maker.onmessage = function (event) { done(event.data); };
    maker.onerror = function (event) {
      event.preventDefault();
      done({ made: false, reason: event.message || "snapshot worker failed" });
    };
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

  // Post a request (the worker queues it while Python boots); resolves with the reply.
  function request(name, inputs, data) {
    return new Promise(function (resolve) {
      if (!worker || bootFailed) {
        resolve({ ok: false, unavailable: true });
        return;
      }
      const msg = { id: ++nextId, name: name, inputs: inputs, data: data || null };
      lastRequest = performance.now();
      pending.set(msg.id, { resolve: resolve, msg: msg });
      worker.postMessage(msg);
      armWatchdog(false);
    });
  }

  function readForm(root) {
    const inputs = {};
    for (const el of root.querySelectorAll("form [name]")) {
      if (el.type === "file") continue;
      inputs[el.name] = el.type === "checkbox" ? el.checked : el.value;
    }
    return inputs;
  }

  function setState(root, state) {
    root.dataset.state = state;
  }

  function showStatus(root, text) {
    const status = root.querySelector(".kl-status");
    if (status) status.textContent = text;
  }

  function clearErrors(root) {
    for (const msg of root.querySelectorAll(".kl-msg")) msg.textContent = "";
    for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  function showError(root, field, message) {
    const el = field ? root.querySelector('form [name="' + field + '"]') : null;
    const slot = el ? root.querySelector("#" + CSS.escape(el.id + "-msg")) : null;
    if (slot) {
      slot.textContent = message;
      el.setAttribute("aria-invalid", "true");
      showStatus(root, "Not updated: " + message);
    } else {
      showStatus(root, message);
    }
    markStale(root);
    dropStaleModel(root, field);
  }

  // The output dimmed: it does not reflect the form.
  function markStale(root) {
    const output = root.querySelector("[data-calc-output]");
    output.classList.add("kl-stale");
    output.dataset.stale = "true";
  }

  // --- what state the numbers are in, in words (the status line) ----------------------------------------------
  // Before Python runs: what the output shows, and what starting costs (data-download: what a first visit
  // fetches, from the build).
  function showWaiting(root) {
    if (running || bootFailed) return;
    const size = root.dataset.download ? " (about " + root.dataset.download + " to download on a first visit)" : "";
    const shown = root.klChanged ? "Not yet computed for " + root.klChanged : "Computed for the default inputs";
    showStatus(root, shown + "; starting Python" + size + "…");
  }

  // Python could not start: why, and a Retry button (the page also retries when the connection comes back).
  function showFailure(root, reason) {
    setState(root, "error");
    const offline = navigator.onLine === false ? " This browser is offline: the page tries again when it is back online." : "";
    const shown = root.klComputed ? "the last computed here" : "those computed when the site was built";
    showStatus(root, "Interactive mode is unavailable: Python could not start (" + reason + "). The figures shown are " + shown + "." + offline);
    if (reason === UNAVAILABLE) return;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "kl-button";
    retry.textContent = "Retry";
    retry.addEventListener("click", retryStart);
    root.querySelector(".kl-status").append(" ", retry);
  }

  function activeCalculators() {
    return Array.from(document.querySelectorAll("[data-calc]")).filter(function (root) { return root.klActive; });
  }

  function showResult(root, html) {
    const output = root.querySelector("[data-calc-output]");
    const focused = focusKey(output);
    output.innerHTML = html;
    makeSortable(root);
    scrollableTables(output);
    if (focused) refocus(output, focused);
    output.classList.remove("kl-stale");
    delete output.dataset.stale;
    root.klChanged = null;
    root.klComputed = true;
    showStatus(root, "");
  }

  // The output's element that has the focus (a step or preset button, the drawing, a copy button), as a selector
  // that finds its counterpart in the redrawn output, so that the keyboard stays where it was: Enter twice on a
  // step button steps twice.
  const FOCUS_KEYS = ["data-step", "data-preset", "data-pick", "data-copy-code", "data-download", "data-diagram"];
  function focusKey(output) {
    const el = document.activeElement;
    if (!el || el === output || !output.contains(el)) return null;
    const name = FOCUS_KEYS.find(function (key) { return el.hasAttribute(key); });
    if (!name) return "[data-diagram]";
    let selector = "[" + name + '="' + CSS.escape(el.getAttribute(name)) + '"]';
    if (name === "data-step") selector += '[data-by="' + CSS.escape(el.dataset.by) + '"]';
    return selector;
  }

  // Focus that element again, or the drawing when it is gone or disabled (a step button at the edge).
  function refocus(output, selector) {
    const again = output.querySelector(selector);
    const target = again && !again.disabled ? again : output.querySelector("[data-diagram]") || output;
    target.focus({ preventScroll: true });
  }

  // A table wider than the output scrolls sideways in its own box (calculators.css); keyboard users reach it too
  // (axe: scrollable-region-focusable).
  function scrollableTables(output) {
    for (const tableEl of output.querySelectorAll("table")) {
      if (tableEl.scrollWidth > tableEl.clientWidth + 1) tableEl.tabIndex = 0;
    }
  }

  // A preset button: its fields into the form (data-preset, JSON of field: value), then one recompute.
  function applyPreset(root, button) {
    const values = JSON.parse(button.dataset.preset);
    for (const name of Object.keys(values)) {
      const el = root.querySelector('form [name="' + CSS.escape(name) + '"]');
      if (!el) continue;
      if (el.type === "checkbox") el.checked = ["1", "true", "on", "yes"].includes(String(values[name]).toLowerCase());
      else el.value = values[name];
    }
    const first = root.querySelector("form [name]");
    if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // A cell of the drawing: an output unit (data-pick="row col") becomes the drawn one; any cell that says what it
  // holds (data-say) says it in the drawing's line for that (.kl-said).
  function onCell(root, cell) {
    const said = cell.closest("[data-diagram]") && cell.closest("[data-diagram]").querySelector(".kl-said");
    if (said && cell.dataset.say) said.textContent = cell.dataset.say;
    if (!cell.dataset.pick) return;
    const [row, col] = cell.dataset.pick.split(" ");
    const fields = [root.querySelector('form [name="row"]'), root.querySelector('form [name="col"]')];
    if (!fields[0] || !fields[1]) return;
    fields[0].value = row;
    fields[1].value = col;
    fields[1].dispatchEvent(new Event("input", { bubbles: true }));
  }

  // After an error in the analyzer's model, the previous model's table would be taken for this one's: it goes.
  function dropStaleModel(root, field) {
    if (root.dataset.calc !== "analyzer" || !["source", "model_file", "application"].includes(field)) return;
    const note = document.createElement("p");
    note.className = "kl-note";
    note.textContent = "No table: this model could not be read (the message is at the field above).";
    root.querySelector("[data-calc-output]").replaceChildren(note);
  }

  // --- the inputs in the page's URL -------------------------------------------------------------------------
  // Fields that differ from the page's defaults go into the query string under their own names (prefixed with
  // the calculator's name where a page has several), so that a link reproduces the result. Updated in place
  // (replaceState), so typing adds no history entries. Long texts (a pasted model) and files stay out.
  const MAX_URL_VALUE = 400;

  function paramName(root, field) {
    return document.querySelectorAll("[data-calc]").length > 1 ? root.dataset.calc + "." + field : field;
  }

  function linkable(el) {
    return el.type !== "file" && el.tagName !== "TEXTAREA";
  }

  function writeUrl(root) {
    const url = new URL(location.href);
    const values = readForm(root);
    for (const el of root.querySelectorAll("form [name]")) {
      if (!linkable(el)) continue;
      const key = paramName(root, el.name);
      const value = String(values[el.name]);
      if (value === String(root.klDefaults[el.name]) || value.length > MAX_URL_VALUE) url.searchParams.delete(key);
      else url.searchParams.set(key, value);
    }
    if (url.href !== location.href) history.replaceState(history.state, "", url.href);
  }

  // Values from the URL into the form; true when there were any. A value a field cannot take is kept as it
  // is (a select gets an extra option), so that the calculator answers with the same message as when typed.
  function readUrl(root) {
    const params = new URL(location.href).searchParams;
    let found = false;
    for (const el of root.querySelectorAll("form [name]")) {
      const key = paramName(root, el.name);
      if (!linkable(el) || !params.has(key)) continue;
      const value = params.get(key);
      found = true;
      if (el.type === "checkbox") {
        el.checked = ["1", "true", "on", "yes"].includes(value.trim().toLowerCase());
      } else {
        if (el.tagName === "SELECT" && !Array.from(el.options).some(function (o) { return o.value === value; })) {
          el.add(new Option(value, value));
        }
        el.value = value;
      }
    }
    return found;
  }

  // The Keras script or the command shown in a result, to the clipboard.
  // Text to the clipboard; the status line says which happened.
  // The button pressed says it too, for two seconds ("Copied"), where the reader is looking.
  function copyText(root, text, copied, refused, button) {
    const say = function (message, label) {
      showStatus(root, message);
      if (!button) return;
      if (!button.dataset.label) button.dataset.label = button.textContent;
      button.textContent = label;
      clearTimeout(button.klReset);
      button.klReset = setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
    };
    const fail = function () { say(refused, "Not copied"); };
    if (!navigator.clipboard || !navigator.clipboard.writeText) return fail();
    navigator.clipboard.writeText(text).then(function () { say(copied, "Copied"); }, fail);
  }

  function copyCode(root, button) {
    const code = button.closest("[data-calc-code], [data-calc-command]").querySelector("code");
    const what = button.closest("[data-calc-code]") ? "Keras code" : "Command";
    copyText(root, code.textContent, what + " copied.", "Copying was refused: select the text and copy it.", button);
  }

  // A pasted or dropped model is not in the link (only short fields are): the message says so.
  function copyLink(root, button) {
    writeUrl(root);
    const text = root.querySelector("form textarea");
    const pasted = text && text.value.trim() && text.value !== String(root.klDefaults[text.name]);
    const own = !root.klApp && (root.klFile || pasted);
    const copied = own
      ? "Link copied. It holds the other inputs but not your model, which stays in this page: whoever opens it " +
        "sees the example model until they paste or drop theirs."
      : "Link copied: it opens this calculator with these inputs.";
    copyText(root, location.href, copied, "Copy this page's address: " + location.href, button);
  }

  // --- the analyzer: Keras's own models, sorting, downloads -------------------------------------------------
  const SITE_ROOT = new URL("../../", document.currentScript.src); // calculators.js is in assets/kernel-lab/

  // A keras.applications model picked from the list: its compact config is fetched now (only now), and handed
  // to the analyzer as the bytes of a file (Python decompresses it).
  function loadApplication(root) {
    const pick = root.querySelector('select[name="application"]');
    const name = pick ? pick.value : "";
    if (!name || name === root.klApp) return Promise.resolve();
    if (root.klLoading && root.klLoading.name === name) return root.klLoading.done; // one fetch per pick
    const url = new URL("assets/models/applications/" + encodeURIComponent(name) + ".json.gz", SITE_ROOT);
    const done = fetch(url)
      .then(function (response) {
        if (!response.ok) throw new Error(name + ": HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        if (pick.value !== name) return; // picked something else meanwhile
        root.klFile = new Uint8Array(buffer);
        root.klApp = name;
      })
      .finally(function () {
        if (root.klLoading && root.klLoading.done === done) root.klLoading = null;
      });
    root.klLoading = { name: name, done: done };
    return done;
  }

  function forgetApplication(root) {
    const pick = root.querySelector('select[name="application"]');
    if (pick) pick.value = "";
    root.klApp = null;
  }

  function cellValue(cell) {
    const text = cell.textContent.trim();
    const number = Number(text.replace(/,/g, ""));
    return text !== "" && !Number.isNaN(number) ? number : text;
  }

  // Tables marked kl-sortable sort by a column when its header is pressed (again: the other way).
  function makeSortable(root) {
    for (const tableEl of root.querySelectorAll("table.kl-sortable")) {
      const heads = tableEl.querySelectorAll("thead th");
      heads.forEach(function (th, column) {
        if (th.querySelector("button")) return;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "kl-sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.append(button);
        button.addEventListener("click", function () { sortBy(tableEl, th, column); });
        th.addEventListener("click", function (event) { if (event.target === th) button.click(); }); // the whole cell
      });
    }
  }

  function sortBy(tableEl, th, column) {
    const descending = th.getAttribute("aria-sort") !== "descending";
    for (const other of tableEl.querySelectorAll("thead th")) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    const body = tableEl.tBodies[0];
    const rows = Array.from(body.rows).map(function (row, index) { return { row, index, key: cellValue(row.cells[column]) }; });
    rows.sort(function (a, b) {
      const numeric = typeof a.key === "number" && typeof b.key === "number";
      let order = numeric ? a.key - b.key : String(a.key).localeCompare(String(b.key), undefined, { numeric: true });
      if (!numeric && typeof a.key !== typeof b.key) order = typeof a.key === "number" ? 1 : -1; // "—", "?" last
      return (descending ? -order : order) || a.index - b.index;
    });
    body.append(...rows.map(function (r) { return r.row; }));
  }

  // The analyzer's whole table (the page shows at most a few thousand rows), in the model's order, as CSV or
  // JSON: made by the worker (kernel_lab.analyzer.layers_file) from the same inputs.
  async function download(root, kind) {
    const reply = await request(root.dataset.calc + "." + kind, readForm(root), root.klFile);
    if (!reply.ok) {
      showStatus(root, "Not downloaded: " + (reply.unavailable ? "the calculator is not running" : reply.message));
      return;
    }
    const text = reply.text;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: kind === "json" ? "application/json" : "text/csv" }));
    link.download = (root.klApp || "model") + "-layers." + kind;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // --- stepping the drawn convolution ------------------------------------------------------------------------
  // A step button names a field (row or col) and a step (-1 or 1); the worker redraws, and disables the buttons
  // that would leave the output. The arrow keys press them when the drawing has the focus.
  const ARROWS = { ArrowUp: ["row", "-1"], ArrowDown: ["row", "1"], ArrowLeft: ["col", "-1"], ArrowRight: ["col", "1"] };

  function step(root, button) {
    const field = root.querySelector('form [name="' + button.dataset.step + '"]');
    if (!field || button.disabled) return;
    field.value = String(Number(field.value) + Number(button.dataset.by));
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function onDiagramKey(root, event) {
    const arrow = ARROWS[event.key];
    if (!arrow || !event.target.closest("[data-diagram]")) return;
    event.preventDefault();
    const button = root.querySelector('[data-step="' + arrow[0] + '"][data-by="' + arrow[1] + '"]');
    if (button) step(root, button);
  }

  // Recompute with the current inputs; only the newest request of a calculator is shown.
  const SLOW_MS = 300;
  async function recompute(root, data) {
    const ticket = (root.klTicket = (root.klTicket || 0) + 1);
    try {
      await loadApplication(root);
    } catch (error) {
      if (ticket !== root.klTicket) return;
      clearErrors(root);
      showError(root, "application", "Could not load the model: " + error.message);
      return;
    }
    // A change Python takes a while to answer: the output is dimmed and the status says so meanwhile.
    const slow = setTimeout(function () {
      if (ticket !== root.klTicket || !running) return;
      markStale(root);
      showStatus(root, "Computing…");
    }, SLOW_MS);
    const reply = await request(root.dataset.calc, readForm(root), data || root.klFile);
    clearTimeout(slow);
    if (ticket !== root.klTicket || reply.unavailable) return;
    root.dataset.computeMs = reply.ms; // time spent in Python (scripts/bench/browser.py reads it)
    clearErrors(root);
    if (reply.ok) showResult(root, reply.html);
    else showError(root, reply.field, reply.message);
    performance.mark("kl-result");
    root.dispatchEvent(new CustomEvent("kl:result", { bubbles: true }));
  }

  async function activate(root) {
    if (root.klActive) return;
    root.klActive = true;
    if (root.dataset.state !== "ready") setState(root, "loading");
    startWorker();
    showWaiting(root);
    const first = recompute(root); // sent at once: the worker answers it as soon as Python is up
    try {
      await booted;
    } catch (error) {
      showFailure(root, error.message);
      return;
    }
    await first;
    setState(root, "ready");
    performance.mark("kl-ready"); // read by scripts/bench/browser.py
  }

  async function readFile(root, file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (file.name.endsWith(".json")) {
      const text = root.querySelector("textarea");
      if (text) text.value = new TextDecoder().decode(bytes);
      root.klFile = null;
    } else {
      root.klFile = bytes;
    }
  }

  // A file larger than the analyzer reads is refused by its size, before any of it is read: the limits come
  // from the build (data-file-limits: {"json": [bytes, "what it reads"], "other": [...]}).
  function refusedFile(root, file) {
    const limits = root.dataset.fileLimits ? JSON.parse(root.dataset.fileLimits) : null;
    const limit = limits && limits[file.name.toLowerCase().endsWith(".json") ? "json" : "other"];
    if (!limit || file.size <= limit[0]) return false;
    clearErrors(root);
    showError(root, "model_file", file.name + " was not read: the analyzer reads " + limit[1] + ".");
    return true;
  }

  // The form no longer matches the output: until Python runs and answers, the output is dimmed and the status
  // says so.
  function formChanged(root, what) {
    root.klChanged = what;
    if (running) return;
    markStale(root);
    showWaiting(root);
  }

  // Every change is sent at once; while Python starts, the worker queues requests, and only the newest
  // answer is shown.
  function onChange(root, event) {
    activate(root);
    if (event.target.type === "file") {
      const file = event.target.files[0];
      if (file && refusedFile(root, file)) {
        event.target.value = "";
        return;
      }
      forgetApplication(root);
      writeUrl(root);
      formChanged(root, "your inputs");
      if (file) readFile(root, file).then(function () { recompute(root); });
      return;
    }
    formChanged(root, "your inputs");
    if (event.target.tagName === "TEXTAREA") {
      root.klFile = null;
      forgetApplication(root);
    }
    if (event.target.name === "application" && !event.target.value) root.klFile = null;
    writeUrl(root);
    recompute(root);
  }

  function onDrop(root, event) {
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    event.preventDefault();
    root.classList.remove("kl-drag");
    activate(root);
    if (refusedFile(root, file)) return;
    forgetApplication(root);
    formChanged(root, "your inputs");
    readFile(root, file).then(function () { recompute(root); });
  }

  function mount(root) {
    if (root.klMounted) return;
    root.klMounted = true;
    root.klDefaults = readForm(root); // as built: a plain URL keeps this result
    const form = root.querySelector("form");
    const copy = root.querySelector("[data-copy-link]");
    if (copy) copy.addEventListener("click", function () { copyLink(root, copy); });
    const output = root.querySelector("[data-calc-output]");
    output.addEventListener("click", function (event) {
      const button = event.target.closest("[data-download]");
      if (button && output.contains(button)) download(root, button.dataset.download); // not the root's own
      const stepper = event.target.closest("[data-step]");
      if (stepper) step(root, stepper);
      const copier = event.target.closest("[data-copy-code]");
      if (copier) copyCode(root, copier);
      const preset = event.target.closest("[data-preset]");
      if (preset) applyPreset(root, preset);
      const cell = event.target.closest("[data-pick], [data-say]");
      if (cell) onCell(root, cell);
    });
    output.addEventListener("keydown", function (event) { onDiagramKey(root, event); });
    makeSortable(root);
    scrollableTables(output);
    if (root.dataset.state === "static") showStatus(root, "Computed for the default inputs when the page was built.");
    if (readUrl(root)) {
      formChanged(root, "the inputs from the link");
      activate(root);
    }
    form.addEventListener("input", function (event) { onChange(root, event); });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file" || event.target.tagName === "SELECT" || event.target.type === "checkbox") {
        onChange(root, event);
      }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    root.addEventListener("focusin", function () { activate(root); });
    root.addEventListener("pointerdown", function () { activate(root); });
    if (root.querySelector('input[type="file"]')) {
      root.addEventListener("dragover", function (event) {
        event.preventDefault();
        root.classList.add("kl-drag");
      });
      root.addEventListener("dragleave", function () { root.classList.remove("kl-drag"); });
      root.addEventListener("drop", function (event) { onDrop(root, event); });
    }
  }

  // A calculator that comes into view starts the worker; a second page finds it already running.
  const observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(function (entries) {
          for (const entry of entries) {
            if (entry.isIntersecting) {
              observer.unobserve(entry.target);
              activate(entry.target);
            }
          }
        }, { rootMargin: "0px 0px 50% 0px" }) // start a little before it scrolls into view
      : null;

  // The theme's search dialog has no accessible name (axe-core: aria-dialog-name).
  function labelSearchDialog() {
    const dialog = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
    if (dialog) dialog.setAttribute("aria-label", "Search");
  }

  // The theme wraps wide Markdown tables in a scrolling box; make it reachable by keyboard
  // (axe-core: scrollable-region-focusable).
  function focusableScrollRegions() {
    for (const box of document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])")) {
      box.setAttribute("tabindex", "0");
    }
  }

  function mountAll() {
    for (const root of document.querySelectorAll("[data-calc]")) {
      mount(root);
      if (observer) observer.observe(root);
      else activate(root);
    }
  }

  // Fix-ups of what the theme builds (table wrappers): once it has mounted the page's components, which it may
  // do after this script's own subscriber has run.
  function afterTheme() {
    labelSearchDialog();
    focusableScrollRegions();
  }

  // This script runs after the page is parsed: mount the calculators now instead of waiting for the theme's
  // first document$, and mount again on every instant navigation (mounting twice is harmless).
  mountAll();
  afterTheme();
  function onDocument() {
    mountAll();
    setTimeout(afterTheme);
  }
  if (window.document$) window.document$.subscribe(onDocument);
  else document.addEventListener("DOMContentLoaded", onDocument);
  window.addEventListener("online", retryStart);
})();
