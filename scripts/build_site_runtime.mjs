// Build the faster browser runtime for the site, inside Pyodide itself under Node (offline):
//   1. python_stdlib.zip with every module compiled to .pyc by Pyodide's own Python (so the bytecode matches
//      the interpreter exactly); the npm package ships .py files only, and compiling them is most of a cold
//      start. Cost: no source lines in standard-library tracebacks.
//   2. snapshot.bin: a memory snapshot taken after booting on that zip and importing kernel_lab.worker from
//      the site's python.zip. Restoring it leaves almost no Python to run in the browser: code run right after
//      a restore is slow (the WebAssembly has not been optimised yet), so even importing calc there costs
//      more than the whole restore. The snapshot is therefore tied to the site's Python: the build hook rebuilds
//      it whenever python.zip changes. Private Pyodide API: the snapshot only loads into the exact same Pyodide
//      build, next to a byte-identical stdlib zip; the worker falls back to a normal boot when it fails.
// Usage: node scripts/build_site_runtime.mjs OUTDIR PYTHON_ZIP   (called by scripts/hooks/calculators.py)
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYODIDE_DIR = path.join(ROOT, "node_modules", "pyodide") + path.sep;
const OUT = path.resolve(process.argv[2] || path.join(ROOT, "build", "site-runtime"));
const CALC_ZIP = path.resolve(process.argv[3] || path.join(OUT, "python.zip"));
// Where the worker unpacks python.zip on a normal boot; the snapshot's calc is imported from the same place.
const EXTRACT_DIR = "/home/pyodide/kernel-lab";

const COMPILE = `
import importlib._bootstrap_external as ext, io, marshal, zipfile

def compile_stdlib(src_path, dst_path, prefix):
    """Copy the zip, replacing each module.py by module.pyc (timestamp 0: zipimport has no source to compare)."""
    count = 0
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            name = info.filename
            if name.endswith(".py"):
                try:
                    code = compile(data, prefix + name, "exec", dont_inherit=True, optimize=0)
                except SyntaxError:
                    pass  # test files with deliberate syntax errors: keep the source
                else:
                    data = bytes(ext._code_to_timestamp_pyc(code, 0, 0))
                    name = name[:-3] + ".pyc"
                    count += 1
            out = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = info.external_attr
            dst.writestr(out, data)
    return count
`;

async function main() {
  const { loadPyodide } = await import(path.join(PYODIDE_DIR, "pyodide.mjs"));
  await mkdir(OUT, { recursive: true });
  const t0 = performance.now();

  // 1. Compile the standard library inside Pyodide.
  const plain = await loadPyodide({ indexURL: PYODIDE_DIR });
  const src = new Uint8Array(await readFile(path.join(PYODIDE_DIR, "python_stdlib.zip")));
  plain.FS.writeFile("/tmp/stdlib.zip", src);
  plain.runPython(COMPILE);
  const prefix = plain.runPython("import sys; [p for p in sys.path if p.endswith('.zip')][0] + '/'");
  const count = plain.globals.get("compile_stdlib")("/tmp/stdlib.zip", "/tmp/stdlib-pyc.zip", prefix);
  const pycZip = plain.FS.readFile("/tmp/stdlib-pyc.zip");
  const stdlibPath = path.join(OUT, "python_stdlib.zip");
  await writeFile(stdlibPath, pycZip);
  const t1 = performance.now();

  // 2. Boot on the compiled zip, import kernel_lab.worker (and what it imports), snapshot.
  const snap = await loadPyodide({ indexURL: PYODIDE_DIR, stdLibURL: stdlibPath, _makeSnapshot: true });
  snap.unpackArchive(new Uint8Array(await readFile(CALC_ZIP)), "zip", { extractDir: EXTRACT_DIR });
  // Render every calculator once, so that the snapshot also holds what the first call computes and caches
  // (forms read from the signatures, type hints evaluated).
  snap.runPython(`
import sys
sys.path.insert(0, ${JSON.stringify(EXTRACT_DIR)})
import kernel_lab.calculators as c, kernel_lab.worker as w
for name in c.CALCULATORS:
    w.handle('{"name": "%s", "inputs": {}}' % name)
`);
  const snapshot = snap.makeMemorySnapshot();
  await writeFile(path.join(OUT, "snapshot.bin"), snapshot);
  const t2 = performance.now();
  console.log(
    `build_site_runtime: ${count} modules compiled (${(pycZip.length / 1e6).toFixed(1)} MB) in ` +
      `${((t1 - t0) / 1000).toFixed(1)} s; snapshot ${(snapshot.length / 1e6).toFixed(1)} MB in ` +
      `${((t2 - t1) / 1000).toFixed(1)} s -> ${path.relative(ROOT, OUT)}/`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
