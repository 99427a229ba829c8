// The worker's engine test (website/assets/worker/engine.mjs) and the page head's (website/assets/early-start.js,
// inlined, so it cannot import it) give the same answer for each engine's user agent.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { isWebKit } from "../../website/assets/worker/engine.mjs";

const AGENTS = {
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36": false,
  "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0": false,
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15": true,
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15": true,
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1": true,
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36": false,
};

test("WebKit is told from Chromium and Firefox, an iOS browser of any name is WebKit", () => {
  for (const [agent, webkit] of Object.entries(AGENTS)) assert.equal(isWebKit(agent), webkit, agent);
});

test("early-start.js makes the same test", () => {
  const source = readFileSync(new URL("../../website/assets/early-start.js", import.meta.url), "utf8");
  const line = source.split("\n").find((l) => l.includes("const webkit ="));
  const expression = line.slice(line.indexOf("=") + 1).trim().replace(/;$/, "");
  const test = new Function("agent", "return " + expression + ";");
  for (const agent of Object.keys(AGENTS)) assert.equal(test(agent), isWebKit(agent), agent);
});
