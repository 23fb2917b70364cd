#!/usr/bin/env bash
# Installs what the tool needs from its registries: npm packages (from the lock file) and the
# managed Python virtual environment (.venv, pinned requirements). Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

if [ ! -f node_modules/.setup-stamp ] || [ "$(cat node_modules/.setup-stamp)" != "$(stamp package-lock.json)" ]; then
  echo "› Installing npm packages (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
  stamp package-lock.json > node_modules/.setup-stamp
fi

req=extension/python/requirements.txt
test_req=test/python/requirements.txt  # test-only tools (pre-commit), same venv
if [ ! -f .venv/.setup-stamp ] || [ "$(cat .venv/.setup-stamp)" != "$(stamp "$req" "$test_req")" ]; then
  python=${LUIGI_SPANNER_BASE_PYTHON:-python3}
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; the pipelines need Python 3.10+." >&2
    echo "fix:   install Python 3 with venv (Debian: apt-get install python3 python3-venv) or set LUIGI_SPANNER_BASE_PYTHON." >&2
    exit 2
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "error: $python is $("$python" -V 2>&1); the pipelines need Python 3.10+ (luigi 3.8 and luigi-spanner require it)." >&2
    echo "fix:   install Python 3.10 or newer, or point LUIGI_SPANNER_BASE_PYTHON at one (e.g. python3.11)." >&2
    exit 2
  fi
  echo "› Creating the Python environment .venv (luigi, google-cloud-spanner, pytest, pre-commit; pinned) ..."
  "$python" -m venv .venv || { echo "fix: apt-get install python3-venv" >&2; exit 2; }
  .venv/bin/python -m pip install --disable-pip-version-check -q -r "$req" -r "$test_req"
  stamp "$req" "$test_req" > .venv/.setup-stamp
  rm -f .venv/.package-stamp
fi

# The luigi-spanner package (extension/python) goes into .venv as a wheel, the way every other
# interpreter gets it: no path insertion. Rebuilt and reinstalled whenever its sources change.
package_stamp=$(stamp $(find extension/python -type f \( -name '*.py' -o -name '*.toml' -o -name '*.md' -o -name py.typed \) -not -path '*/__pycache__/*' | sort))
if [ ! -f .venv/.package-stamp ] || [ "$(cat .venv/.package-stamp)" != "$package_stamp" ]; then
  echo "› Building the luigi-spanner wheel and installing it into .venv ..."
  wheel=$(node scripts/build-wheel.mjs)
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --force-reinstall "$wheel"
  echo "$package_stamp" > .venv/.package-stamp
fi

if [ ! -f dist/cli.js ] || [ -n "$(find extension emulator webview scripts/build.mjs package.json -newer dist/cli.js -print -quit 2>/dev/null)" ]; then
  echo "› Building ..."
  node scripts/build.mjs >/dev/null
fi
