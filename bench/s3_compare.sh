#!/usr/bin/env bash
# Side-by-side S3 benchmark: nimbus vs s3rver (the peer in ../shared/bench-kit),
# driven by the kit's neutral wrk + SigV4 driver under the same load, plus the
# machine's loopback HTTP ceiling (nginx `return 200`) and the disk's
# 16 MiB write+fsync rate. Prints RESULT lines and a markdown table.
#
#   bash bench/s3_compare.sh [SECONDS=5]
#
# Needs: scripts/install-deps.sh --bench, a built nimbus (scripts/build.sh),
# and the kit's peers installed: (cd ../shared/bench-kit/peers && npm install).
source "$(dirname "$0")/lib.sh"

NPORT=$(free_port)
"$NIMBUS" serve --port "$NPORT" --data-dir "$work/nimbus" --log-level warn >"$work/nimbus.log" 2>&1 &
pids+=($!)
SPORT=$(free_port)
SPID=$("$KIT/peers/start-s3rver.sh" "$SPORT" "$work/s3rver" | tail -1)
pids+=("$SPID")
sleep 1

results="$work/results.txt"
run() {  # run NAME ENDPOINT KEY SECRET driver-args...
  local name=$1 ep=$2 key=$3 secret=$4; shift 4
  local line
  sync  # flush what earlier cells left dirty, so it does not land on this cell's fsyncs
  line=$(DRIVER_ACCESS_KEY=$key DRIVER_SECRET_KEY=$secret "$@" 2>&1 | tee -a "$work/driver.log" | grep '^RESULT' | tail -1 || true)
  echo "$name $line" | tee -a "$results"
}

for size in 4K 16M; do
  for conns in 1 16; do
    for server in nimbus s3rver; do
      if [ "$server" = nimbus ]; then ep=http://127.0.0.1:$NPORT key=test secret=test; else ep=http://127.0.0.1:$SPORT key=S3RVER secret=S3RVER; fi
      run "$server GET $size c=$conns" "$ep" "$key" "$secret" "$KIT/driver/s3-get.sh" "$ep" bench "obj-$size" "$size" "$conns" "$SECS"
      run "$server PUT $size c=$conns" "$ep" "$key" "$secret" "$KIT/driver/s3-put.sh" "$ep" bench "$size" "$conns" "$SECS"
    done
  done
done
for conns in 1 16; do
  line=$("$KIT/driver/floor.sh" "$conns" "$SECS" 2>&1 | grep '^RESULT' | tail -1 || true)
  echo "nginx-floor GET 2B c=$conns $line" | tee -a "$results"
done

# The disk: 16 MiB written and fdatasync'ed, 20 times.
disk=$(/usr/bin/python3 - "$work" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
data = os.urandom(16 << 20)
t = time.perf_counter()
for i in range(20):
    fd = os.open(path + str(i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.write(fd, data); os.fdatasync(fd); os.close(fd)
dt = time.perf_counter() - t
print(f"{20 * 16 / dt:.1f}")
PY
)
echo "disk write+fdatasync 16MiB: ${disk} MB/s" | tee -a "$results"

echo
echo "| load | nimbus req/s | nimbus p50 / p99 ms | s3rver req/s | s3rver p50 / p99 ms | nimbus / s3rver |"
echo "|---|---|---|---|---|---|"
/usr/bin/python3 - "$results" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) (GET|PUT) (\S+) c=(\d+) .*rps=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+)", line)
    if m:
        server, op, size, c, rps, p50, p99 = m.groups()
        rows.setdefault((op, size, c), {})[server] = (float(rps), p50, p99)
for (op, size, c), v in rows.items():
    if "nimbus" not in v or "s3rver" not in v:
        continue
    n, s = v["nimbus"], v["s3rver"]
    mbps = lambda rps: rps * (4 / 1024 if size == "4K" else 16)
    print(f"| {op} {size} x{c} | {n[0]:.0f} ({mbps(n[0]):.1f} MB/s) | {n[1]} / {n[2]} | {s[0]:.0f} ({mbps(s[0]):.1f} MB/s) | {s[1]} / {s[2]} | {n[0] / s[0]:.2f}x |")
PY
