#!/usr/bin/env bash
# Warm Invoke throughput and latency: nimbus (C++ echo and Python echo) vs
# serverless-offline (Node echo; default runner and --useInProcess), under the
# kit's wrk driver, beside the nginx floor; then cold start and idle memory
# (lambda_cold.py).
#
#   bash bench/lambda_compare.sh [SECONDS=5]
#
# Needs: scripts/install-deps.sh --bench, a built nimbus, and the kit's peers:
# (cd ../shared/bench-kit/peers && npm install && cd sls-echo && npm install)
source "$(dirname "$0")/lib.sh"

NPORT=$(free_port)
"$NIMBUS" serve --port "$NPORT" --data-dir "$work/nimbus" --log-level warn >"$work/nimbus.log" 2>&1 &
pids+=($!)
sleep 0.5
create_echo "$NPORT" python

results="$work/results.txt"
drive() {  # drive NAME ENDPOINT FUNCTION CONNS
  local line
  line=$(DRIVER_ACCESS_KEY=test DRIVER_SECRET_KEY=test "$KIT/driver/lambda-invoke.sh" "$2" "$3" 1K "$4" "$SECS" 2>&1 \
         | grep '^RESULT' | tail -1 || true)
  echo "$1 c=$4 $line" | tee -a "$results"
}
for c in 1 8; do drive nimbus "http://127.0.0.1:$NPORT" echo "$c"; done
for c in 1 8; do drive nimbus-python "http://127.0.0.1:$NPORT" pyecho "$c"; done
for mode in default inprocess; do
  SPORT=$(free_port)
  if [ "$mode" = inprocess ]; then out=$("$KIT/peers/start-sls-offline.sh" "$SPORT" --useInProcess); else out=$("$KIT/peers/start-sls-offline.sh" "$SPORT"); fi
  spid=${out%% *}
  for c in 1 8; do drive "sls-offline-$mode" "http://127.0.0.1:$SPORT" sls-echo-dev-echo "$c"; done
  kill "$spid" 2>/dev/null || true
  sleep 0.5
done
for c in 1 8; do
  line=$("$KIT/driver/floor.sh" "$c" "$SECS" 2>&1 | grep '^RESULT' | tail -1 || true)
  echo "nginx-floor c=$c $line" | tee -a "$results"
done
/usr/bin/python3 bench/lambda_cold.py "http://127.0.0.1:$NPORT" 20 | tee -a "$results"
