"""SQS send + receive + delete: nimbus against moto's server, same client, same run.

    /usr/bin/python3 bench/sqs_compare.py [SECONDS=10]     # boto3 1.26: the query protocol
    python3 bench/sqs_compare.py [SECONDS=10]              # newer boto3: JSON 1.0

Starts its own nimbus (build/src/cli/nimbus, every send durable: fsync before
the answer) and `python3 -m moto.server` (moto 5, from the python3 on PATH;
in memory), each on a free loopback port. For 1 and 16 clients (separate
processes, each with its own boto3 client), single (SendMessage,
ReceiveMessage of up to 10, DeleteMessage each) and batched (SendMessageBatch
of 10, ReceiveMessage of 10, DeleteMessageBatch), every client loops
send -> receive -> delete for SECONDS on its own queue. Reports messages
round-tripped per second and the server's CPU (utime+stime from /proc) per
message: with Python clients on a 2-core machine the clients are the
bottleneck, so the CPU figure is the steadier comparison. Prints a RESULT
line per cell.
"""
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from nimbus_process import KEYS, nimbus

CLIENTS = (1, 16)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker(endpoint, queue_name, batched, seconds, start_at, out):
    import boto3
    from botocore.config import Config
    sqs = boto3.client("sqs", endpoint_url=endpoint, config=Config(retries={"max_attempts": 0}), **KEYS)
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    while time.time() < start_at:
        time.sleep(0.001)
    done, deadline = 0, start_at + seconds
    body = "x" * 200
    while time.time() < deadline:
        if batched:
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body} for i in range(10)])
        else:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if batched and got:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(got)])
        else:
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        done += len(got)
    out.put(done)


def run_cell(endpoint, pid, label, clients, batched, seconds):
    out = multiprocessing.Queue()
    start_at = time.time() + 3  # every client has its boto3 client and queue by then
    procs = [multiprocessing.Process(target=worker, args=(endpoint, f"b{clients}{'b' if batched else 's'}{i}",
                                                          batched, seconds, start_at, out))
             for i in range(clients)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.001)
    cpu0 = cpu_seconds(pid)
    total = sum(out.get() for _ in procs)
    cpu = cpu_seconds(pid) - cpu0
    for p in procs:
        p.join()
    rate = total / seconds
    us_per_msg = cpu / total * 1e6 if total else float("nan")
    mode = "batched" if batched else "single"
    print(f"RESULT server={label} clients={clients} mode={mode} msgs_per_s={rate:.0f} "
          f"server_cpu_us_per_msg={us_per_msg:.0f}", flush=True)
    return rate, us_per_msg


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_server():
    py = shutil.which("python3")
    port = free_port()
    proc = subprocess.Popen([py, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    return proc, endpoint


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    import botocore
    print(f"client: {sys.executable}, botocore {botocore.__version__}", flush=True)
    results = {}
    with nimbus("--log-level", "warn") as server:
        pid = server.pid
        for clients in CLIENTS:
            for batched in (False, True):
                results[("nimbus", clients, batched)] = run_cell(server.endpoint, pid, "nimbus", clients, batched,
                                                                 seconds)
    proc, endpoint = moto_server()
    try:
        for clients in CLIENTS:
            for batched in (False, True):
                results[("moto", clients, batched)] = run_cell(endpoint, proc.pid, "moto", clients, batched, seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print()
    print("| clients | mode | nimbus msgs/s | moto msgs/s | ratio | nimbus CPU us/msg | moto CPU us/msg | CPU ratio |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for clients in CLIENTS:
        for batched in (False, True):
            n, m = results[("nimbus", clients, batched)], results[("moto", clients, batched)]
            print(f"| {clients} | {'batched' if batched else 'single'} | {n[0]:,.0f} | {m[0]:,.0f} | "
                  f"{n[0] / m[0]:.1f}x | {n[1]:.0f} | {m[1]:.0f} | {m[1] / n[1]:.1f}x |")


if __name__ == "__main__":
    main()
