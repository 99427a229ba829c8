// An .xz stream decompressed as it arrives, by xz-embedded compiled to WebAssembly (the xz-decompress package's
// decoder: website/kernel_lab_mkdocs/runtime.py, xz_decoder), as a TransformStream of Uint8Array chunks.
//
// x: the decoder instance's exports (create_context, supply_input, get_next_output, destroy_context, memory).
// Each stream has its own decoder context (create_context), whose first six u32 are: buffer size, input buffer,
// input position, input size, output buffer, output position. Views of the decoder's memory are made again at
// each use, since it may have grown. The decoder checks each block's CRC32: corrupt data is an error; so is a
// stream that ends before its footer (truncated), and the context is freed either way. stats, when given, gets the
// ms spent decoding (stats.ms) and the moment the stream ended (stats.end, performance.now()), for the
// benchmark's account of where a browser's start goes.
const XZ_OK = 0;
const XZ_STREAM_END = 1;

export function unxz(x, stats) {
  let context = 0;
  let ended = false;
  const fields = () => new Uint32Array(x.memory.buffer, context, 6);
  // Runs the decoder on the input it holds, handing on its output, until it needs more input.
  function drain(controller) {
    let full = false;
    let moreInput = false;
    do {
      const code = x.get_next_output(context);
      if (code !== XZ_OK && code !== XZ_STREAM_END) throw new Error("xz: corrupt data (error " + code + ")");
      const f = fields();
      if (f[5]) controller.enqueue(new Uint8Array(x.memory.buffer).slice(f[4], f[4] + f[5]));
      full = f[5] === f[0];
      moreInput = f[2] < f[3];
      f[5] = 0;
      ended = code === XZ_STREAM_END;
    } while (!ended && (moreInput || full));
  }
  function release() {
    if (context) x.destroy_context(context);
    context = 0;
  }
  return new TransformStream({
    start() {
      context = x.create_context();
      if (!context) throw new Error("xz: out of memory");
    },
    transform(chunk, controller) {
      const t0 = performance.now();
      try {
        for (let at = 0; at < chunk.length && !ended; ) {
          const f = fields();
          const piece = chunk.subarray(at, at + f[0]);
          at += piece.length;
          new Uint8Array(x.memory.buffer).set(piece, f[1]);
          x.supply_input(context, piece.length);
          drain(controller);
        }
      } catch (error) {
        release();
        throw error;
      } finally {
        if (stats) stats.ms += performance.now() - t0;
      }
    },
    flush(controller) {
      try {
        if (!ended) {
          x.supply_input(context, 0); // the end of the input: the decoder then reads the stream's footer
          drain(controller);
        }
      } finally {
        release();
        if (stats) stats.end = performance.now();
      }
      if (!ended) throw new Error("xz: truncated data");
    },
  });
}
