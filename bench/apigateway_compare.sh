#!/usr/bin/env bash
# API Gateway HTTP API route -> the C++ echo (examples/echo), against direct
# Lambda Invoke of the same function on the same nimbus, serverless-offline's
# httpApi event (bench/sls-httpapi: the kit's Node echo behind an httpApi
# route) and the nginx `return 200` floor; 1 and 8 connections, the kit's
# wrk driver (plain wrk with a Host header for the unsigned invoke URL, the
# SigV4 driver for Invoke). Prints one RESULT line per cell.
#
#   bash bench/apigateway_compare.sh [SECONDS=5]
#   NIMBUS_ONLY=1 ...   only the two nimbus rows (a before/after with NIMBUS_BIN)
#
# Needs: wrk, nginx-light, a built nimbus, and (cd bench/sls-httpapi && npm install).
source "$(dirname "$0")/lib.sh"

NPORT=$(free_port)
"$NIMBUS" serve --port "$NPORT" --data-dir "$work/nimbus" --log-level warn >"$work/nimbus.log" 2>&1 &
pids+=($!)
sleep 0.5
create_echo "$NPORT"
API=$(/usr/bin/python3 - "$NPORT" <<'PY'
import sys, boto3
c = boto3.client("apigatewayv2", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", aws_access_key_id="test",
                 aws_secret_access_key="test", region_name="us-east-1")
api = c.create_api(Name="bench", ProtocolType="HTTP")["ApiId"]
i = c.create_integration(ApiId=api, IntegrationType="AWS_PROXY", PayloadFormatVersion="2.0",
                         IntegrationUri="arn:aws:lambda:us-east-1:000000000000:function:echo")["IntegrationId"]
c.create_route(ApiId=api, RouteKey="GET /echo", Target="integrations/" + i)
c.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
print(api)
PY
)

results="$work/results.txt"
# plain NAME URL CONNS [HOST]: unsigned GETs through the kit's wrk script.
plain() {
  local line
  line=$( (
    source "$KIT/driver/lib.sh"
    driver_tmp
    headers=""
    if [ -n "${4:-}" ]; then headers="$DRIVER_TMP/headers"; echo "Host: $4" >"$headers"; fi
    export WRK_METHOD=GET WRK_BODY_FILE= WRK_HEADERS_FILE="$headers" WRK_PATHS_FILE=
    run_wrk "$1" "$2" "$3" "$SECS"
  ) 2>&1 | grep '^RESULT' | tail -1 || true)
  echo "$1 c=$3 $line" | tee -a "$results"
}
invoke() {  # invoke NAME ENDPOINT FUNCTION CONNS
  local line
  line=$(DRIVER_ACCESS_KEY=test DRIVER_SECRET_KEY=test "$KIT/driver/lambda-invoke.sh" "$2" "$3" 1K "$4" "$SECS" 2>&1 \
         | grep '^RESULT' | tail -1 || true)
  echo "$1 c=$4 $line" | tee -a "$results"
}
# Warm the instance once so no cell pays a cold start.
curl -s -H "Host: $API.execute-api.localhost:$NPORT" "http://127.0.0.1:$NPORT/echo" >/dev/null
for c in 1 8; do
  plain nimbus-route "http://127.0.0.1:$NPORT/echo" "$c" "$API.execute-api.localhost:$NPORT"
  invoke nimbus-invoke "http://127.0.0.1:$NPORT" echo "$c"
done

[ "${NIMBUS_ONLY:-0}" = 1 ] && exit 0

# serverless-offline, freshly started (its default runner slows as invocations accumulate).
SPORT=$(free_port) LPORT=$(free_port)
(
  cd bench/sls-httpapi
  export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*' \
         SLS_INTERACTIVE_SETUP_DISABLE=1 SLS_TRACKING_DISABLED=1
  exec node node_modules/serverless/bin/serverless.js offline start --host 127.0.0.1 --httpPort "$SPORT" \
    --lambdaPort "$LPORT" --noSponsor
) >"$work/sls.log" 2>&1 &
spid=$!
pids+=($spid)
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$SPORT/echo" >/dev/null 2>&1 && break
  sleep 0.1
done
for c in 1 8; do plain sls-offline-httpApi "http://127.0.0.1:$SPORT/echo" "$c"; done
kill "$spid" 2>/dev/null || true

for c in 1 8; do
  line=$("$KIT/driver/floor.sh" "$c" "$SECS" 2>&1 | grep '^RESULT' | tail -1 || true)
  echo "nginx-floor c=$c $line" | tee -a "$results"
done
