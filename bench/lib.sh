# Shared by the bench scripts (source it): a scratch directory removed on
# exit, background processes stopped on exit, and free loopback ports.
# Sets SECS (first argument, default 5), KIT (the bench-kit) and work.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECS=${1:-5}
KIT=${BENCH_KIT:-../shared/bench-kit}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
