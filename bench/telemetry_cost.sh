#!/usr/bin/env bash
# What function logs + metrics + traces cost: two nimbus servers, one with
# --telemetry on (the default) and one with it off, driven in turns by the
# kit's wrk driver so both see the same machine load. WHAT is `lambda` (a 1 KB
# signed Invoke of the C++ echo) or `s3` (presigned GETs of a 4 KB object).
# Prints RESULT lines and the on/off ratios.
#
#   bash bench/telemetry_cost.sh [SECONDS=5] [ROUNDS=3] [WHAT=lambda]
source "$(dirname "$0")/lib.sh"
ROUNDS=${2:-3}
WHAT=${3:-lambda}

start() {  # start NAME TELEMETRY: sets $port (not in a subshell, so cleanup can stop it)
  port=$(free_port)
  build/src/cli/nimbus serve --port "$port" --data-dir "$work/$1" --log-level warn --telemetry "$2" \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_nimbus/health" >/dev/null && break; sleep 0.05; done
  create_echo "$port"
}
start on on; ON=$port
start off off; OFF=$port
results="$work/results.txt"
for round in $(seq "$ROUNDS"); do
  for c in 1 8; do
    for mode in on off; do
      port=$ON; [ "$mode" = off ] && port=$OFF
      if [ "$WHAT" = s3 ]; then
        line=$(DRIVER_ACCESS_KEY=test DRIVER_SECRET_KEY=test "$KIT/driver/s3-get.sh" "http://127.0.0.1:$port" bench obj-4k 4K "$c" "$SECS" 2>&1 | grep '^RESULT' | tail -1)
      else
        line=$(DRIVER_ACCESS_KEY=test DRIVER_SECRET_KEY=test "$KIT/driver/lambda-invoke.sh" "http://127.0.0.1:$port" echo 1K "$c" "$SECS" 2>&1 | grep '^RESULT' | tail -1)
      fi
      echo "telemetry=$mode round=$round c=$c $line" | tee -a "$results"
    done
  done
done
/usr/bin/python3 - "$results" <<'PY'
import re, statistics, sys
rows, paired = {}, {}
for line in open(sys.argv[1]):
    m = re.search(r"telemetry=(\w+) round=(\d+) c=(\d+) .*rps=([\d.]+) p50_ms=([\d.]+)", line)
    if m:
        rows.setdefault((m.group(1), m.group(3)), []).append((float(m.group(4)), float(m.group(5))))
        paired.setdefault((m.group(2), m.group(3)), {})[m.group(1)] = float(m.group(4))
for c in ("1", "8"):
    on, off = rows.get(("on", c)), rows.get(("off", c))
    if not on or not off:
        continue
    rps_on, rps_off = statistics.median(r for r, _ in on), statistics.median(r for r, _ in off)
    p50_on, p50_off = statistics.median(p for _, p in on), statistics.median(p for _, p in off)
    print(f"RESULT telemetry-cost c={c} rps_on={rps_on:.0f} rps_off={rps_off:.0f} "
          f"throughput_cost={(1 - rps_on / rps_off) * 100:.1f}% p50_on={p50_on:.3f}ms p50_off={p50_off:.3f}ms "
          f"latency_cost={(p50_on / p50_off - 1) * 100:.1f}%")
    # Each round's two cells ran back to back: their ratio shares the machine's mood.
    ratios = [p["on"] / p["off"] for (r, cc), p in paired.items() if cc == c and "on" in p and "off" in p]
    print(f"RESULT telemetry-cost c={c} paired_rounds={len(ratios)} median_throughput_cost="
          f"{(1 - statistics.median(ratios)) * 100:.1f}% per_round={' '.join(f'{(1 - x) * 100:.1f}%' for x in ratios)}")
PY
