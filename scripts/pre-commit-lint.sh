#!/bin/sh
# Entry of the `luigi-spanner-lint` pre-commit hook (.pre-commit-hooks.yaml, `language: script`).
# pre-commit runs it from its own clone of this repository (kept in ~/.cache/pre-commit per
# revision), with the working directory in the repository being checked and the staged files as
# arguments. The first run builds the CLI in that clone (npm ci + build, about a minute); later
# runs reuse it. Exit codes are the CLI's: 0 clean, 1 findings at --fail-on, 2 bad input.
set -eu
tool=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$tool/dist/.pre-commit-built" ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "luigi-spanner-lint: needs Node.js 20.19+ and npm on PATH. Fix: install Node.js (https://nodejs.org), then commit again." >&2
    exit 2
  fi
  echo "luigi-spanner-lint: building the CLI once in $tool ..." >&2
  # Lifecycle scripts of dependencies are not needed for the CLI (its parsers are bundled or wasm).
  (cd "$tool" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && node scripts/build.mjs --production) >&2
  touch "$tool/dist/.pre-commit-built"
fi
exec node "$tool/dist/cli.js" lint "$@"
