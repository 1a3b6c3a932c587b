"""Python function cold starts: time to first response of a new instance,
started plainly (a fresh interpreter) and forked from the zygote, beside
the C++ echo in the same run.

    /usr/bin/python3 bench/python_cold.py [ROUNDS=20]

Each configuration gets its own `nimbus serve` (bench/nimbus_process.py).
Each round retires the function's instances (an UpdateFunctionConfiguration)
and times one Invoke: "first response" is the client's round trip, "init"
the Init Duration of nimbus's REPORT line (process start → first poll of
the Runtime API). Handlers: `echo` (returns the event), `boto3` (imports
boto3 at module level, as most real handlers do), `pil` (imports PIL.Image).
Prints RESULT lines.
"""
import base64
import io
import re
import statistics
import sys
import time
import zipfile

import boto3
from botocore.config import Config

from nimbus_process import KEYS, ROOT, nimbus

HANDLERS = {
    "echo": "def handler(event, context):\n    return event\n",
    "boto3": "import boto3\n\ndef handler(event, context):\n    return event\n",
    "pil": "from PIL import Image\n\ndef handler(event, context):\n    return event\n",
}


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            z.writestr(info, data)
    return buf.getvalue()


def measure(lam, name, rounds):
    first, init = [], []
    for i in range(rounds):
        lam.update_function_configuration(FunctionName=name, Description=f"round {i}")
        time.sleep(0.1)  # the retired instance's exit is not what is measured
        t = time.perf_counter()
        r = lam.invoke(FunctionName=name, Payload=b'{"k":1}', LogType="Tail")
        r["Payload"].read()
        first.append((time.perf_counter() - t) * 1000)
        m = re.search(r"Init Duration: ([\d.]+) ms", base64.b64decode(r["LogResult"]).decode())
        if m:
            init.append(float(m.group(1)))
    warm = []
    for _ in range(50):
        t = time.perf_counter()
        lam.invoke(FunctionName=name, Payload=b'{"k":1}')["Payload"].read()
        warm.append((time.perf_counter() - t) * 1000)
    return statistics.median(first), min(first), statistics.median(init) if init else float("nan"), \
        statistics.median(warm)


def run(label, server_args, rounds):
    with nimbus(*server_args, "--log-level", "warn") as server:
        lam = boto3.client("lambda", endpoint_url=server.endpoint, config=Config(retries={"max_attempts": 0}), **KEYS)
        role = "arn:aws:iam::000000000000:role/r"
        results = {}
        if label == "zygote":  # the C++ echo once, as the yardstick
            code = zip_of({"bootstrap": ((ROOT / "build/examples/echo/bootstrap").read_bytes(), 0o755)})
            lam.create_function(FunctionName="cpp", Runtime="provided.al2023", Role=role, Handler="x",
                                Code={"ZipFile": code})
            results["c++ echo"] = measure(lam, "cpp", rounds)
        for kind, source in HANDLERS.items():
            name = f"py-{kind}"
            lam.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
                                Code={"ZipFile": zip_of({"app.py": (source.encode(), 0o644)})})
            results[f"python {kind}"] = measure(lam, name, rounds)
        for what, (p50, low, init, warm) in results.items():
            print(f"RESULT {label:7s} {what:13s} first-response p50_ms={p50:.1f} min_ms={low:.1f} "
                  f"init p50_ms={init:.1f} warm-invoke(boto3) p50_ms={warm:.2f}", flush=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    run("plain", sys.argv[2:] or ["--python-zygote", "off"], rounds)
    run("zygote", [], rounds)


if __name__ == "__main__":
    main()
