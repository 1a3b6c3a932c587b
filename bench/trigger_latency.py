"""Upload acknowledged -> function started, for bucket notifications.

    /usr/bin/python3 bench/trigger_latency.py [UPLOADS=200]

Starts its own nimbus (build/src/cli/nimbus) on a free port with a temporary
data directory, deploys a function written against the Runtime API that
records the wall-clock time it received each event, sets a notification on
input/, then PUTs small objects one at a time. Latency = the function's
receive time minus the moment boto3's put_object returned (same clock, same
machine); it can be slightly negative, as the function may start before the
client has parsed the 200. Prints a RESULT line.
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
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    got = time.time()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    for rec in event.get("Records", []):
        print("RECEIVED %s %.6f" % (rec["s3"]["object"]["key"], got), flush=True)
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def main():
    uploads = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with nimbus() as server:
        s3, lam = server.client("s3"), server.client("lambda")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o755 << 16
            z.writestr(info, RECORDER)
        s3.create_bucket(Bucket="photos")
        lam.create_function(FunctionName="rec", Runtime="provided.al2023", Role="arn:aws:iam::000000000000:role/r",
                            Handler="x", Code={"ZipFile": buf.getvalue()})
        s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:rec",
                                              "Events": ["s3:ObjectCreated:*"],
                                              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "input/"}]}}}]})
        s3.put_object(Bucket="photos", Key="input/warmup", Body=b"x")
        time.sleep(1)
        acked = {}
        for i in range(uploads):
            key = f"input/k{i}"
            s3.put_object(Bucket="photos", Key=key, Body=b"x" * 1024)
            acked[key] = time.time()
            time.sleep(0.01)
        time.sleep(2)
        log_text = server.log_text()
    received = {}
    for line in log_text.splitlines():
        if "RECEIVED input/k" in line:
            _, _, rest = line.partition("RECEIVED ")
            key, t = rest.split()
            received[key] = float(t)
    lat = sorted((received[k] - acked[k]) * 1000 for k in acked if k in received)
    p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("nan")
    print(f"RESULT trigger-latency uploads={uploads} delivered={len(lat)} p50_ms={statistics.median(lat):.2f} "
          f"p99_ms={p99:.2f} max_ms={lat[-1]:.2f}")


if __name__ == "__main__":
    main()
