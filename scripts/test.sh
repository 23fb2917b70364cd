#!/usr/bin/env bash
# The whole test suite: unit with the Python tests beside it, then integration (real emulator
# container, real Luigi), browser (the webview in Chromium) and e2e (the packaged .vsix in code-server).
# Installs what it needs itself (npm packages, the venv); needs a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
if [ -z "${LUIGI_SPANNER_EMULATOR_IMAGE:-}" ]; then
  LUIGI_SPANNER_EMULATOR_IMAGE=$(bash scripts/emulator-image.sh)
  export LUIGI_SPANNER_EMULATOR_IMAGE
fi
mkdir -p test-results
rm -f test-results/vitest-unit.json test-results/vitest.json test-results/pytest.xml

echo "› Type-checking ..."
npx tsc --noEmit -p tsconfig.json

echo "› Packaging the extension for the code-server test ..."
npm run -s package >/dev/null

status=0
# pytest runs beside vitest's unit project: one is mostly Python processes and an emulator, the
# other mostly one Node worker, and on a 2-core machine the two together take little longer than
# the unit tests alone (about 1.5 minutes of CI saved). pytest gets an emulator of its own name
# (stopped after it), so the integration and e2e projects that follow find the machine as before.
PYTEST_EMULATOR_NAME=luigi-spanner-pytest
echo "› pytest (Python helpers and samples), beside vitest's unit tests; its report follows them ..."
LUIGI_SPANNER_EMULATOR_NAME=$PYTEST_EMULATOR_NAME .venv/bin/python -m pytest test/python -q -p no:cacheprovider --junitxml=test-results/pytest.xml >test-results/pytest.log 2>&1 &
pytest_pid=$!

echo "› vitest (unit) ..."
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=test-results/vitest-unit.json || status=$?

pytest_status=0
wait "$pytest_pid" || pytest_status=$?
echo "› pytest's report:"
cat test-results/pytest.log
[ "$pytest_status" -eq 0 ] || status=$pytest_status
node dist/cli.js emulator stop --name "$PYTEST_EMULATOR_NAME" >/dev/null 2>&1 || echo "(could not stop the emulator $PYTEST_EMULATOR_NAME)"

echo "› vitest (integration, browser, e2e) ..."
npx vitest run --project integration --project browser --project e2e --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?

# One closing line over both runners.
node -e '
const fs = require("fs");
const runs = ["test-results/vitest-unit.json", "test-results/vitest.json"].filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const v = { numPassedTests: runs.reduce((n, r) => n + r.numPassedTests, 0), numFailedTests: runs.reduce((n, r) => n + r.numFailedTests, 0) + (runs.length < 2 ? 1 : 0) };
const x = fs.existsSync("test-results/pytest.xml") ? fs.readFileSync("test-results/pytest.xml", "utf8") : "";
const attr = (n) => Number((x.match(new RegExp(`<testsuite[^>]* ${n}="(\\d+)"`)) || [])[1] || 0);
const pyFailed = attr("failures") + attr("errors"), pyTotal = attr("tests"), pySkipped = attr("skipped");
const passed = v.numPassedTests + pyTotal - pyFailed - pySkipped;
const failed = v.numFailedTests + pyFailed;
console.log(`\nall: ${passed} passed, ${failed} failed`);
'
exit $status
