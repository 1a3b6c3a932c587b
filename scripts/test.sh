#!/usr/bin/env bash
# Runs every test: installs the packages, builds, runs the fuzz targets
# briefly (scripts/fuzz.sh), then unit tests (GoogleTest) and end-to-end
# tests (real server + AWS CLI, boto3, s3cmd, rclone, curl) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# The fuzz targets' short run (clang, a few seconds each; NIMBUS_NO_FUZZ=1
# skips it), before ctest so that ctest's summary stays the last word.
[ "${NIMBUS_NO_FUZZ:-}" = "1" ] || bash scripts/fuzz.sh
cd build
ctest --output-on-failure -j 2 "$@"
