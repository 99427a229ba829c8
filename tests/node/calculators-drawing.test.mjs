// The drawing's pure parts (website/assets/calculators/drawing.js): which step button a key presses, a step, a pick.
import assert from "node:assert/strict";
import { test } from "node:test";

import { pickedUnit, stepSelector, stepped } from "../../website/assets/calculators/drawing.js";

test("the arrow keys press the step buttons of the drawing; other keys none", () => {
  assert.equal(stepSelector("ArrowUp"), '[data-step="row"][data-by="-1"]');
  assert.equal(stepSelector("ArrowDown"), '[data-step="row"][data-by="1"]');
  assert.equal(stepSelector("ArrowLeft"), '[data-step="col"][data-by="-1"]');
  assert.equal(stepSelector("ArrowRight"), '[data-step="col"][data-by="1"]');
  for (const key of ["Enter", "a", "toString", "constructor"]) assert.equal(stepSelector(key), null, key);
});

test("a step moves a field by one, a picked unit gives its row and column", () => {
  assert.equal(stepped("4", "-1"), "3");
  assert.equal(stepped("0", "1"), "1");
  assert.deepEqual(pickedUnit("3 12"), ["3", "12"]);
});
