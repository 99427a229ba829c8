// Drives Debian's firefox-esr for the engine tests and the browser benchmark (scripts/browsers.py): npm
// puppeteer-core over WebDriver BiDi (no browser download; Firefox's own remote agent). One JSON request per line
// on stdin, one JSON answer per line on stdout ({id, value} or {id, error}).
//
//   node scripts/firefox_driver.mjs /usr/bin/firefox-esr [PREFS_JSON]
//
// Requests: {op: "newPage"} -> page id; {op: "goto", page, url}; {op: "evaluate", page, fn, args} (fn: a
// function's source; BiDi calls it in the page, no eval there, so the site's CSP does not refuse it);
// {op: "type", page, text} (real key events into the focused element); {op: "errors", page} (page errors and
// console errors since the last ask); {op: "closePage", page}; {op: "quit"}. Every page gets PRELOAD (the first
// script of each of its documents) when the launch names one.
import puppeteer from "puppeteer-core";
import readline from "node:readline";

const [executablePath, prefsJson] = process.argv.slice(2);
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath,
  headless: true,
  timeout: 180000, // a loaded machine can take more than the default 30 s to start it
  extraPrefsFirefox: prefsJson ? JSON.parse(prefsJson) : {},
});
const pages = new Map();
let nextPage = 1;

function say(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

const ops = {
  async newPage({ preload }) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push("pageerror: " + String((error && error.message) || error)));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push("console: " + message.text());
    });
    if (preload) await page.evaluateOnNewDocument(preload);
    const id = nextPage++;
    pages.set(id, { page, errors });
    return id;
  },
  async goto({ page, url, timeout }) {
    await pages.get(page).page.goto(url, { waitUntil: "load", timeout: timeout || 60000 });
    return null;
  },
  async evaluate({ page, fn, args }) {
    // The function is made here (Node has no CSP) so that puppeteer sends its source to the page.
    const f = (0, eval)("(" + fn + ")");
    return await pages.get(page).page.evaluate(f, ...(args || []));
  },
  async type({ page, text }) {
    await pages.get(page).page.keyboard.type(text);
    return null;
  },
  async errors({ page }) {
    return pages.get(page).errors.splice(0);
  },
  async closePage({ page }) {
    await pages.get(page).page.close();
    pages.delete(page);
    return null;
  },
  async quit() {
    await browser.close();
    setTimeout(() => process.exit(0), 10);
    return null;
  },
};

say({ id: 0, value: await browser.version() });
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  const request = JSON.parse(line);
  try {
    say({ id: request.id, value: (await ops[request.op](request)) ?? null });
  } catch (error) {
    say({ id: request.id, error: String((error && error.stack) || error) });
  }
});
// stdin closed (the Python side ended): close the browser, then end.
lines.on("close", () => browser.close().finally(() => process.exit(0)));
