// The worker's xz streaming (website/assets/worker/xz.mjs) with the decoder the site ships: any chunking of the
// input gives the original bytes; a truncated or corrupt stream (a data byte or the block's CRC32) is an error;
// every decoder context is freed.
import assert from "node:assert/strict";
import { before, test } from "node:test";

import { unxz } from "../../website/assets/worker/xz.mjs";
import { compress, decoder, sample } from "./worker-xz-fixture.mjs";

let x = null;
let contexts = 0; // created and not yet destroyed
before(async () => {
  const exports = await decoder();
  x = {
    ...exports,
    memory: exports.memory,
    create_context() {
      contexts++;
      return exports.create_context();
    },
    destroy_context(context) {
      contexts--;
      return exports.destroy_context(context);
    },
  };
});

// `input` fed to unxz in pieces of `size` bytes; resolves with the output's bytes.
async function decode(input, size, stats) {
  const source = new ReadableStream({
    start(controller) {
      for (let at = 0; at < input.length; at += size) controller.enqueue(input.slice(at, at + size));
      controller.close();
    },
  });
  const buffer = await new Response(source.pipeThrough(unxz(x, stats))).arrayBuffer();
  return new Uint8Array(buffer);
}

const original = sample(300_000);
const packed = compress(original);

test("any chunking of the input gives the original bytes", async () => {
  assert.ok(packed.length < original.length / 2, "the sample compresses");
  for (const size of [packed.length, 65536, 4097, 7, 1]) {
    assert.deepEqual(await decode(packed, size), original, `pieces of ${size} bytes`);
  }
  assert.equal(contexts, 0);
});

test("output many times the decoder's buffer comes out whole", async () => {
  const zeros = new Uint8Array(5_000_000);
  zeros[4_999_999] = 1;
  const out = await decode(compress(zeros), 1000);
  assert.equal(out.length, zeros.length);
  assert.deepEqual(out, zeros);
  assert.equal(contexts, 0);
});

test("a truncated stream is an error, wherever it is cut", async () => {
  for (const keep of [packed.length >> 1, packed.length - 12, packed.length - 1]) {
    await assert.rejects(decode(packed.slice(0, keep), 4096), /xz: truncated data/, `first ${keep} bytes`);
  }
  assert.equal(contexts, 0);
});

test("a corrupt data byte is an error", async () => {
  const bad = packed.slice();
  bad[bad.length >> 1] ^= 0x55;
  await assert.rejects(decode(bad, 4096), /xz: corrupt data/);
  assert.equal(contexts, 0);
});

test("the block's CRC32 is checked", async () => {
  // The stream ends with its index and a 12-byte footer whose bytes 4..8 give the index's size ((n + 1) * 4); the
  // block's 4-byte check comes right before the index.
  const view = new DataView(packed.buffer, packed.byteOffset);
  const indexSize = (view.getUint32(packed.length - 8, true) + 1) * 4;
  const check = packed.length - 12 - indexSize - 4;
  const bad = packed.slice();
  bad[check] ^= 0x01;
  await assert.rejects(decode(bad, 4096), /xz: corrupt data/);
  assert.deepEqual(await decode(packed, 4096), original, "the same stream, its check intact, decodes");
  assert.equal(contexts, 0);
});

test("not an xz stream at all is an error", async () => {
  await assert.rejects(decode(new TextEncoder().encode("<html>not found</html>"), 4096), /xz: corrupt data/);
  assert.equal(contexts, 0);
});

test("the time spent decoding is counted where asked, and the stream's end noted", async () => {
  const input = compress(original);
  const stats = { start: performance.now(), ms: 0, end: 0 };
  const started = performance.now();
  assert.deepEqual(await decode(input, 4096, stats), original);
  const finished = performance.now();
  assert.ok(stats.ms > 0 && stats.ms <= finished - started, stats.ms);
  assert.ok(stats.end >= started && stats.end <= finished);
});
