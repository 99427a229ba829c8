// The status line's words (website/assets/calculators/status.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { failureWords, waitingWords } from "../../website/assets/calculators/status.js";

test("before Python runs, the status says what the output shows and what starting costs", () => {
  assert.equal(waitingWords(null, ""), "Computed for the default inputs; starting Python…");
  assert.equal(
    waitingWords("your inputs", "6.1 MB"),
    "Not yet computed for your inputs; starting Python (about 6.1 MB to download on a first visit)…",
  );
});

test("a failed start says why, what the figures are, and, offline, that the page tries again", () => {
  assert.equal(
    failureWords("HTTP 404", false, false),
    "Interactive mode is unavailable: Python could not start (HTTP 404). The figures shown are those computed " +
      "when the site was built.",
  );
  const offline = failureWords("no answer", true, true);
  assert.ok(offline.includes("The figures shown are the last computed here."), offline);
  assert.ok(offline.endsWith(" This browser is offline: the page tries again when it is back online."), offline);
});
