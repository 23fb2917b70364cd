#!/usr/bin/env bash
# The main job on the samples: start the emulator, run the orders pipeline, print its task graph
# and the rows written. Installs what it needs itself (npm packages, the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
if [ -z "${LUIGI_SPANNER_EMULATOR_IMAGE:-}" ]; then
  image=$(bash scripts/emulator-image.sh)
  # Empty: no Docker engine answers; `auto` then falls back to the emulator binary, or says what to install.
  [ -n "$image" ] && export LUIGI_SPANNER_EMULATOR_IMAGE="$image"
fi
exec node dist/cli.js demo "$@"
