"""Cold start, warm latency seen by a client, and memory per idle instance
of the C++ echo function on a running nimbus.

    /usr/bin/python3 bench/lambda_cold.py ENDPOINT [ROUNDS=20]

Cold: each round updates the function's description (which retires its
instances), then times one invoke; "Init Duration" comes from the REPORT
line nimbus returns with LogType=Tail. Prints RESULT lines.
"""
import base64
import io
import os
import re
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]


def main():
    endpoint = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    lam = boto3.client("lambda", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                       region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, (ROOT / "build/examples/echo/bootstrap").read_bytes())
    try:
        lam.delete_function(FunctionName="coldecho")
    except Exception:
        pass
    lam.create_function(FunctionName="coldecho", Runtime="provided.al2023", Role="arn:aws:iam::000000000000:role/r",
                        Handler="x", Code={"ZipFile": buf.getvalue()})
    cold, init, warm = [], [], []
    for i in range(rounds):
        lam.update_function_configuration(FunctionName="coldecho", Description=f"round {i}")
        time.sleep(0.05)
        t = time.perf_counter()
        r = lam.invoke(FunctionName="coldecho", Payload=b'{"k":1}', LogType="Tail")
        r["Payload"].read()
        cold.append((time.perf_counter() - t) * 1000)
        m = re.search(r"Init Duration: ([\d.]+) ms", base64.b64decode(r["LogResult"]).decode())
        if m:
            init.append(float(m.group(1)))
        for _ in range(5):
            t = time.perf_counter()
            lam.invoke(FunctionName="coldecho", Payload=b'{"k":1}')["Payload"].read()
            warm.append((time.perf_counter() - t) * 1000)
    print(f"RESULT cold-invoke-client p50_ms={statistics.median(cold):.2f} min_ms={min(cold):.2f} rounds={rounds}")
    print(f"RESULT cold-init-duration p50_ms={statistics.median(init):.2f} min_ms={min(init):.2f}")
    print(f"RESULT warm-invoke-client(boto3) p50_ms={statistics.median(warm):.2f}")
    # Memory of idle instances: the bootstrap processes' resident sets.
    pids = subprocess.run(["pgrep", "-f", "examples/echo/bootstrap|/functions/coldecho/"], capture_output=True,
                          text=True).stdout.split()
    rss = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]))
        except OSError:
            pass
    if rss:
        print(f"RESULT idle-instance-rss kb={statistics.median(rss):.0f} instances={len(rss)}")


if __name__ == "__main__":
    main()
