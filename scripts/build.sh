#!/usr/bin/env bash
# Configures and builds nimbus into build/ (Release with debug info, Ninja,
# ccache when present). Used by start.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=()
# CI builds with -g1: line tables (backtraces, crash reports keep file:line and
# inlined frames) without full -g's variable locations, which only a debugger
# uses and which cost a good part of the compile time. build/ keeps -g elsewhere.
[ "${CI:-}" = "true" ] && extra+=(-DNIMBUS_WERROR=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" > /dev/null
cmake --build build -j "$(nproc)"
