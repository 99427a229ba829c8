// One calculator (a [data-calc] element): its form's values go to the worker, the HTML that comes back replaces
// its output, and its status line says in words what state the numbers are in. Its state is this object's, not
// the element's.

import {
  dropStaleModel, download, forgetApplication, isPartial, loadApplication, makeSortable, needsWhole, readFile,
  refusedFile, restoreView, showRows, sortTable, tableView,
} from "./analyzer.js";
import { onCell, onDiagramKey, step } from "./drawing.js";
import {
  BUILT, clearErrors, failureWords, markCurrent, markStale, setState, showStatus, waitingWords,
} from "./status.js";
import { UNAVAILABLE } from "./worker-client.js";
import { copyLink, copyText, isOn, readForm, readUrl, writeUrl } from "./url-state.js";

// A change Python takes longer than this to answer: the output is dimmed and the status says so meanwhile.
const SLOW_MS = 300;

// The output's element that has the focus (a step or preset button, the drawing, a copy button), as a selector
// that finds its counterpart in the redrawn output, so that the keyboard stays where it was: Enter twice on a
// step button steps twice.
const FOCUS_KEYS = [
  "data-step", "data-preset", "data-pick", "data-copy-code", "data-download", "data-show-rows", "data-diagram",
];
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

export class Calculator {
  // root: the [data-calc] element; page: {worker: the page's PythonWorker, siteRoot: the site's address (for the
  // keras.applications models), retry: what the Retry button does after a failed start}.
  constructor(root, page) {
    this.root = root;
    this.worker = page.worker;
    this.siteRoot = page.siteRoot;
    this.retry = page.retry;
    this.active = false; // started: it asks the worker
    this.changed = null; // what changed the form since the output was computed ("your inputs"), or null
    this.computed = false; // the page has computed an output (not only the build)
    this.file = null; // a model file's bytes (dropped, picked or fetched), handed to the worker
    this.linkStale = false; // the page's address does not have the form's values yet
    this.application = null; // the keras.applications model whose config is in file
    this.loading = null; // {name, done}: the keras.applications model being fetched
    this.ticket = 0; // the newest request; only its answer is shown
    this.defaults = readForm(root); // as built: a plain URL keeps this result
  }

  showStatus(text) {
    showStatus(this.root, text);
  }

  showError(field, message) {
    const root = this.root;
    const el = field ? root.querySelector('form [name="' + field + '"]') : null;
    const slot = el ? root.querySelector("#" + CSS.escape(el.id + "-msg")) : null;
    if (slot) {
      slot.textContent = message;
      el.setAttribute("aria-invalid", "true");
      this.showStatus("Not updated: " + message);
    } else {
      this.showStatus(message);
    }
    markStale(root);
    dropStaleModel(root, field);
  }

  // Before Python runs: what the output shows, and what starting costs.
  showWaiting() {
    if (this.worker.running || this.worker.failed) return;
    this.showStatus(waitingWords(this.changed, this.root.dataset.download));
  }

  // Python could not start: why, and a Retry button (the page also retries when the connection comes back).
  showFailure(reason) {
    setState(this.root, "error");
    this.showStatus(failureWords(reason, this.computed, navigator.onLine === false));
    if (reason === UNAVAILABLE) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kl-button";
    button.textContent = "Retry";
    button.addEventListener("click", this.retry);
    this.root.querySelector(".kl-status").append(" ", button);
  }

  // HTML from the worker as a fragment, its tables sortable through this calculator.
  fragment(html) {
    const next = document.createElement("template");
    next.innerHTML = html;
    makeSortable(next.content, (tableEl, column, descending) => { this.sortRows(tableEl, column, descending); });
    return next.content;
  }

  // The new output is made ready (its table sortable, sorted and cut as the reader had the last one; the rest of a
  // long table fetched first where that needs it) before it goes into the page, so that the browser lays it out
  // once. ticket: the request it answers; a newer one drops it.
  async showResult(html, ticket) {
    const output = this.root.querySelector("[data-calc-output]");
    const view = tableView(output);
    const content = this.fragment(html);
    const partial = content.querySelector("table[data-rows]");
    if (partial && isPartial(partial) && needsWhole(view)) {
      const whole = await this.ask(this.root.dataset.calc + ".table");
      if (ticket !== this.ticket) return;
      if (whole.ok) partial.replaceWith(this.fragment(whole.html));
    }
    restoreView(content, view);
    const focused = focusKey(output);
    output.replaceChildren(content);
    scrollableTables(output);
    if (focused) refocus(output, focused);
    markCurrent(output);
    this.changed = null;
    this.computed = true;
    this.showStatus("");
  }

  // A long table that holds only its first rows, replaced by the whole table (its other rows hidden); resolves to
  // the whole table, or null when the inputs changed meanwhile or the worker could not make it (said).
  async wholeTable(tableEl) {
    if (!isPartial(tableEl)) return tableEl;
    const ticket = this.ticket;
    const reply = await this.ask(this.root.dataset.calc + ".table");
    if (ticket !== this.ticket || !tableEl.isConnected) return null;
    if (!reply.ok) {
      this.showStatus("The other rows are not here: " + (reply.unavailable ? "Python is not running" : reply.message));
      return null;
    }
    const content = this.fragment(reply.html);
    const whole = content.querySelector("table");
    tableEl.replaceWith(content);
    return whole;
  }

  // A header pressed: every row sorted, the keyboard kept on that header.
  async sortRows(tableEl, column, descending) {
    const focused = tableEl.contains(document.activeElement);
    const whole = await this.wholeTable(tableEl);
    if (!whole) return;
    sortTable(whole, column, descending);
    if (focused && whole !== tableEl) whole.querySelectorAll("thead th")[column].querySelector("button").focus();
  }

  // The button under a long table: every row, or the first again.
  async toggleRows(output) {
    const tableEl = output.querySelector("table[data-shown]");
    const whole = tableEl && (await this.wholeTable(tableEl));
    if (whole) showRows(output, !whole.hasAttribute("data-all"));
  }

  // A request to the worker with the form's values (and the model file's bytes, unless data is given).
  ask(name, data) {
    return this.worker.request(name, readForm(this.root), data || this.file);
  }

  // Recompute with the current inputs; only the newest request of a calculator is shown.
  async recompute(data) {
    const ticket = ++this.ticket;
    try {
      await loadApplication(this, this.siteRoot);
    } catch (error) {
      if (ticket !== this.ticket) return;
      clearErrors(this.root);
      this.showError("application", "Could not load the model: " + error.message);
      return;
    }
    // A change Python takes a while to answer: the output is dimmed and the status says so meanwhile.
    const slow = setTimeout(() => {
      if (ticket !== this.ticket || !this.worker.running) return;
      markStale(this.root);
      this.showStatus("Computing…");
    }, SLOW_MS);
    const asked = this.ask(this.root.dataset.calc, data);
    if (this.linkStale) {
      this.linkStale = false;
      writeUrl(this); // while the worker computes
    }
    const reply = await asked;
    clearTimeout(slow);
    if (ticket !== this.ticket || reply.unavailable) return;
    this.root.dataset.computeMs = reply.ms; // time spent in Python (scripts/bench/browser.py reads it)
    clearErrors(this.root);
    if (reply.ok) await this.showResult(reply.html, ticket);
    else this.showError(reply.field, reply.message);
    if (ticket !== this.ticket) return;
    performance.mark("kl-result");
    this.root.dispatchEvent(new CustomEvent("kl:result", { bubbles: true }));
  }

  // Start: the worker starts if it has not, and the first request is sent at once (the worker answers it as soon
  // as Python is up).
  async activate() {
    if (this.active) return;
    this.active = true;
    if (this.root.dataset.state !== "ready") setState(this.root, "loading");
    const booted = this.worker.start();
    this.showWaiting();
    const first = this.recompute();
    try {
      await booted;
    } catch (error) {
      this.showFailure(error.message);
      return;
    }
    await first;
    setState(this.root, "ready");
    performance.mark("kl-ready"); // read by scripts/bench/browser.py
  }

  // The form no longer matches the output: until Python runs and answers, the output is dimmed and the status
  // says so.
  formChanged(what) {
    this.changed = what;
    if (this.worker.running) return;
    markStale(this.root);
    this.showWaiting();
  }

  // Every change is sent at once; while Python starts, the worker queues requests, and only the newest answer is
  // shown.
  onChange(event) {
    this.activate();
    const target = event.target;
    if (target.type === "file") {
      const file = target.files[0];
      if (file && refusedFile(this, file)) {
        target.value = "";
        return;
      }
      forgetApplication(this);
      writeUrl(this);
      this.formChanged("your inputs");
      if (file) readFile(this, file).then(() => { this.recompute(); });
      return;
    }
    this.formChanged("your inputs");
    if (target.tagName === "TEXTAREA") {
      this.file = null;
      forgetApplication(this);
    }
    if (target.name === "application" && !target.value) this.file = null;
    this.linkStale = true;
    this.recompute();
  }

  onDrop(event) {
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    event.preventDefault();
    this.root.classList.remove("kl-drag");
    this.activate();
    if (refusedFile(this, file)) return;
    forgetApplication(this);
    this.formChanged("your inputs");
    readFile(this, file).then(() => { this.recompute(); });
  }

  // A preset button: its fields into the form (data-preset, JSON of field: value), then one recompute.
  applyPreset(button) {
    const values = JSON.parse(button.dataset.preset);
    for (const name of Object.keys(values)) {
      const el = this.root.querySelector('form [name="' + CSS.escape(name) + '"]');
      if (!el) continue;
      if (el.type === "checkbox") el.checked = isOn(String(values[name]));
      else el.value = values[name];
    }
    const first = this.root.querySelector("form [name]");
    if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // The Keras script or the command shown in a result, to the clipboard.
  copyCode(button) {
    const code = button.closest("[data-calc-code], [data-calc-command]").querySelector("code");
    const what = button.closest("[data-calc-code]") ? "Keras code" : "Command";
    copyText(this.root, code.textContent, what + " copied.", "Copying was refused: select the text and copy it.", button);
  }

  // Its listeners (once per element); inputs from the page's address, which start it.
  mount() {
    const root = this.root;
    const form = root.querySelector("form");
    const copy = root.querySelector("[data-copy-link]");
    if (copy) copy.addEventListener("click", () => { copyLink(this, copy); });
    const output = root.querySelector("[data-calc-output]");
    output.addEventListener("click", (event) => {
      const button = event.target.closest("[data-download]");
      if (button && output.contains(button)) download(this, button.dataset.download); // not the root's own
      const stepper = event.target.closest("[data-step]");
      if (stepper) step(root, stepper);
      const copier = event.target.closest("[data-copy-code]");
      if (copier) this.copyCode(copier);
      const preset = event.target.closest("[data-preset]");
      if (preset) this.applyPreset(preset);
      const cell = event.target.closest("[data-pick], [data-say]");
      if (cell) onCell(root, cell);
      if (event.target.closest("[data-show-rows]")) this.toggleRows(output);
    });
    output.addEventListener("keydown", (event) => { onDiagramKey(root, event); });
    makeSortable(root, (tableEl, column, descending) => { this.sortRows(tableEl, column, descending); });
    scrollableTables(output);
    if (root.dataset.state === "static") this.showStatus(BUILT);
    if (readUrl(root)) {
      this.formChanged("the inputs from the link");
      this.activate();
    }
    form.addEventListener("input", (event) => { this.onChange(event); });
    form.addEventListener("change", (event) => {
      const target = event.target;
      if (target.type === "file" || target.tagName === "SELECT" || target.type === "checkbox") this.onChange(event);
    });
    form.addEventListener("submit", (event) => { event.preventDefault(); });
    root.addEventListener("focusin", () => { this.activate(); });
    root.addEventListener("pointerdown", () => { this.activate(); });
    if (root.querySelector('input[type="file"]')) {
      root.addEventListener("dragover", (event) => {
        event.preventDefault();
        root.classList.add("kl-drag");
      });
      root.addEventListener("dragleave", () => { root.classList.remove("kl-drag"); });
      root.addEventListener("drop", (event) => { this.onDrop(event); });
    }
  }
}
