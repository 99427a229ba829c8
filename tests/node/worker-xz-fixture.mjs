// Test data for the worker's xz tests, made here by Python: the decoder the site ships (runtime.xz_decoder) and
// streams compressed as the build compresses the runtime (xz, LZMA2, a CRC32 per block), by Python's lzma.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VENV = ROOT + ".venv/bin/python";
const PYTHON = existsSync(VENV) ? VENV : "python3";

function python(code, input) {
  return new Uint8Array(execFileSync(PYTHON, ["-c", code], { cwd: ROOT, input, maxBuffer: 1 << 28 }));
}

// The decoder's exports, instantiated as the worker does.
export async function decoder() {
  const wasm = python(
    "import sys; from kernel_lab_mkdocs.runtime import xz_decoder; sys.stdout.buffer.write(xz_decoder())",
  );
  const { instance } = await WebAssembly.instantiate(wasm, {});
  return instance.exports;
}

// `data` compressed to one .xz stream with a CRC32 check, as runtime.py's _compressed does.
export function compress(data) {
  return python(
    "import lzma, sys; sys.stdout.buffer.write(lzma.compress(sys.stdin.buffer.read(), format=lzma.FORMAT_XZ," +
      " check=lzma.CHECK_CRC32, preset=9 | lzma.PRESET_EXTREME))",
    data,
  );
}

// Bytes that compress somewhat (words in a varying order), `n` long.
export function sample(n, seed = 1) {
  const words = ["kernel", "stride", "dilation", "padding", "filters", "3x3", "7x7", "Conv2D", "\n", " "];
  const out = new Uint8Array(n);
  let state = seed;
  let at = 0;
  while (at < n) {
    state = (state * 1103515245 + 12345) >>> 0;
    const word = new TextEncoder().encode(words[state % words.length] + (state % 7 === 0 ? String(state) : ""));
    out.set(word.subarray(0, n - at), at);
    at += word.length;
  }
  return out;
}
