// The inputs in the page's address (website/assets/calculators/url-state.js): what a link carries, and reading it
// back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_URL_VALUE, isOn, linkWith, paramName, valuesIn } from "../../website/assets/calculators/url-state.js";

const PAGE = "https://example.org/kernel-lab/layer/";

test("a field's name in the link is prefixed with the calculator's only where a page has several", () => {
  assert.equal(paramName("layer", "filters", false), "filters");
  assert.equal(paramName("layer", "filters", true), "layer.filters");
});

test("only fields that differ from their defaults go into the link, and they come back as typed", () => {
  const fields = [
    { key: "filters", value: "32", initial: "64" },
    { key: "kernel_size", value: "7", initial: "7" },
    { key: "use_bias", value: false, initial: true },
    { key: "padding", value: "same & valid?", initial: "valid" },
  ];
  const href = linkWith(PAGE, fields);
  assert.ok(!href.includes("kernel_size"), href);
  const back = valuesIn(href, fields.map((f) => f.key));
  assert.deepEqual(Object.fromEntries(back), { filters: "32", use_bias: "false", padding: "same & valid?" });
});

test("a field back at its default, or too long for a link, is taken out; other parameters stay", () => {
  const href = linkWith(PAGE + "?filters=32&utm=x#calc", [
    { key: "filters", value: "64", initial: "64" },
    { key: "source", value: "x".repeat(MAX_URL_VALUE + 1), initial: "" },
    { key: "name", value: "y".repeat(MAX_URL_VALUE), initial: "" },
  ]);
  const url = new URL(href);
  assert.equal(url.searchParams.get("utm"), "x");
  assert.equal(url.hash, "#calc");
  assert.equal(url.searchParams.has("filters"), false);
  assert.equal(url.searchParams.has("source"), false);
  assert.equal(url.searchParams.get("name"), "y".repeat(MAX_URL_VALUE));
});

test("an address with nothing to change stays the same address", () => {
  assert.equal(linkWith(PAGE, [{ key: "filters", value: "64", initial: "64" }]), PAGE);
});

test("prefixed names of two calculators round-trip separately", () => {
  const fields = [
    { key: paramName("layer", "filters", true), value: "8", initial: "64" },
    { key: paramName("stack", "filters", true), value: "16", initial: "64" },
  ];
  const back = valuesIn(linkWith(PAGE, fields), ["layer.filters", "stack.filters", "filters"]);
  assert.deepEqual(Object.fromEntries(back), { "layer.filters": "8", "stack.filters": "16" });
});

test("a checkbox is on for 1, true, on and yes in any case, off for anything else", () => {
  for (const text of ["1", "true", "TRUE", "On", "yes"]) assert.equal(isOn(text), true, text);
  for (const text of ["0", "false", "off", "no", "", "y", " yes"]) assert.equal(isOn(text), false, text);
});
