// The analyzer's pure parts (website/assets/calculators/analyzer.js): table sorting, file limits, download names.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cellValue, compareKeys, downloadFile, refusal, sortedOrder } from "../../website/assets/calculators/analyzer.js";

const sortCells = (texts, descending) => sortedOrder(texts.map(cellValue), descending).map((i) => texts[i]);

test("a cell's key is its number, thousands separators allowed, else its trimmed text", () => {
  assert.equal(cellValue(" 1,234,567 "), 1234567);
  assert.equal(cellValue("-0.5"), -0.5);
  assert.equal(cellValue("1e3"), 1000);
  assert.equal(cellValue(" Conv2D "), "Conv2D");
  assert.equal(cellValue("(None, 56, 56, 64)"), "(None, 56, 56, 64)");
  assert.equal(cellValue("—"), "—");
  assert.equal(cellValue("  "), "");
});

test("numbers sort by value, not as text", () => {
  const cells = ["9", "10", "1,000", "100", "2"];
  assert.deepEqual(sortCells(cells, false), ["2", "9", "10", "100", "1,000"]);
  assert.deepEqual(sortCells(cells, true), ["1,000", "100", "10", "9", "2"]);
});

test("text sorts with the numbers inside it by value", () => {
  const cells = ["conv10", "conv2", "Conv1", "dense"];
  assert.deepEqual(sortCells(cells, false), ["Conv1", "conv2", "conv10", "dense"]);
  assert.deepEqual(sortCells(cells, true), ["dense", "conv10", "conv2", "Conv1"]);
});

test("text among numbers comes last in the first (descending) sort and first ascending", () => {
  const cells = ["3", "—", "12"];
  assert.deepEqual(sortCells(cells, true), ["12", "3", "—"]);
  assert.deepEqual(sortCells(cells, false), ["—", "3", "12"]);
  assert.ok(compareKeys(5, "—") > 0 && compareKeys("—", 5) < 0);
});

test("ties keep the rows' order in either direction", () => {
  const keys = [2, 1, 2, 1, 2];
  assert.deepEqual(sortedOrder(keys, false), [1, 3, 0, 2, 4]);
  assert.deepEqual(sortedOrder(keys, true), [0, 2, 4, 1, 3]);
});

test("a file is refused by its size over the limit for its kind, saying what the analyzer reads", () => {
  const limits = JSON.stringify({ json: [100, "JSON up to 100 bytes"], other: [1000, "files up to 1000 bytes"] });
  assert.equal(refusal(limits, "model.JSON", 101), "model.JSON was not read: the analyzer reads JSON up to 100 bytes.");
  assert.equal(refusal(limits, "model.json", 100), null);
  assert.equal(refusal(limits, "model.keras", 101), null);
  assert.equal(refusal(limits, "model.keras", 1001), "model.keras was not read: the analyzer reads files up to 1000 bytes.");
  assert.equal(refusal(undefined, "model.keras", 1e12), null); // a page without limits refuses nothing
});

test("a download is named after the model shown and typed by its kind", () => {
  assert.deepEqual(downloadFile("ResNet50", "csv"), { name: "ResNet50-layers.csv", type: "text/csv" });
  assert.deepEqual(downloadFile(null, "json"), { name: "model-layers.json", type: "application/json" });
});
