"""SQS send acknowledged -> function holding the message, through an event source mapping.

    /usr/bin/python3 bench/esm_latency.py [MESSAGES=200]

Starts its own nimbus (build/src/cli/nimbus) on a free port with a temporary
data directory, deploys a function written against the Runtime API that
writes the wall-clock time it received each event to a file (nimbus's own
log keeps only 200 lines per function per 10 s), maps an SQS queue to it
(BatchSize 1, no batching window), then sends MESSAGES small messages one at
a time, 10 ms apart. Latency = the function's receive time minus the moment
boto3's send_message returned (same clock, same machine; it can be slightly
negative, as the function may hold the message before the client has parsed
the answer). In the same run, the floor: the same function and count through
asynchronous invocations (Invoke with InvocationType=Event: acknowledged once
durable in the async queue, then handed to the warm instance), which is the
platform's own queue-to-function path without SQS. Prints a RESULT line each
and their ratio.
"""
import io
import statistics
import sys
import time
import zipfile

from nimbus_process import nimbus

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
    for rec in event.get("Records", []):
        out.write("RECEIVED %s %.6f\n" % (rec["body"], got))
    if "tag" in event:
        out.write("RECEIVED %s %.6f\n" % (event["tag"], got))
    out.flush()
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def percentile(sorted_values, p):
    return sorted_values[max(0, int(len(sorted_values) * p) - 1)] if sorted_values else float("nan")


def latencies(log_text, acked):
    received = {}
    for line in log_text.splitlines():
        if "RECEIVED " in line:
            tag, t = line.partition("RECEIVED ")[2].split()
            received.setdefault(tag, float(t))
    return sorted((received[k] - acked[k]) * 1000 for k in acked if k in received)


def report(name, count, lat):
    print(f"RESULT {name} messages={count} delivered={len(lat)} p50_ms={statistics.median(lat):.2f} "
          f"p99_ms={percentile(lat, 0.99):.2f} max_ms={lat[-1]:.2f}")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with nimbus() as server:
        sqs, lam = server.client("sqs"), server.client("lambda")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o755 << 16
            z.writestr(info, RECORDER)
        lam.create_function(FunctionName="rec", Runtime="provided.al2023", Role="arn:aws:iam::000000000000:role/r",
                            Handler="x", Code={"ZipFile": buf.getvalue()},
                            Environment={"Variables": {"OUT": server.data_dir + "/received.txt"}})
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        lam.create_event_source_mapping(FunctionName="rec", BatchSize=1,
                                        EventSourceArn="arn:aws:sqs:us-east-1:000000000000:jobs")
        sqs.send_message(QueueUrl=url, MessageBody="warmup")
        lam.invoke(FunctionName="rec", InvocationType="Event", Payload=b'{"tag": "warmup-async"}')
        time.sleep(2)
        esm, floor = {}, {}
        for i in range(count):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
            esm[f"m{i}"] = time.time()
            time.sleep(0.01)
        time.sleep(1)
        for i in range(count):
            lam.invoke(FunctionName="rec", InvocationType="Event", Payload=b'{"tag": "a%d"}' % i)
            floor[f"a{i}"] = time.time()
            time.sleep(0.01)
        time.sleep(2)
        with open(server.data_dir + "/received.txt") as f:
            log_text = f.read()
    esm_lat, floor_lat = latencies(log_text, esm), latencies(log_text, floor)
    report("esm-latency", count, esm_lat)
    report("async-invoke-latency", count, floor_lat)
    print(f"RESULT esm/async p50 ratio={statistics.median(esm_lat) / statistics.median(floor_lat):.2f}")


if __name__ == "__main__":
    main()
