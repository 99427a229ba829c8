// Inlined into the head of every calculator page (scripts/hooks/calculators.py). On a warm visit (this browser
// keeps a memory snapshot of this build's Python: site_assets/calc-worker.mjs) it starts the calculators' worker
// at once, while the page is still being parsed, instead of after the first paint and the theme's scripts; the
// worker then restores Python from its own copies while the page paints. calc.js adopts it, with whatever it
// has said meanwhile. On a first visit it does nothing: calc.js starts the worker once the theme's scripts have
// run (a worker compiling the runtime beside them stretches their tasks past 50 ms on two cores), and the head's
// low-priority downloads are not joined by the worker's ahead of the page's own styles. Which snapshot this
// browser keeps: calc.js writes its key to localStorage, which is read at once, where Cache Storage would answer
// only after the first paint.
(function (script) {
  "use strict";
  if (!window.Worker || !script) return;
  const worker = new URL(script.dataset.worker, document.baseURI).href;
  const snapshot = new URL(script.dataset.snapshot, document.baseURI).href;
  let kept = null;
  try {
    kept = localStorage.getItem("kernel-lab-snapshot");
  } catch (error) {
    return; // storage refused: calc.js starts the worker
  }

  if (kept !== snapshot || window.klWorkerStarted) return;
  performance.mark("kl-worker-start", { detail: "early" });
  const early = { worker: new Worker(worker + "#" + performance.timeOrigin, { type: "module" }), messages: [] };
  early.worker.onmessage = function (event) {
    early.messages.push(event.data);
  };
  early.worker.onerror = function (event) {
    event.preventDefault();
    early.error = event.message || "worker failed";
  };
  window.klEarlyWorker = early;
})(document.currentScript);
