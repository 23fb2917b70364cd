#!/usr/bin/env bash
# The whole test suite: unit, integration (real emulator container, real Luigi), browser
# (the webview in Chromium), e2e (the packaged .vsix in code-server), then the Python tests.
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

echo "› Type-checking ..."
npx tsc --noEmit -p tsconfig.json

echo "› Packaging the extension for the code-server test ..."
npm run -s package >/dev/null

status=0
echo "› vitest (unit, integration, browser, e2e) ..."
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?

echo "› pytest (Python helpers and samples) ..."
.venv/bin/python -m pytest test/python -q -p no:cacheprovider --junitxml=test-results/pytest.xml || status=$?

# One closing line over both runners.
node -e '
const fs = require("fs");
const v = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
const x = fs.existsSync("test-results/pytest.xml") ? fs.readFileSync("test-results/pytest.xml", "utf8") : "";
const attr = (n) => Number((x.match(new RegExp(`<testsuite[^>]* ${n}="(\\d+)"`)) || [])[1] || 0);
const pyFailed = attr("failures") + attr("errors"), pyTotal = attr("tests"), pySkipped = attr("skipped");
const passed = v.numPassedTests + pyTotal - pyFailed - pySkipped;
const failed = v.numFailedTests + pyFailed;
console.log(`\nall: ${passed} passed, ${failed} failed`);
'
exit $status
