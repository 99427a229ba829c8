// Run calc's own test suite inside Pyodide under Node, offline: the proof that
// calc runs unchanged in the interpreter the site's calculators use.
//
//   node tests/pyodide/run.mjs            tests/portable/ plus the doctests of calc and the site's package
//   node tests/pyodide/run.mjs -k same    extra arguments go to pytest
//
// Pyodide comes from node_modules (npm package "pyodide"); pytest, Hypothesis
// and their dependencies are the pure-Python wheels that fetch_wheels.sh puts
// in tests/pyodide/wheels/, unpacked straight into site-packages (the npm
// package has no micropip). Files are copied into Pyodide's in-memory file
// system, so nothing is written to the work tree.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const wheelDir = path.join(here, "wheels");

// The portable tests: everything under tests/portable/ needs nothing but calc, the site's Python
// (website/kernel_lab), pytest and Hypothesis, and runs here as well as in CPython. Tests that
// import TensorFlow, Keras, NumPy or Playwright, or start subprocesses, live elsewhere in tests/.
const PORTABLE = "tests/portable";
// Helpers those files import, and the pytest configuration they run under.
const SUPPORT_FILES = [
  "tests/__init__.py",
  "tests/conftest.py",
  "tests/strategies.py",
  "tests/hostile.py",
  "tests/data/fuzz_seed.json",
  "pyproject.toml",
];
const WORK = "/home/pyodide/kernel-lab";

function pythonFilesUnder(dir) {
  const out = [];
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const rel = path.posix.join(dir, name);
    if (name === "__pycache__") continue;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...pythonFilesUnder(rel));
    else if (name.endsWith(".py")) out.push(rel);
  }
  return out;
}

function wheels() {
  const list = existsSync(wheelDir) ? readdirSync(wheelDir).filter((f) => f.endsWith(".whl")) : [];
  return list.sort();
}

async function main() {
  const started = performance.now();
  if (wheels().length === 0) {
    console.log("pyodide: no wheels yet, running tests/pyodide/fetch_wheels.sh");
    execFileSync("bash", [path.join(here, "fetch_wheels.sh")], { stdio: "inherit" });
  }

  const pyodide = await loadPyodide();
  // Raw writes, so pytest's progress dots stay on one line.
  const raw = (stream) => ({ write: (bytes) => (stream.write(bytes), bytes.length) });
  pyodide.setStdout(raw(process.stdout));
  pyodide.setStderr(raw(process.stderr));
  const ready = performance.now();

  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  for (const wheel of wheels()) {
    // unpackArchive wants a Uint8Array, not a Node Buffer
    const bytes = new Uint8Array(readFileSync(path.join(wheelDir, wheel)));
    pyodide.unpackArchive(bytes, "wheel", { extractDir: sitePackages });
  }

  const site = existsSync(path.join(root, "website/kernel_lab")) ? pythonFilesUnder("website/kernel_lab") : [];
  const files = [...pythonFilesUnder("calc"), ...site, ...SUPPORT_FILES, ...pythonFilesUnder(PORTABLE)];
  for (const rel of files) {
    // The site's package sits beside calc, as in the bundle the browser loads.
    const target = path.posix.join(WORK, rel.replace(/^website\//, ""));
    pyodide.FS.mkdirTree(path.posix.dirname(target));
    pyodide.FS.writeFile(target, readFileSync(path.join(root, rel)));
  }

  const extra = process.argv.slice(2);
  const boot = ((ready - started) / 1000).toFixed(1);
  const setup = ((performance.now() - ready) / 1000).toFixed(1);
  console.log(`pyodide: ready in ${boot} s, wheels and ${files.length} files installed in ${setup} s`);
  pyodide.globals.set("pytest_args", pyodide.toPy(["calc", ...(site.length ? ["kernel_lab"] : []), PORTABLE, ...extra]));
  // pyproject.toml gives addopts (--doctest-modules, -p no:cacheprovider) and filterwarnings=error;
  // the file list replaces testpaths, so the TensorFlow tests are never collected. No bytecode is
  // written: the in-memory file system is thrown away at exit anyway. pytest's summary line is the
  // last line printed.
  const code = pyodide.runPython(`
import os, sys
os.chdir(${JSON.stringify(WORK)})
sys.path.insert(0, ${JSON.stringify(WORK)})
sys.dont_write_bytecode = True
import pytest
print(f"pyodide: Python {sys.version.split()[0]} on {sys.platform}, pytest {pytest.__version__}", flush=True)
int(pytest.main(["-q", "-p", "no:cacheprovider", "--doctest-modules", "--rootdir", ".", *pytest_args]))
`);
  process.exitCode = code;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
