// Which engine runs the worker, told by its user agent, where the engines differ in what the worker should do.
// WebKit (Safari, every iOS browser, WebKitGTK): AppleWebKit without Chrome/, Chromium/ or Firefox/, which
// Chromium's and Firefox's agents carry. early-start.js (inlined into pages, not a module) makes the same test;
// tests/node/worker-engine.test.mjs holds the two to the same answers.
export function isWebKit(agent) {
  return /AppleWebKit\//.test(agent) && !/Chrome\/|Chromium\/|Firefox\//.test(agent);
}
