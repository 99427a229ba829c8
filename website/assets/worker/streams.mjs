// A stream handed on chunk by chunk, watched: `onError(error)` hears of a failure part-way (a truncated or corrupt
// .xz: Pyodide only logs those, so the worker must hear of them itself), and `onEnd(chunks)`, when given, gets
// every chunk once the stream has ended whole (never after a failure), so that what was read can be kept;
// `onClose()` hears that the stream is over, whole or not.
export function watchedStream(stream, { onError = () => {}, onEnd = null, onClose = () => {} } = {}) {
  const reader = stream.getReader();
  const chunks = onEnd ? [] : null;
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          if (chunks) onEnd(chunks);
          onClose();
        } else {
          if (chunks) chunks.push(value);
          controller.enqueue(value);
        }
      } catch (error) {
        onError(error);
        onClose();
        controller.error(error);
      }
    },
    cancel(reason) {
      onClose();
      return reader.cancel(reason);
    },
  });
}
