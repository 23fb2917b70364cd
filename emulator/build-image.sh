#!/usr/bin/env bash
# Builds a Cloud Spanner emulator image from locally installed emulator binaries,
# without any container registry (air-gapped machines, CI here).
#
# The result behaves like gcr.io/cloud-spanner-emulator/emulator: entrypoint
# `gateway_main`, arguments `--hostname 0.0.0.0` (replaceable, e.g. to add
# --enable_fault_injection), gRPC on 9010, REST on 9020.
#
# Usage: emulator/build-image.sh [IMAGE_TAG]
#   IMAGE_TAG defaults to $LUIGI_SPANNER_EMULATOR_IMAGE or luigi-spanner/emulator:local
#   EMULATOR_DIR overrides where gateway_main and emulator_main are found.
set -euo pipefail

tag="${1:-${LUIGI_SPANNER_EMULATOR_IMAGE:-luigi-spanner/emulator:local}}"

find_emulator_dir() {
  if [ -n "${EMULATOR_DIR:-}" ]; then echo "$EMULATOR_DIR"; return; fi
  # Debian/Ubuntu package google-cloud-cli-spanner-emulator, then a gcloud SDK install.
  if command -v dpkg >/dev/null 2>&1; then
    local p
    p=$(dpkg -L google-cloud-cli-spanner-emulator 2>/dev/null | grep '/gateway_main$' | head -n1 || true)
    if [ -n "$p" ]; then dirname "$p"; return; fi
  fi
  if command -v gcloud >/dev/null 2>&1; then
    local root
    root=$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null || true)
    if [ -n "$root" ] && [ -x "$root/bin/cloud_spanner_emulator/gateway_main" ]; then
      echo "$root/bin/cloud_spanner_emulator"; return
    fi
  fi
  echo ""
}

dir=$(find_emulator_dir)
if [ -z "$dir" ] || [ ! -x "$dir/gateway_main" ] || [ ! -x "$dir/emulator_main" ]; then
  echo "error: Spanner emulator binaries not found." >&2
  echo "fix:   apt-get install google-cloud-cli-spanner-emulator   (or: gcloud components install cloud-spanner-emulator)" >&2
  echo "       or set EMULATOR_DIR to the folder holding gateway_main and emulator_main." >&2
  exit 2
fi
if ! docker info >/dev/null 2>&1; then
  echo "error: no Docker engine answers (docker info failed)." >&2
  echo "fix:   start Docker (Debian: apt-get install docker.io && dockerd &)" >&2
  exit 2
fi
if [ ! -d /usr/share/zoneinfo ]; then
  echo "error: /usr/share/zoneinfo is missing; the emulator aborts without a time-zone database." >&2
  echo "fix:   apt-get install tzdata" >&2
  exit 2
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/tmp" "$root/usr/share"
# Same layout as the official image: both binaries in /, gateway_main starts emulator_main beside it.
cp "$dir/gateway_main" "$dir/emulator_main" "$root/"
# Every shared library either binary links, with the loader, at its own path.
for bin in "$dir/gateway_main" "$dir/emulator_main"; do
  ldd "$bin" | awk '/=> \// {print $3} /^\t\/[^ ]+/ {print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
chmod 1777 "$root/tmp"

snapshot="$(dirname "$(dirname "$dir")")/.install/cloud-spanner-emulator.snapshot.json"
version=$(grep -o '"version_string": *"[^"]*"' "$snapshot" 2>/dev/null | head -n1 | sed 's/.*"\([^"]*\)"$/\1/' || true)
tar -C "$root" -c . | docker import \
  --change 'WORKDIR /' \
  --change 'ENTRYPOINT ["/gateway_main"]' \
  --change 'CMD ["--hostname", "0.0.0.0"]' \
  --change 'EXPOSE 9010 9020' \
  --change 'ENV TZ=UTC' \
  --change "LABEL org.opencontainers.image.title=cloud-spanner-emulator-local" \
  --change "LABEL luigi-spanner.emulator-version=${version:-unknown}" \
  - "$tag" >/dev/null
echo "built $tag from $dir (emulator ${version:-unknown version})"
