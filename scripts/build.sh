#!/usr/bin/env bash
# Configures and builds nimbus into build/ (Release with debug info, Ninja,
# ccache when present). Used by start.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DNIMBUS_WERROR=ON)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" > /dev/null
cmake --build build -j "$(nproc)"
