// What the worker says about errors and files, in its timings and messages.

// What an error says: an Error's message, or whatever was thrown.
export function errorText(error) {
  return String((error && error.message) || error);
}

// The name of the file a URL points to (without its query or fragment).
export function fileName(url) {
  return String(url).split(/[?#]/)[0].split("/").pop();
}
