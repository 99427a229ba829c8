// Kernel Lab calculators, browser side. Carries form values to the Python worker and puts the HTML it returns into
// the page; it computes nothing itself. One worker serves every calculator and survives Material's instant
// navigation. On a warm visit the calculator page's head starts it (early-start.js); otherwise it starts when a
// calculator comes into view or is touched. Pages without calculators never start it.
//
// Shipped as one classic script, assets/kernel-lab/calculators.js, bundled from these modules at build time
// (website/kernel_lab_mkdocs/bundle.py); this is its entry.

import { Calculator } from "./calculator.js";
import { PythonWorker } from "./worker-client.js";

// This script's address: it is in assets/kernel-lab/. The worker's address, with this build's settings in its
// query, is each calculator's data-worker, relative to this script's folder (written by the build:
// website/kernel_lab_mkdocs/widgets.py).
const SCRIPT_URL = document.currentScript.src;
const SITE_ROOT = new URL("../../", SCRIPT_URL);

function workerURL() {
  const root = document.querySelector(".kl-calc[data-worker]");
  return new URL(root ? root.dataset.worker : "python-worker.mjs", SCRIPT_URL).href;
}

const calculators = new WeakMap(); // [data-calc] element -> its Calculator, once mounted
const worker = new PythonWorker(workerURL, function (message) {
  for (const calculator of activeCalculators()) calculator.showFailure(message);
});
const page = { worker: worker, siteRoot: SITE_ROOT, retry: retryStart };

function activeCalculators() {
  return Array.from(document.querySelectorAll("[data-calc]"))
    .map(function (root) { return calculators.get(root); })
    .filter(function (calculator) { return calculator && calculator.active; });
}

// After a failed start: the Retry button, or the connection coming back.
function retryStart() {
  if (!worker.forgetFailure()) return;
  for (const calculator of activeCalculators()) {
    calculator.active = false;
    calculator.activate();
  }
}

// A calculator that comes into view starts the worker; a second page finds it already running.
const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            calculators.get(entry.target).activate();
          }
        }
      }, { rootMargin: "0px 0px 50% 0px" }) // start a little before it scrolls into view
    : null;

function mountAll() {
  for (const root of document.querySelectorAll("[data-calc]")) {
    let calculator = calculators.get(root);
    if (!calculator) {
      calculator = new Calculator(root, page);
      calculators.set(root, calculator);
      calculator.mount();
    }
    if (observer) observer.observe(root);
    else calculator.activate();
  }
}

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

// Fix-ups of what the theme builds (table wrappers): once it has mounted the page's components, which it may do
// after this script's own subscriber has run.
function afterTheme() {
  labelSearchDialog();
  focusableScrollRegions();
}

// This script runs after the page is parsed: mount the calculators now instead of waiting for the theme's first
// document$, and mount again on every instant navigation (mounting twice is harmless).
mountAll();
afterTheme();
function onDocument() {
  mountAll();
  setTimeout(afterTheme);
}
if (window.document$) window.document$.subscribe(onDocument);
else document.addEventListener("DOMContentLoaded", onDocument);
window.addEventListener("online", retryStart);
