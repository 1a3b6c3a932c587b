#!/usr/bin/env bash
# Runs every test: installs the packages, builds, then unit tests
# (GoogleTest) and end-to-end tests (real server + AWS CLI, boto3, s3cmd,
# rclone, curl) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j 2 "$@"
