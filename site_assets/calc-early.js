// Inlined into the head of every calculator page (scripts/hooks/calculators.py): starts the calculators' worker
// before calc.js would (calc.js runs after the first paint and the theme's scripts, and starts it when a
// calculator comes into view); calc.js adopts it, with whatever it has said meanwhile.
// - A warm visit (this browser keeps a memory snapshot of this build's Python, site_assets/calc-worker.mjs): at
//   once, while the page is still being parsed; the worker restores Python from its own copies while the page
//   paints. Which snapshot this browser keeps: calc.js writes its key to localStorage, which is read at once,
//   where Cache Storage would answer only after the first paint.
// - A first visit: right after the first paint, so that the worker's own downloads and start-up do not delay
//   it; the large files are already on their way (the head's low-priority preloads).
(function (script) {
  "use strict";
  if (!window.Worker || !script) return;
  const worker = new URL(script.dataset.worker, document.baseURI).href;
  const snapshot = new URL(script.dataset.snapshot, document.baseURI).href;
  let kept = null;
  try {
    kept = localStorage.getItem("kernel-lab-snapshot");
  } catch (error) {
    /* storage refused: a first visit, as far as this page can tell */
  }

  function start(when) {
    if (window.klWorkerStarted || window.klEarlyWorker) return;
    performance.mark("kl-worker-start", { detail: when });
    const early = { worker: new Worker(worker + "#" + performance.timeOrigin, { type: "module" }), messages: [] };
    early.worker.onmessage = function (event) {
      early.messages.push(event.data);
    };
    early.worker.onerror = function (event) {
      event.preventDefault();
      early.error = event.message || "worker failed";
    };
    window.klEarlyWorker = early;
  }

  if (kept === snapshot) {
    start("early");
  } else if (document.visibilityState === "hidden") {
    setTimeout(start, 0, "after paint"); // a hidden tab paints nothing
  } else {
    requestAnimationFrame(function () {
      setTimeout(start, 0, "after paint");
    });
  }
})(document.currentScript);
