// The drawn convolution: its step buttons and arrow keys, and its cells (an output unit picked by a click, or a
// cell saying what it holds). The worker draws; this module only changes the row and col fields.

// A step button names a field (row or col) and a step (-1 or 1); the worker redraws, and disables the buttons
// that would leave the output. The arrow keys press them when the drawing has the focus.
export const ARROWS = { ArrowUp: ["row", "-1"], ArrowDown: ["row", "1"], ArrowLeft: ["col", "-1"], ArrowRight: ["col", "1"] };

// The step button an arrow key presses, as a selector, or null for other keys.
export function stepSelector(key) {
  const arrow = Object.hasOwn(ARROWS, key) ? ARROWS[key] : null;
  return arrow ? '[data-step="' + arrow[0] + '"][data-by="' + arrow[1] + '"]' : null;
}

// A field's value after a step: its number plus the step, as text.
export function stepped(value, by) {
  return String(Number(value) + Number(by));
}

// An output unit's data-pick ("row col") as [row, col].
export function pickedUnit(pick) {
  const [row, col] = pick.split(" ");
  return [row, col];
}

export function step(root, button) {
  const field = root.querySelector('form [name="' + button.dataset.step + '"]');
  if (!field || button.disabled) return;
  field.value = stepped(field.value, button.dataset.by);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

export function onDiagramKey(root, event) {
  const selector = stepSelector(event.key);
  if (!selector || !event.target.closest("[data-diagram]")) return;
  event.preventDefault();
  const button = root.querySelector(selector);
  if (button) step(root, button);
}

// A cell of the drawing: an output unit (data-pick="row col") becomes the drawn one; any cell that says what it
// holds (data-say) says it in the drawing's line for that (.kl-said).
export function onCell(root, cell) {
  const said = cell.closest("[data-diagram]") && cell.closest("[data-diagram]").querySelector(".kl-said");
  if (said && cell.dataset.say) said.textContent = cell.dataset.say;
  if (!cell.dataset.pick) return;
  const [row, col] = pickedUnit(cell.dataset.pick);
  const fields = [root.querySelector('form [name="row"]'), root.querySelector('form [name="col"]')];
  if (!fields[0] || !fields[1]) return;
  fields[0].value = row;
  fields[1].value = col;
  fields[1].dispatchEvent(new Event("input", { bubbles: true }));
}
