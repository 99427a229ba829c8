// How the worker keeps a memory snapshot in Cache Storage (website/assets/worker/snapshot-pages.mjs): without its
// pages of zeros, and back to the same bytes; an entry whose headers and body disagree is refused.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PAGE, PAGES_HEADER, SIZE_HEADER, packSnapshot, unpackSnapshot } from "../../website/assets/worker/snapshot-pages.mjs";

// A snapshot-like memory: `pages` pages of zeros except the ones listed, whose bytes are set, and a short last page.
function memory(pages, filled, tail = 1234) {
  const bytes = new Uint8Array(pages * PAGE + tail);
  for (const page of filled) {
    for (let i = 0; i < PAGE && page * PAGE + i < bytes.length; i += 97) bytes[page * PAGE + i] = (page + i) % 251 || 1;
  }
  return bytes;
}

test("zero pages are left out and the bytes come back the same", async () => {
  const bytes = memory(10, [0, 3, 4, 10]); // page 10 is the short last one
  const packed = packSnapshot(bytes);
  assert.equal(packed.headers.get(SIZE_HEADER), String(bytes.length));
  assert.equal(packed.headers.get(PAGES_HEADER), "0,3,4,10");
  const body = new Uint8Array(await packed.clone().arrayBuffer());
  assert.equal(body.length, 3 * PAGE + 1234);
  assert.deepEqual(new Uint8Array(await unpackSnapshot(packed)), bytes);
});

test("a page with a single non-zero byte is kept", async () => {
  const bytes = new Uint8Array(3 * PAGE);
  bytes[2 * PAGE - 1] = 7; // the last byte of page 1
  const packed = packSnapshot(bytes);
  assert.equal(packed.headers.get(PAGES_HEADER), "1");
  assert.deepEqual(new Uint8Array(await unpackSnapshot(packed)), bytes);
});

test("a snapshot of zeros keeps no page", async () => {
  const bytes = new Uint8Array(2 * PAGE + 5);
  const packed = packSnapshot(bytes);
  assert.equal(packed.headers.get(PAGES_HEADER), "");
  assert.deepEqual(new Uint8Array(await unpackSnapshot(packed)), bytes);
});

// An entry with these headers and body.
function entry(size, pages, body) {
  return new Response(body, { headers: { [SIZE_HEADER]: String(size), [PAGES_HEADER]: pages } });
}

test("an entry whose headers do not match its body is refused", async () => {
  const page = new Uint8Array(PAGE).fill(1);
  const refused = {
    "body one byte short": entry(2 * PAGE, "1", page.subarray(1)),
    "body one byte long": entry(2 * PAGE, "1", new Uint8Array(PAGE + 1)),
    "page past the end": entry(2 * PAGE, "2", page),
    "negative page": entry(2 * PAGE, "-1", page),
    "fractional page": entry(2 * PAGE, "0.5", page),
    "pages out of order": entry(3 * PAGE, "1,0", new Uint8Array(2 * PAGE)),
    "a page twice": entry(3 * PAGE, "1,1", new Uint8Array(2 * PAGE)),
    "no size": entry("", "0", page),
    "size zero": entry(0, "", new Uint8Array(0)),
    "not a snapshot at all": new Response("not a snapshot"),
  };
  for (const [why, response] of Object.entries(refused)) {
    await assert.rejects(unpackSnapshot(response), /snapshot entry does not match its headers/, why);
  }
  assert.equal((await unpackSnapshot(entry(2 * PAGE, "1", page))).byteLength, 2 * PAGE, "the same, well formed");
});
