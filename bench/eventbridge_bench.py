"""EventBridge: PutEvents -> target function latency, PutEvents throughput
against moto's server, and scheduled rules' lateness.

    /usr/bin/python3 bench/eventbridge_bench.py latency [EVENTS=200]
    /usr/bin/python3 bench/eventbridge_bench.py throughput [SECONDS=10]
    /usr/bin/python3 bench/eventbridge_bench.py lateness [MINUTES=2]

latency: starts its own nimbus (build/src/cli/nimbus) with a function written
against the Runtime API that writes the wall-clock time it received each event
to a file; a rule on a custom bus targets it. EVENTS single-entry PutEvents are
sent 10 ms apart; latency = the function's receive time minus the moment
boto3's put_events returned. Once with that 1 rule on the bus, once with 100
(99 that do not match, each with its own pattern), and the floor in the same
run: asynchronous invocations of the same function (Invoke, InvocationType
Event), the platform's own queue-to-function path.

throughput: nimbus (every accepted event durable: fsync before the answer) and
`python3 -m moto.server` (moto 5 from the python3 on PATH, in memory), each
with one rule whose target is an SQS queue. 1 and 8 client processes send
PutEvents of 10 entries for SECONDS; then 1 client on a bus with no rules
(what accepting an event costs alone). Reports entries/s and the server's CPU
(utime+stime from /proc) per entry: with Python clients on a 2-core machine
the clients are the bottleneck, so the CPU figure is the steadier comparison.

lateness: 20 rules `cron(* * * * ? *)` (due on every whole minute, UTC) target
one SQS queue, for MINUTES minutes of real time; a long-polling client (woken
by the send) records when each Scheduled Event arrived; lateness = that time
minus the whole minute it was due (the event's own `time`). Prints a RESULT line per measurement.
"""
import io
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import zipfile
from datetime import datetime, timezone

from nimbus_process import KEYS, nimbus

RECORDER = r'''#!/usr/bin/python3
import http.client, json, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
c = http.client.HTTPConnection(host, int(port))
out = open(os.environ["OUT"], "a")
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    got = time.time()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    if event.get("detail-type") == "Scheduled Event":
        out.write("SCHEDULED %s %s %.6f\n" % (event["resources"][0], event["time"], got))
    else:
        tag = event.get("tag") or event.get("detail", {}).get("tag")
        out.write("RECEIVED %s %.6f\n" % (tag, got))
    out.flush()
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def percentile(sorted_values, p):
    return sorted_values[max(0, int(len(sorted_values) * p) - 1)] if sorted_values else float("nan")


def deploy_recorder(server):
    lam = server.client("lambda")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, RECORDER)
    lam.create_function(FunctionName="rec", Runtime="provided.al2023", Role="arn:aws:iam::000000000000:role/r",
                        Handler="x", Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": {"OUT": server.data_dir + "/received.txt"}})
    return lam, "arn:aws:lambda:us-east-1:000000000000:function:rec"


def received(server):
    with open(server.data_dir + "/received.txt") as f:
        return f.read()


def latencies(log_text, acked):
    got = {}
    for line in log_text.splitlines():
        if line.startswith("RECEIVED "):
            _, tag, t = line.split()
            got.setdefault(tag, float(t))
    return sorted((got[k] - acked[k]) * 1000 for k in acked if k in got)


def report(name, count, lat):
    print(f"RESULT {name} events={count} delivered={len(lat)} p50_ms={statistics.median(lat):.2f} "
          f"p99_ms={percentile(lat, 0.99):.2f} max_ms={lat[-1]:.2f}", flush=True)


def latency(count):
    with nimbus() as server:
        lam, fn = deploy_recorder(server)
        ev = server.client("events")
        ev.create_event_bus(Name="bench")
        ev.put_rule(Name="match", EventBusName="bench", EventPattern=json.dumps({"source": ["bench"]}))
        ev.put_targets(Rule="match", EventBusName="bench", Targets=[{"Id": "fn", "Arn": fn}])
        ev.put_events(Entries=[{"Source": "bench", "DetailType": "t", "Detail": '{"tag": "warmup"}',
                                "EventBusName": "bench"}])
        lam.invoke(FunctionName="rec", InvocationType="Event", Payload=b'{"tag": "warmup-async"}')
        time.sleep(2)

        def run(prefix):
            acked = {}
            for i in range(count):
                tag = f"{prefix}{i}"
                ev.put_events(Entries=[{"Source": "bench", "DetailType": "t", "Detail": json.dumps({"tag": tag}),
                                        "EventBusName": "bench"}])
                acked[tag] = time.time()
                time.sleep(0.01)
            return acked

        one = run("one")
        for i in range(99):  # 99 more rules, none of which matches
            ev.put_rule(Name=f"other-{i}", EventBusName="bench",
                        EventPattern=json.dumps({"source": [f"other-{i}"], "detail": {"n": [{"numeric": [">", i]}]}}))
            ev.put_targets(Rule=f"other-{i}", EventBusName="bench", Targets=[{"Id": "fn", "Arn": fn}])
        hundred = run("hundred")
        floor = {}
        for i in range(count):
            lam.invoke(FunctionName="rec", InvocationType="Event", Payload=b'{"tag": "async%d"}' % i)
            floor[f"async{i}"] = time.time()
            time.sleep(0.01)
        time.sleep(2)
        text = received(server)
    one_lat, hundred_lat, floor_lat = latencies(text, one), latencies(text, hundred), latencies(text, floor)
    report("putevents-to-function rules=1", count, one_lat)
    report("putevents-to-function rules=100", count, hundred_lat)
    report("async-invoke-to-function", count, floor_lat)
    print(f"RESULT putevents/async p50 ratio rules=1 {statistics.median(one_lat) / statistics.median(floor_lat):.2f} "
          f"rules=100 {statistics.median(hundred_lat) / statistics.median(floor_lat):.2f}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sender(endpoint, seconds, start_at, out, bus):
    import boto3
    from botocore.config import Config
    ev = boto3.client("events", endpoint_url=endpoint, config=Config(retries={"max_attempts": 0}), **KEYS)
    entries = [{"Source": "bench", "DetailType": "t", "Detail": json.dumps({"n": i, "pad": "x" * 100}),
                "EventBusName": bus} for i in range(10)]
    while time.time() < start_at:
        time.sleep(0.001)
    done, deadline = 0, start_at + seconds
    while time.time() < deadline:
        r = ev.put_events(Entries=entries)
        done += 10 - r["FailedEntryCount"]
    out.put(done)


def prepare(endpoint):
    import boto3
    sqs = boto3.client("sqs", endpoint_url=endpoint, **KEYS)
    ev = boto3.client("events", endpoint_url=endpoint, **KEYS)
    sqs.create_queue(QueueName="sink")
    ev.put_rule(Name="all", EventPattern=json.dumps({"source": ["bench"]}))
    ev.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:sink"}])
    ev.create_event_bus(Name="plain")  # no rules: what accepting an event costs alone


def measure(name, endpoint, pid, clients, seconds, bus="default"):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3
    procs = [ctx.Process(target=sender, args=(endpoint, seconds, start_at, out, bus)) for _ in range(clients)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.01)
    cpu0 = cpu_seconds(pid)
    total = sum(out.get() for _ in procs)
    cpu1 = cpu_seconds(pid)
    for p in procs:
        p.join()
    rate = total / seconds
    print(f"RESULT putevents server={name} bus={bus} clients={clients} entries_per_s={rate:.0f} "
          f"server_cpu_us_per_entry={(cpu1 - cpu0) * 1e6 / max(total, 1):.1f}", flush=True)
    return rate, (cpu1 - cpu0) / max(total, 1)


def moto_server():
    py = shutil.which("python3")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.Popen([py, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    return proc, endpoint


def throughput(seconds):
    results = {}
    with nimbus() as server:
        prepare(server.endpoint)
        for clients in (1, 8):
            results[("nimbus", clients)] = measure("nimbus", server.endpoint, server.pid, clients, seconds)
        results[("nimbus", "plain")] = measure("nimbus", server.endpoint, server.pid, 1, seconds, "plain")
    proc, endpoint = moto_server()
    try:
        prepare(endpoint)
        for clients in (1, 8):
            results[("moto", clients)] = measure("moto", endpoint, proc.pid, clients, seconds)
        results[("moto", "plain")] = measure("moto", endpoint, proc.pid, 1, seconds, "plain")
    finally:
        proc.terminate()
        proc.wait()
    for clients in (1, 8, "plain"):
        (nr, nc), (mr, mc) = results[("nimbus", clients)], results[("moto", clients)]
        print(f"RESULT putevents ratio cell={clients} rate_x={nr / mr:.1f} cpu_per_entry_x={mc / nc:.1f}")


def lateness(minutes):
    import threading
    with nimbus() as server:
        ev, sqs = server.client("events"), server.client("sqs")
        url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
        for i in range(20):
            ev.put_rule(Name=f"minutely-{i}", ScheduleExpression="cron(* * * * ? *)")
            ev.put_targets(Rule=f"minutely-{i}", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:ticks"}])
        late, stop = [], time.time() + minutes * 60 + 3

        def receive():  # a long poll answers as soon as a message arrives
            while time.time() < stop:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
                now = time.time()
                for m in got:
                    due = json.loads(m["Body"])["time"]
                    due_s = datetime.strptime(due, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
                    late.append((now - due_s) * 1000)
                if got:
                    sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                                    for i, m in enumerate(got)])

        t = threading.Thread(target=receive)
        t.start()
        t.join()
    late.sort()
    print(f"RESULT schedule-lateness fires={len(late)} p50_ms={statistics.median(late):.2f} "
          f"p99_ms={percentile(late, 0.99):.2f} max_ms={late[-1]:.2f} min_ms={late[0]:.2f}")


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "latency"
    arg = int(sys.argv[2]) if len(sys.argv) > 2 else None
    if what == "latency":
        latency(arg or 200)
    elif what == "throughput":
        throughput(arg or 10)
    elif what == "lateness":
        lateness(arg or 2)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
