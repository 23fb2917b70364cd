#!/usr/bin/env bash
# Makes sure the emulator image the docker backend will use is on this machine:
# the configured/official image, pulled when a registry answers, else one built from the
# locally installed emulator binaries (air-gapped machines). Prints the image to use.
set -euo pipefail
cd "$(dirname "$0")/.."
official=gcr.io/cloud-spanner-emulator/emulator:1.5.28
local_image=luigi-spanner/emulator:local
wanted=${LUIGI_SPANNER_EMULATOR_IMAGE:-$official}

docker info >/dev/null 2>&1 || { echo ""; exit 0; }   # no engine: the caller falls back to the binary
if docker image inspect "$wanted" >/dev/null 2>&1; then echo "$wanted"; exit 0; fi
if [ "$wanted" = "$official" ] && timeout 60 docker pull -q "$official" >/dev/null 2>&1; then echo "$official"; exit 0; fi
if docker image inspect "$local_image" >/dev/null 2>&1; then echo "$local_image"; exit 0; fi
bash emulator/build-image.sh "$local_image" >&2 && echo "$local_image"
