// The worker's watched streams (website/assets/worker/streams.mjs): chunks are handed on as they come; a failure
// part-way is reported and passed on; what was read is handed to onEnd only when the stream ended whole.
import assert from "node:assert/strict";
import { test } from "node:test";

import { watchedStream } from "../../website/assets/worker/streams.mjs";

const bytes = (...values) => new Uint8Array(values);

// A stream of `chunks`, then an error if `failure` is given.
function source(chunks, failure = null) {
  return new ReadableStream({
    pull(controller) {
      if (chunks.length) controller.enqueue(chunks.shift());
      else if (failure) controller.error(failure);
      else controller.close();
    },
  });
}

test("chunks pass through, and onEnd gets them all once the stream has ended", async () => {
  const ended = [];
  const errors = [];
  const stream = watchedStream(source([bytes(1, 2), bytes(3)]), {
    onError: (e) => errors.push(e),
    onEnd: (chunks) => ended.push(chunks),
  });
  assert.deepEqual(new Uint8Array(await new Response(stream).arrayBuffer()), bytes(1, 2, 3));
  assert.equal(ended.length, 1);
  assert.deepEqual(ended[0], [bytes(1, 2), bytes(3)]);
  assert.deepEqual(errors, []);
});

test("a failure part-way is reported and passed on, and nothing is kept", async () => {
  const failure = new Error("xz: truncated data");
  const ended = [];
  const errors = [];
  const stream = watchedStream(source([bytes(1)], failure), {
    onError: (e) => errors.push(e),
    onEnd: (chunks) => ended.push(chunks),
  });
  await assert.rejects(new Response(stream).arrayBuffer(), /xz: truncated data/);
  assert.deepEqual(errors, [failure]);
  assert.deepEqual(ended, []);
});

test("without onEnd nothing is held", async () => {
  const stream = watchedStream(source([bytes(9)]));
  assert.deepEqual(new Uint8Array(await new Response(stream).arrayBuffer()), bytes(9));
});

test("cancelling the watched stream cancels its source", async () => {
  let cancelled = null;
  const inner = new ReadableStream({
    pull(controller) {
      controller.enqueue(bytes(1));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const ended = [];
  const reader = watchedStream(inner, { onEnd: (chunks) => ended.push(chunks) }).getReader();
  await reader.read();
  await reader.cancel("no longer needed");
  assert.equal(cancelled, "no longer needed");
  assert.deepEqual(ended, [], "a cancelled stream did not end whole");
});

test("onClose hears the end of the stream, whole, failed or cancelled, once each", async () => {
  const closed = [];
  const whole = watchedStream(source([bytes(3)]), { onClose: () => closed.push("whole") });
  await new Response(whole).arrayBuffer();
  const failing = new ReadableStream({
    pull(controller) {
      controller.error(new Error("dropped"));
    },
  });
  await assert.rejects(new Response(watchedStream(failing, { onClose: () => closed.push("failed") })).arrayBuffer());
  const endless = new ReadableStream({
    pull(controller) {
      controller.enqueue(bytes(1));
    },
  });
  const reader = watchedStream(endless, { onClose: () => closed.push("cancelled") }).getReader();
  await reader.read();
  await reader.cancel("enough");
  assert.deepEqual(closed, ["whole", "failed", "cancelled"]);
});
