// The model analyzer's extras: keras.applications models fetched when picked, model files (their size limits,
// dropping, reading), its table sorted by a column, and the whole table downloaded as CSV or JSON. The files'
// contents are made by the worker (kernel_lab.analyzer.layers_file, which also makes cells a spreadsheet would
// take for a formula inert); this module only hands them to the browser.

import { clearErrors } from "./status.js";

// --- sorting ------------------------------------------------------------------------------------------------
// A cell's sort key: its number (thousands separators allowed), else its text.
export function cellValue(text) {
  text = text.trim();
  const number = Number(text.replace(/,/g, ""));
  return text !== "" && !Number.isNaN(number) ? number : text;
}

// Ascending order: numbers by value, text in the reader's collation (digits inside by value), text ("—", "?")
// below every number, so that it comes last in the first, descending, sort.
export function compareKeys(a, b) {
  const numeric = typeof a === "number" && typeof b === "number";
  let order = numeric ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true });
  if (!numeric && typeof a !== typeof b) order = typeof a === "number" ? 1 : -1;
  return order;
}

// The order of rows with these keys (their indexes), ascending or descending; ties keep their order.
export function sortedOrder(keys, descending) {
  const rows = keys.map((key, index) => ({ key, index }));
  rows.sort(function (a, b) {
    const order = compareKeys(a.key, b.key);
    return (descending ? -order : order) || a.index - b.index;
  });
  return rows.map((r) => r.index);
}

// Tables marked kl-sortable sort by a column when its header is pressed (again: the other way). root: the page's
// calculator, or a new output before it goes into the page; sort(tableEl, column, descending): what a press does
// (the calculator's: it first fetches the rest of a table that holds only its first rows).
export function makeSortable(root, sort = sortTable) {
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
      button.addEventListener("click", function () {
        sort(tableEl, column, th.getAttribute("aria-sort") !== "descending");
      });
      th.addEventListener("click", function (event) { if (event.target === th) button.click(); }); // the whole cell
    });
  }
}

// Every row of the table in the order of a column (descending or not); then, where the table lays out only its
// first rows (data-shown), those first rows of the new order.
export function sortTable(tableEl, column, descending) {
  const heads = tableEl.querySelectorAll("thead th");
  for (const other of heads) other.removeAttribute("aria-sort");
  heads[column].setAttribute("aria-sort", descending ? "descending" : "ascending");
  const body = tableEl.tBodies[0];
  const rows = Array.from(body.rows);
  const order = sortedOrder(rows.map((row) => cellValue(row.cells[column].textContent)), descending);
  body.append(...order.map((index) => rows[index]));
  limitRows(tableEl);
}

// A long table (kernel_lab.analyzer) lays out its first rows (data-shown), or all of them once the reader asked
// (data-all). A result holds only those first rows: the table says how many it has in all (data-rows), and the
// page asks the worker for the whole table (the others written hidden) before it sorts or shows it whole.
export function limitRows(tableEl) {
  const shown = Number(tableEl.dataset.shown);
  if (!shown) return;
  const all = tableEl.hasAttribute("data-all");
  Array.from(tableEl.tBodies[0].rows).forEach(function (row, index) { row.hidden = !all && index >= shown; });
}

export function isPartial(tableEl) {
  return tableEl.tBodies[0].rows.length < Number(tableEl.dataset.rows || 0);
}

// The button under a long table: all rows, or the first again.
export function showRows(container, all) {
  const tableEl = container.querySelector("table[data-shown]");
  const button = container.querySelector("[data-show-rows]");
  if (!tableEl || !button) return;
  tableEl.toggleAttribute("data-all", all);
  limitRows(tableEl);
  button.textContent = all ? button.dataset.less : button.dataset.more;
  button.setAttribute("aria-expanded", String(all));
}

// How the reader has the table in container (sorted by a column, which way; every row or the first), so that
// the next result shows its table the same way.
export function tableView(container) {
  const tableEl = container.querySelector("table.kl-sortable");
  if (!tableEl) return null;
  const heads = Array.from(tableEl.querySelectorAll("thead th"));
  const column = heads.findIndex((th) => th.hasAttribute("aria-sort"));
  const descending = column >= 0 && heads[column].getAttribute("aria-sort") === "descending";
  return { column: column, descending: descending, all: tableEl.hasAttribute("data-all") };
}

// Whether showing a table the way `view` says needs all of its rows.
export function needsWhole(view) {
  return Boolean(view && (view.all || view.column >= 0));
}

export function restoreView(container, view) {
  const tableEl = container.querySelector("table.kl-sortable");
  if (!view || !tableEl) return;
  if (view.all) showRows(container, true);
  if (view.column >= 0 && view.column < tableEl.querySelectorAll("thead th").length) {
    sortTable(tableEl, view.column, view.descending);
  }
}

// --- downloads ----------------------------------------------------------------------------------------------
// The name and type of the file a download saves (application: the keras.applications model shown, or null).
export function downloadFile(application, kind) {
  return {
    name: (application || "model") + "-layers." + kind,
    type: kind === "json" ? "application/json" : "text/csv",
  };
}

// The analyzer's whole table (the page shows at most a few thousand rows), in the model's order, as CSV or JSON:
// made by the worker (kernel_lab.analyzer.layers_file) from the same inputs.
export async function download(calculator, kind) {
  const reply = await calculator.ask(calculator.root.dataset.calc + "." + kind);
  if (!reply.ok) {
    calculator.showStatus("Not downloaded: " + (reply.unavailable ? "the calculator is not running" : reply.message));
    return;
  }
  const file = downloadFile(calculator.application, kind);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([reply.text], { type: file.type }));
  link.download = file.name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
}

// --- model files ----------------------------------------------------------------------------------------------
// Why a file is refused by its size, before any of it is read, or null: the limits come from the build
// (data-file-limits: {"json": [bytes, "what it reads"], "other": [...]}).
export function refusal(limitsJSON, name, size) {
  const limits = limitsJSON ? JSON.parse(limitsJSON) : null;
  const limit = limits && limits[name.toLowerCase().endsWith(".json") ? "json" : "other"];
  if (!limit || size <= limit[0]) return null;
  return name + " was not read: the analyzer reads " + limit[1] + ".";
}

// A file larger than the analyzer reads is refused, saying so at the file field: true when refused.
export function refusedFile(calculator, file) {
  const why = refusal(calculator.root.dataset.fileLimits, file.name, file.size);
  if (!why) return false;
  clearErrors(calculator.root);
  calculator.showError("model_file", why);
  return true;
}

// A .json file's text goes into the text box; any other file is handed to the worker as bytes.
export async function readFile(calculator, file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.name.endsWith(".json")) {
    const text = calculator.root.querySelector("textarea");
    if (text) text.value = new TextDecoder().decode(bytes);
    calculator.file = null;
  } else {
    calculator.file = bytes;
  }
}

// --- keras.applications models --------------------------------------------------------------------------------
// A model picked from the list: its compact config is fetched now (only now), and handed to the analyzer as the
// bytes of a file (Python decompresses it). siteRoot: the site's address.
export function loadApplication(calculator, siteRoot) {
  const pick = calculator.root.querySelector('select[name="application"]');
  const name = pick ? pick.value : "";
  if (!name || name === calculator.application) return Promise.resolve();
  const loading = calculator.loading;
  if (loading && loading.name === name) return loading.done; // one fetch per pick
  const url = new URL("assets/models/applications/" + encodeURIComponent(name) + ".json.gz", siteRoot);
  const done = fetch(url)
    .then(function (response) {
      if (!response.ok) throw new Error(name + ": HTTP " + response.status);
      return response.arrayBuffer();
    })
    .then(function (buffer) {
      if (pick.value !== name) return; // picked something else meanwhile
      calculator.file = new Uint8Array(buffer);
      calculator.application = name;
    })
    .finally(function () {
      if (calculator.loading && calculator.loading.done === done) calculator.loading = null;
    });
  calculator.loading = { name: name, done: done };
  return done;
}

export function forgetApplication(calculator) {
  const pick = calculator.root.querySelector('select[name="application"]');
  if (pick) pick.value = "";
  calculator.application = null;
}

// After an error in the analyzer's model, the previous model's table would be taken for this one's: it goes.
export function dropStaleModel(root, field) {
  if (root.dataset.calc !== "analyzer" || !["source", "model_file", "application"].includes(field)) return;
  const note = document.createElement("p");
  note.className = "kl-note";
  note.textContent = "No table: this model could not be read (the message is at the field above).";
  root.querySelector("[data-calc-output]").replaceChildren(note);
}
