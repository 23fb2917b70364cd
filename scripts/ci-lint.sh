#!/usr/bin/env bash
# The lint step of the GitHub Action (action.yml): the findings as text in the job log, as SARIF
# in $LS_SARIF for code scanning, and the exit code as the step output `exit-code`.
# Inputs come as environment variables (LS_PATHS, LS_FAIL_ON, LS_SARIF, LS_ARGS), never spliced
# into the script. Exit codes are the CLI's: 0 clean, 1 findings at --fail-on, 2 bad input.
set -uo pipefail
cli="$(cd "$(dirname "$0")/.." && pwd)/dist/cli.js"
sarif=${LS_SARIF:-luigi-spanner.sarif}
read -ra paths <<< "${LS_PATHS:-}"
read -ra extra <<< "${LS_ARGS:-}"

node "$cli" lint "${paths[@]}" "${extra[@]}" --fail-on none
node "$cli" lint "${paths[@]}" "${extra[@]}" --format sarif --fail-on "${LS_FAIL_ON:-error}" > "$sarif"
code=$?
# Bad input: no SARIF to upload (an empty file would fail the upload with a misleading error).
[ "$code" -eq 2 ] && rm -f "$sarif"
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$code"
