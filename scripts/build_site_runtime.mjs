// Build the faster browser runtime for the site, inside Pyodide itself under Node (offline):
//   python_stdlib.zip: only the standard-library modules the site's Python and Pyodide's own start-up import,
//   each compiled to .pyc by Pyodide's own Python (so the bytecode matches the interpreter exactly). The npm
//   package ships every module as .py, and compiling them is most of a cold start. Which modules: recorded by
//   booting on the full compiled library, unpacking python.zip the way the worker does, importing every module
//   of calc and kernel_lab and every standard-library module their sources name (also inside functions), and
//   answering a good and a bad request with every calculator; a short list of text codecs is added. Entries are
//   stored uncompressed (zipimport then reads them without inflating); the build gzips the whole file for
//   transfer. Standard-library modules are compiled as with -OO (no docstrings, no asserts; not Pyodide's own,
//   which read their docstrings): 0.17 MB less to download. Cost: no source lines in standard-library
//   tracebacks.
//   python-pyc.zip: the site's python.zip with each module's bytecode beside its source (__pycache__, unchecked
//   hash), so that the browser does not compile calc and kernel_lab either; shipped as python.zip. Entries are
//   stored uncompressed: the build compresses the whole file (python.zip.xz, 0.16 MB; deflated entries 0.23 MB).
//   pyodide-lock.json: Pyodide's, without its package list (the site loads no Pyodide package).
// No memory snapshot is shipped: the reader's browser makes one when idle (website/assets/python-worker.mjs).
// Cached in OUTDIR: see cached() below; an edit of calc rebuilds python-pyc.zip only, unless it changes the set of
// standard-library modules the site imports.
// Usage: node scripts/build_site_runtime.mjs OUTDIR PYTHON_ZIP   (called by website/kernel_lab_mkdocs/calculators.py)
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import v8 from "node:v8";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYODIDE_DIR = path.join(ROOT, "node_modules", "pyodide") + path.sep;
const OUT = path.resolve(process.argv[2] || path.join(ROOT, "build", "site-runtime"));
const CALC_ZIP = path.resolve(process.argv[3] || path.join(OUT, "python.zip"));
const EXTRACT_DIR = "/home/pyodide/kernel-lab"; // where the worker unpacks python.zip

const COMPILE = `
import importlib._bootstrap_external as ext, zipfile

def compile_stdlib(src_path, dst_path, prefix, keep=None):
    """Copy the zip, replacing each module.py by module.pyc (timestamp 0: zipimport has no source to compare).

    keep: the set of module paths (like "json/decoder.py") to ship, or None for all of them."""
    count = 0
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            name = info.filename
            if keep is not None and name not in keep:
                continue
            data = src.read(info)
            if name.endswith(".py"):
                try:
                    # Docstrings and asserts out (-OO), except in Pyodide's own modules, which read docstrings.
                    level = 0 if name.startswith(("pyodide/", "_pyodide/")) else 2
                    code = compile(data, prefix + name, "exec", dont_inherit=True, optimize=level)
                except SyntaxError:
                    pass  # test files with deliberate syntax errors: keep the source
                else:
                    data = bytes(ext._code_to_timestamp_pyc(code, 0, 0))
                    name = name[:-3] + ".pyc"
                    count += 1
            out = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            out.external_attr = info.external_attr
            dst.writestr(out, data)
    return count


def compile_site(src_path, dst_path, prefix):
    """python.zip with each module's bytecode beside it, as __pycache__/NAME.<tag>.pyc in unchecked-hash mode
    (used whatever the unpacked file's time; the zip is rebuilt whenever a source changes). Returns the count."""
    import importlib.util, sys
    count = 0
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            info.compress_type = zipfile.ZIP_STORED  # the build compresses the whole file (python.zip.xz)
            dst.writestr(info, data)
            if info.filename.endswith(".py"):
                folder, _, name = info.filename.rpartition("/")
                code = compile(data, prefix + info.filename, "exec", dont_inherit=True, optimize=0)
                pyc = ext._code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                tag = sys.implementation.cache_tag
                out = zipfile.ZipInfo(f"{folder}/__pycache__/{name[:-3]}.{tag}.pyc", date_time=info.date_time)
                dst.writestr(out, bytes(pyc))
                count += 1
    return count
`;

// Run in the compiling interpreter, where python.zip is unpacked too: the site's modules, and the
// standard-library modules their sources name anywhere (the recorder itself must not import ast or pathlib).
const SCAN = `
import ast, json, pathlib
def site_imports(root):
    root = pathlib.Path(root)
    modules, named = [], set()
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        if not module.endswith("__main__"):  # that one runs the command line
            modules.append(module)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                named.add(node.module)
    return json.dumps(modules + sorted(named))
`;

// Run in the recording interpreter: import and exercise everything the worker can reach.
const exercise = (modules) => `
import importlib, json, sys
sys.path.insert(0, ${JSON.stringify(EXTRACT_DIR)})
for name in ${modules}:
    try:
        importlib.import_module(name)
    except ImportError:
        pass  # not in Pyodide's standard library (keras in generated code, say)
for name in ("utf_8", "utf_8_sig", "latin_1", "ascii", "utf_16", "utf_32", "cp1252", "idna", "punycode", "aliases"):
    importlib.import_module("encodings." + name)
import kernel_lab.calculators as c, kernel_lab.worker as w
for name in c.CALCULATORS:
    w.handle(json.dumps({"name": name, "inputs": {}}))
    w.handle(json.dumps({"name": name, "inputs": {spec.name: "?" for spec in c.inputs(name)}}))
w.handle("not json")
try:
    raise ValueError("formatted by Pyodide's error path")
except ValueError:
    import traceback; traceback.format_exc()
`;

const RECORD = `
def stdlib_files(prefix):
    """The zip paths of every module imported from the standard-library zip, with their packages' __init__."""
    import sys
    keep = set()
    for module in list(sys.modules.values()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if origin.startswith(prefix):
            rel = origin[len(prefix):].removesuffix("c")  # .pyc -> .py
            keep.add(rel)
            parts = rel.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                keep.add("/".join(parts[:i]) + "/__init__.py")
    return sorted(keep)
`;

// What each cached file depends on, beside it in OUT as NAME.key: the Pyodide release and this script for the
// compiled standard library; those and the modules the site's Python consists of and names in its imports (SCAN)
// for the trimmed one (with stdlib-modules.txt and pyodide-lock.json). python-pyc.zip is made anew on every run
// (the caller runs this script only when python.zip changed). A file whose key is unchanged is not written again,
// so an edit of calc that imports no other module leaves python_stdlib.zip as it was (same bytes, same mtime) and
// costs one interpreter start instead of three and compiling the whole standard library. (A build without the
// cache, as the deploy workflow's, always records and checks.)
// Written under a temporary name and renamed, so that a build running beside this one never reads half a file.
async function put(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function cached(name, key, make) {
  const file = path.join(OUT, name);
  const keyFile = file + ".key";
  const old = await readFile(keyFile, "utf8").catch(() => null);
  if (old === key && (await stat(file).catch(() => null))) return false;
  await rm(keyFile, { force: true });
  await make(file);
  await put(keyFile, key);
  return true;
}

async function main() {
  const { loadPyodide } = await import(path.join(PYODIDE_DIR, "pyodide.mjs"));
  await mkdir(OUT, { recursive: true });
  const t0 = performance.now();
  const pyodideVersion = JSON.parse(await readFile(path.join(PYODIDE_DIR, "package.json"), "utf8")).version;
  const script = createHash("sha256").update(await readFile(fileURLToPath(import.meta.url))).digest("hex");
  const baseKey = `pyodide ${pyodideVersion}\nscript ${script}\n`;

  // 1. Compile the whole standard library inside Pyodide (once per Pyodide release and version of this script).
  // Once compiled, the compiling interpreter starts on it (1.6 s of CPU instead of 4.3; the bytecode it makes is
  // the same), with WebAssembly compiled by V8's baseline compiler only (0.85 s instead of 1.6: an author's edit
  // runs little Python, not worth optimizing the interpreter's code for).
  const allPath = path.join(OUT, "python_stdlib_all.zip");
  const allKey = await readFile(allPath + ".key", "utf8").catch(() => null);
  const ready = allKey === baseKey && (await stat(allPath).catch(() => null));
  if (ready) v8.setFlagsFromString("--liftoff-only");
  const plain = await loadPyodide({ indexURL: PYODIDE_DIR, ...(ready ? { stdLibURL: allPath } : {}) });
  plain.FS.writeFile("/tmp/stdlib.zip", new Uint8Array(await readFile(path.join(PYODIDE_DIR, "python_stdlib.zip"))));
  plain.runPython(COMPILE);
  const prefix = plain.runPython("import sys; [p for p in sys.path if p.endswith('.zip')][0] + '/'");
  const compile = plain.globals.get("compile_stdlib");
  await cached("python_stdlib_all.zip", baseKey, async (file) => {
    compile("/tmp/stdlib.zip", "/tmp/stdlib-all.zip", prefix);
    await put(file, plain.FS.readFile("/tmp/stdlib-all.zip"));
  });
  // The site's Python with its bytecode (python-pyc.zip, shipped as python.zip).
  plain.FS.writeFile("/tmp/python.zip", new Uint8Array(await readFile(CALC_ZIP)));
  plain.globals.get("compile_site")("/tmp/python.zip", "/tmp/python-pyc.zip", EXTRACT_DIR + "/");
  const calcZip = plain.FS.readFile("/tmp/python-pyc.zip");
  await put(path.join(OUT, "python-pyc.zip"), calcZip);
  plain.unpackArchive(calcZip, "zip", { extractDir: EXTRACT_DIR });
  plain.runPython(SCAN);
  const modules = plain.globals.get("site_imports")(EXTRACT_DIR);

  // 2. and 3. The trimmed library, when the modules the site's Python names (or Pyodide, or this script) changed:
  // boot on the compiled library, do what the worker does, record what was imported from it, and compile those
  // modules from the .py sources again.
  let count = 0;
  const rebuilt = await cached("python_stdlib.zip", baseKey + modules + "\n", async (file) => {
    const rec = await loadPyodide({ indexURL: PYODIDE_DIR, stdLibURL: allPath });
    rec.unpackArchive(calcZip, "zip", { extractDir: EXTRACT_DIR });
    rec.runPython(exercise(modules));
    rec.runPython(RECORD);
    const keep = rec.globals.get("stdlib_files")(prefix).toJs();
    count = compile("/tmp/stdlib.zip", "/tmp/stdlib-pyc.zip", prefix, plain.toPy(keep));
    await put(file, plain.FS.readFile("/tmp/stdlib-pyc.zip"));
    await put(path.join(OUT, "stdlib-modules.txt"), keep.join("\n") + "\n");
    const lock = JSON.parse(await readFile(path.join(PYODIDE_DIR, "pyodide-lock.json"), "utf8"));
    await put(path.join(OUT, "pyodide-lock.json"), JSON.stringify({ ...lock, packages: {} }));

    // 4. Check: a fresh interpreter on the trimmed library does the same work.
    const check = await loadPyodide({
      indexURL: PYODIDE_DIR,
      stdLibURL: file,
      lockFileURL: path.join(OUT, "pyodide-lock.json"),
    });
    check.unpackArchive(calcZip, "zip", { extractDir: EXTRACT_DIR });
    check.runPython(exercise(modules));
  });
  const t1 = performance.now();
  const what = rebuilt
    ? `${count} standard-library modules compiled`
    : "site's Python compiled; the modules it imports are unchanged, so is the standard library";
  console.log(`build_site_runtime: ${what} in ${((t1 - t0) / 1000).toFixed(1)} s -> ${path.relative(ROOT, OUT)}/`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
