// The inputs in the page's URL. Fields that differ from the page's defaults go into the query string under their
// own names (prefixed with the calculator's name where a page has several), so that a link reproduces the result.
// Updated in place (replaceState), so typing adds no history entries. Long texts (a pasted model) and files stay
// out. "Copy link" copies the address.

import { showStatus } from "./status.js";

export const MAX_URL_VALUE = 400;
const ON = ["1", "true", "on", "yes"];

// A checkbox's value in a link or a preset: on for 1, true, on, yes (any case).
export function isOn(text) {
  return ON.includes(text.toLowerCase());
}

export function paramName(calculator, field, several) {
  return several ? calculator + "." + field : field;
}

// The address href with fields ({key, value, initial}) in its query: those that differ from their initial value
// and are at most MAX_URL_VALUE long; the others are taken out. Other parameters stay as they are.
export function linkWith(href, fields) {
  const url = new URL(href);
  for (const field of fields) {
    const value = String(field.value);
    if (value === String(field.initial) || value.length > MAX_URL_VALUE) url.searchParams.delete(field.key);
    else url.searchParams.set(field.key, value);
  }
  return url.href;
}

// The values the address href gives for keys: key -> value, for those it has.
export function valuesIn(href, keys) {
  const params = new URL(href).searchParams;
  const found = new Map();
  for (const key of keys) if (params.has(key)) found.set(key, params.get(key));
  return found;
}

export function readForm(root) {
  const inputs = {};
  for (const el of root.querySelectorAll("form [name]")) {
    if (el.type === "file") continue;
    inputs[el.name] = el.type === "checkbox" ? el.checked : el.value;
  }
  return inputs;
}

function linkable(el) {
  return el.type !== "file" && el.tagName !== "TEXTAREA";
}

function keyOf(root, name) {
  return paramName(root.dataset.calc, name, document.querySelectorAll("[data-calc]").length > 1);
}

// The form's fields into the page's address (calculator: its defaults).
export function writeUrl(calculator) {
  const root = calculator.root;
  const values = readForm(root);
  const fields = [];
  for (const el of root.querySelectorAll("form [name]")) {
    if (linkable(el)) fields.push({ key: keyOf(root, el.name), value: values[el.name], initial: calculator.defaults[el.name] });
  }
  const href = linkWith(location.href, fields);
  if (href !== location.href) history.replaceState(history.state, "", href);
}

// Values from the URL into the form; true when there were any. A value a field cannot take is kept as it is (a
// select gets an extra option), so that the calculator answers with the same message as when typed.
export function readUrl(root) {
  const fields = Array.from(root.querySelectorAll("form [name]")).filter(linkable);
  const values = valuesIn(location.href, fields.map((el) => keyOf(root, el.name)));
  for (const el of fields) {
    const value = values.get(keyOf(root, el.name));
    if (value === undefined) continue;
    if (el.type === "checkbox") {
      el.checked = isOn(value.trim());
    } else {
      if (el.tagName === "SELECT" && !Array.from(el.options).some((o) => o.value === value)) {
        el.add(new Option(value, value));
      }
      el.value = value;
    }
  }
  return values.size > 0;
}

// The label a copy button shows back after saying what happened, and its timer: the button's own state.
const resets = new WeakMap();

// Text to the clipboard; the status line says which happened. The button pressed says it too, for two seconds
// ("Copied"), where the reader is looking.
export function copyText(root, text, copied, refused, button) {
  const say = function (message, label) {
    showStatus(root, message);
    if (!button) return;
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = label;
    clearTimeout(resets.get(button));
    resets.set(button, setTimeout(function () { button.textContent = button.dataset.label; }, 2000));
  };
  const fail = function () { say(refused, "Not copied"); };
  if (!navigator.clipboard || !navigator.clipboard.writeText) return fail();
  navigator.clipboard.writeText(text).then(function () { say(copied, "Copied"); }, fail);
}

// A pasted or dropped model is not in the link (only short fields are): the message says so.
export function copyLink(calculator, button) {
  const root = calculator.root;
  writeUrl(calculator);
  const text = root.querySelector("form textarea");
  const pasted = text && text.value.trim() && text.value !== String(calculator.defaults[text.name]);
  const own = !calculator.application && (calculator.file || pasted);
  const copied = own
    ? "Link copied. It holds the other inputs but not your model, which stays in this page: whoever opens it " +
      "sees the example model until they paste or drop theirs."
    : "Link copied: it opens this calculator with these inputs.";
  copyText(root, location.href, copied, "Copy this page's address: " + location.href, button);
}
