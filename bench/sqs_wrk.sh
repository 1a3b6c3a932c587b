#!/usr/bin/env bash
# SQS sends as the server sees them: nimbus (every send fsynced before the
# answer) against moto's server (in memory), the same wrk load in the same run.
#
#   bash bench/sqs_wrk.sh [SECONDS=10]
#
# The bench-kit's neutral driver (wrk + bench.lua, ../shared/bench-kit)
# replays one SigV4-signed query-protocol request (bench/sqs_request.py):
# SendMessage of 200 bytes, and SendMessageBatch of 10 such messages, at 1 and
# 16 connections, each server freshly started with its own queue. Reports
# requests/s, messages/s, p50/p99 and the server's CPU (utime+stime from
# /proc) per message. wrk measures the server, not a Python client: this is
# the server's send capacity; bench/sqs_compare.py measures whole
# send+receive+delete loops with boto3 clients. Prints a RESULT line per cell.
source "$(dirname "$0")/lib.sh"
source "$KIT/driver/lib.sh"
MOTO_PY=${MOTO_PYTHON:-python3}   # moto 5 lives in the python3 on PATH here

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_nimbus() {
  local port=$1
  "$NIMBUS" serve --port "$port" --data-dir "$work/nimbus-$port" >"$work/nimbus-$port.log" 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_nimbus/health" >/dev/null && return; sleep 0.1; done
  echo "nimbus did not start" >&2; exit 1
}

start_moto() {
  local port=$1
  "$MOTO_PY" -m moto.server -p "$port" >"$work/moto-$port.log" 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null && return; sleep 0.1; done
  echo "moto did not start" >&2; exit 1
}

run_cell() {  # server kind conns
  local server=$1 kind=$2 conns=$3 port
  port=$(free_port)
  if [ "$server" = nimbus ]; then start_nimbus "$port"; else start_moto "$port"; fi
  local endpoint="http://127.0.0.1:$port"
  driver_tmp
  /usr/bin/python3 bench/sqs_request.py "$endpoint" "bench-$kind" "$kind" "$DRIVER_TMP" >/dev/null
  export WRK_METHOD=POST WRK_BODY_FILE="$DRIVER_TMP/body" WRK_HEADERS_FILE="$DRIVER_TMP/headers" WRK_PATHS_FILE=
  local before after line rps per
  before=$(cpu_ticks "$server_pid")
  line=$(run_wrk "sqs-$kind" "$endpoint/" "$conns" "$SECS" 2>&1 | grep '^RESULT' | tail -1 || true)
  after=$(cpu_ticks "$server_pid")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  rps=$(echo "$line" | sed -n 's/.* rps=\([0-9.]*\).*/\1/p')
  per=1; [ "$kind" = batch ] && per=10
  local requests; requests=$(echo "$line" | sed -n 's/.* requests=\([0-9]*\).*/\1/p')
  local hz; hz=$(getconf CLK_TCK)
  local cpu_us="nan"
  [ -n "$requests" ] && [ "$requests" -gt 0 ] && cpu_us=$(awk -v a="$after" -v b="$before" -v hz="$hz" -v n="$requests" -v m="$per" \
      'BEGIN{printf "%.1f", (a-b)/hz*1e6/(n*m)}')
  echo "RESULT sqs-wrk server=$server kind=$kind conns=$conns msgs_per_s=$(awk -v r="${rps:-0}" -v m=$per 'BEGIN{printf "%.0f", r*m}') cpu_us_per_msg=$cpu_us | $line"
}

for kind in send batch; do
  for conns in 1 16; do
    run_cell nimbus "$kind" "$conns"
    run_cell moto "$kind" "$conns"
  done
done
