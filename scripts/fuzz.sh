#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang-14, ASan + UBSan) into
# build-fuzz/ and runs each over a copy of its seed corpus (fuzz/corpus/NAME,
# never written to), with its dictionary fuzz/NAME.dict if there is one.
#   scripts/fuzz.sh [NAME...]            a few seconds each (FUZZ_SECONDS, default 5)
#   scripts/fuzz.sh --long N [NAME...]   N executions each, one target at a time
# Fails on any crash, leak, timeout or UB report, printing the reproducer;
# rerun one with build-fuzz/fuzz/NAME_fuzz REPRODUCER.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=""
if [ "${1:-}" = "--long" ]; then
  runs="${2:?--long needs a number of executions}"
  shift 2
fi
seconds="${FUZZ_SECONDS:-5}"

extra=()
[ "${CI:-}" = "true" ] && extra+=(-DNIMBUS_WERROR=ON)
# Line tables only: a finding's stack keeps its files, lines and inlined
# frames; full debug info would add compile time for a debugger nobody attaches.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -gline-tables-only -DNDEBUG" -DNIMBUS_FUZZ=ON "${extra[@]}" > /dev/null
if ! cmake --build build-fuzz --target nimbus_fuzz -j 2 > build-fuzz/build.log 2>&1; then
  grep -v '^\[' build-fuzz/build.log | tail -40 >&2
  echo "fuzz: build failed (build-fuzz/build.log)" >&2
  exit 1
fi

names=("$@")
if ((${#names[@]} == 0)); then
  for bin in build-fuzz/fuzz/*_fuzz; do
    n="${bin##*/}"
    names+=("${n%_fuzz}")
  done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
command -v llvm-symbolizer-14 >/dev/null && export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"

failed=()
printf '%-16s %12s %8s %8s %8s\n' target executions seconds cov ft
for name in "${names[@]}"; do
  bin="build-fuzz/fuzz/${name}_fuzz"
  [ -x "$bin" ] || { echo "fuzz: no target $name" >&2; exit 2; }
  work="build-fuzz/fuzz-runs/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/corpus/"
  args=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  [ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
  if [ -n "$runs" ]; then args+=(-runs="$runs"); else args+=(-max_total_time="$seconds"); fi
  start=$SECONDS
  status=0
  "$bin" "${args[@]}" "$work/corpus" > "$work/log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  printf '%-16s %12s %8s %8s %8s\n' "$name" "${execs:-?}" "$((SECONDS - start))" "${cov:-?}" "${ft:-?}"
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written|timeout' "$work/log" | head -20 >&2 || true
    for a in "$work/artifacts"/*; do [ -e "$a" ] && echo "fuzz: $name reproducer: $a (log: $work/log)" >&2; done
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#names[@]} targets passed"
