// What state a calculator's numbers are in, in words (its status line), and the words themselves. The words are
// made by pure functions of that state (tests/node/calculators-status.test.mjs); the DOM helpers put them in.

export const WAITING_DEFAULTS = "Computed for the default inputs";
export const BUILT = "Computed for the default inputs when the page was built.";

// Before Python runs: what the output shows (changed: what changed the form, or null), and what starting costs
// (download: what a first visit fetches, from the build's data-download; "" when it did not say).
export function waitingWords(changed, download) {
  const size = download ? " (about " + download + " to download on a first visit)" : "";
  const shown = changed ? "Not yet computed for " + changed : WAITING_DEFAULTS;
  return shown + "; starting Python" + size + "…";
}

// Python could not start: why, what the figures shown are (computed: the page computed some), and, offline,
// that the page tries again.
export function failureWords(reason, computed, offline) {
  const again = offline ? " This browser is offline: the page tries again when it is back online." : "";
  const shown = computed ? "the last computed here" : "those computed when the site was built";
  return "Interactive mode is unavailable: Python could not start (" + reason + "). The figures shown are " + shown +
    "." + again;
}

export function showStatus(root, text) {
  const status = root.querySelector(".kl-status");
  if (status) status.textContent = text;
}

export function setState(root, state) {
  root.dataset.state = state;
}

// The output dimmed: it does not reflect the form.
export function markStale(root) {
  const output = root.querySelector("[data-calc-output]");
  output.classList.add("kl-stale");
  output.dataset.stale = "true";
}

export function markCurrent(output) {
  output.classList.remove("kl-stale");
  delete output.dataset.stale;
}

export function clearErrors(root) {
  for (const msg of root.querySelectorAll(".kl-msg")) msg.textContent = "";
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}
