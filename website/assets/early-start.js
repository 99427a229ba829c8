// Inlined twice into the head of every calculator page (website/kernel_lab_mkdocs/calculators.py).
// - First, before the page's stylesheets (an inline script after one waits until it has loaded or been
//   revalidated), with data-worker and data-snapshot: on a warm visit (this browser keeps a memory snapshot of
//   this build's Python: website/assets/python-worker.mjs) it starts the calculators' worker at once, while the page
//   is still being parsed, instead of after the first paint and the theme's scripts; the worker restores Python
//   from its own copies while the page paints. calculators.js adopts it, with whatever it has said meanwhile. Which
//   snapshot this browser keeps: calculators.js writes its key to localStorage, which is read at once, where Cache
//   Storage would answer only after the first paint.
// - Then at the end of the head, after the stylesheets, with data-preloads: on a first visit it starts
//   downloading the compressed runtime at low priority, so that it arrives while the page paints without taking
//   bandwidth from the page's styles; calculators.js starts the worker once the theme's scripts have run (a worker
//   compiling the runtime beside them stretches their tasks past 50 ms on two cores), and the worker's fetches
//   find the files in the HTTP cache or join their downloads. A warm visit needs none of them: reading them from
//   the disk cache would only slow the worker's start. Nor does WebKit (Safari, every iOS browser, WebKitGTK),
//   whose workers do not read what the page preloaded: measured with WebKitGTK 2.50, each preloaded file was
//   downloaded again by the worker, preload finished or not (8.4 MB for a cold visit instead of 4.7), and the
//   worker's own downloads shared the line with the preloads. WebKit is told by its user agent: AppleWebKit
//   without Chrome/, Chromium/ or Firefox/ (which Chromium's and Firefox's agents carry; iOS browsers, whatever
//   their name, are WebKit). Any other agent gets the preloads.
(function (script) {
  "use strict";
  if (!window.Worker || !script) return;
  if (script.dataset.preloads !== undefined) {
    const agent = navigator.userAgent;
    const webkit = /AppleWebKit\//.test(agent) && !/Chrome\/|Chromium\/|Firefox\//.test(agent);
    if (window.klEarlyWorker || webkit) return;
    for (const href of script.dataset.preloads.split(" ").filter(Boolean)) {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous";
      link.fetchPriority = "low";
      link.href = href;
      document.head.appendChild(link);
    }
    return;
  }
  const worker = new URL(script.dataset.worker, document.baseURI).href;
  const snapshot = new URL(script.dataset.snapshot, document.baseURI).href;
  let kept = null;
  try {
    kept = localStorage.getItem("kernel-lab-snapshot");
  } catch (error) {
    return; // storage refused: calculators.js starts the worker
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
