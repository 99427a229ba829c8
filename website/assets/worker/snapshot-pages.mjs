// How a memory snapshot is kept in Cache Storage. The snapshot (31 MB of Python's memory, 60 % of it in 64 KiB
// pages of zeros) is kept without its zero pages: reading 13 MB from Cache Storage is faster than reading 31 MB,
// and faster than decompressing a gzipped copy on the worker's thread, which the start-up's other work needs. The
// entry's headers say how long the snapshot is and which pages its body holds, in order.
export const PAGE = 65536;
export const SIZE_HEADER = "X-Snapshot-Bytes";
export const PAGES_HEADER = "X-Snapshot-Pages";

// The length of page number `page` of a snapshot of `size` bytes (the last one may be short).
export function pageLength(page, size) {
  return Math.min(PAGE, size - page * PAGE);
}

// The snapshot's bytes (a Uint8Array) as the Response to keep: its pages that hold anything but zeros.
export function packSnapshot(bytes) {
  const pages = [];
  const parts = [];
  for (let page = 0; page * PAGE < bytes.length; page++) {
    const part = bytes.subarray(page * PAGE, page * PAGE + pageLength(page, bytes.length));
    if (part.some((byte) => byte !== 0)) {
      pages.push(page);
      parts.push(part);
    }
  }
  const headers = {
    "Content-Type": "application/octet-stream",
    [SIZE_HEADER]: String(bytes.length),
    [PAGES_HEADER]: pages.join(","),
  };
  return new Response(new Blob(parts), { headers });
}

// A kept Response back to the snapshot's bytes (an ArrayBuffer); an entry whose body does not match its headers
// (damaged, or not made by packSnapshot) is an error.
export async function unpackSnapshot(response) {
  const size = Number(response.headers.get(SIZE_HEADER));
  const pages = (response.headers.get(PAGES_HEADER) || "").split(",").filter(Boolean).map(Number);
  const body = new Uint8Array(await response.arrayBuffer());
  const expected = pages.reduce((sum, page) => sum + pageLength(page, size), 0);
  const valid = (page, i) => Number.isInteger(page) && page >= 0 && page * PAGE < size && (i === 0 || page > pages[i - 1]);
  if (!(size > 0) || !pages.every(valid) || body.length !== expected) {
    throw new Error("snapshot entry does not match its headers");
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const page of pages) {
    const length = pageLength(page, size);
    bytes.set(body.subarray(at, at + length), page * PAGE);
    at += length;
  }
  return bytes.buffer;
}
