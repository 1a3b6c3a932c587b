#!/usr/bin/env bash
# The single list of Debian 12 packages nimbus needs to build, test and benchmark.
# Idempotent: safe to run again; installs only what is missing.
# With --bench it also installs what bench/ needs (load driver, peers' runtime).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libpugixml-dev libspdlog-dev libfmt-dev libcli11-dev zlib1g-dev libarchive-dev zip
  # schedules' time zones: Howard Hinnant's date/tz over the OS tz database (/usr/share/zoneinfo)
  libhowardhinnant-date-dev tzdata
  # unit tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the fuzz targets (scripts/fuzz.sh): clang's libFuzzer, ASan and UBSan runtimes, llvm-symbolizer
  clang-14 libclang-rt-14-dev llvm-14
  # real clients the end-to-end tests drive nimbus with
  awscli python3 python3-boto3 python3-botocore python3-pytest python3-requests s3cmd rclone curl sqlite3
  # the thumbnail application (libvips) and the images its tests make and check (Pillow)
  libvips-dev python3-pil
  # what Python functions can import from the machine besides boto3 and Pillow
  python3-numpy
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk nginx-light)
  # Node.js for the peers in ../shared/bench-kit; an existing node with npm will do.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
