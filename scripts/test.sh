#!/usr/bin/env bash
# Runs every test: installs the packages, builds, then unit tests
# (GoogleTest), end-to-end tests (real server + AWS CLI, boto3, s3cmd,
# rclone, curl) and the short kill -9 campaign through ctest. Then the
# sanitized parts (scripts/sanitize.sh): the same under ASan + UBSan, and the
# concurrency code's unit tests under TSan. NIMBUS_SANITIZE_PARTS="" skips
# those. First of all, the fuzz targets' short run (scripts/fuzz.sh, clang, a
# few seconds each; NIMBUS_NO_FUZZ=1 skips it). Arguments go to every ctest.
#
# Every part runs even if one before failed; the script fails if any did.
# It closes with each part's time, then ctest's own summary lines per part,
# a failing part's last, so the closing lines tell what failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

logs=$(mktemp -d)
passed=() failed=() times=()
part() {  # part NAME COMMAND...: runs it, its output kept in $logs/NAME.log
  local name=$1 start=$SECONDS rc=0
  shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log" || rc=$?
  times+=("$name $((SECONDS - start))s")
  if [ $rc -eq 0 ]; then passed+=("$name"); else failed+=("$name"); fi
}

[ "${NIMBUS_NO_FUZZ:-}" = "1" ] || part fuzz bash scripts/fuzz.sh
part normal bash -c 'bash scripts/build.sh && cd build && ctest --output-on-failure -j 2 "$@"' _ "$@"
for kind in ${NIMBUS_SANITIZE_PARTS-asan tsan}; do
  part "$kind" bash scripts/sanitize.sh "$kind" "$@"
done

echo
echo "=== time per part: ${times[*]}"
for name in ${passed[@]+"${passed[@]}"} ${failed[@]+"${failed[@]}"}; do
  echo "=== $name:"
  if [ "$name" = fuzz ]; then
    grep '^fuzz:' "$logs/$name.log" | tail -n 5 || tail -n 20 "$logs/$name.log"
    continue
  fi
  # ctest's summary: from its "N% tests passed" line to the end of the run.
  if ! sed -n '/% tests passed/,$p' "$logs/$name.log" | grep .; then
    echo "no ctest summary (the build failed?): the last lines of its output"
    tail -n 20 "$logs/$name.log"
  fi
done
rm -rf "$logs"
[ ${#failed[@]} -eq 0 ]
