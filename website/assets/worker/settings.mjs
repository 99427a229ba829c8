// The worker's settings: this build's, as JSON in the query of the worker's own address (the build writes that
// address, query included, into each calculator's data-worker: website/kernel_lab_mkdocs/calculators.py): the
// build's id, the files shipped as .xz and the decoder's name, whether to keep a memory snapshot, and where the
// files are. Without a query, DEFAULTS (no .xz files, no snapshot): the plain site.
export const DEFAULTS = Object.freeze({
  build: "",
  xz: [],
  unxz: "",
  snapshot: false,
  pyodide: "pyodide/",
  python: "python.zip",
});

// The settings carried by a worker address (a URL).
export function workerSettings(url) {
  const query = url.search.length > 1 ? JSON.parse(decodeURIComponent(url.search.slice(1))) : {};
  return { ...DEFAULTS, ...query };
}
