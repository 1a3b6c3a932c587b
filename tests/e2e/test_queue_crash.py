"""The durable queue across kill -9 and across an upgrade: S3 events and async
invocations accepted before the server dies are delivered after its restart
(queued ones, and one that was running when it died), and the events an older
nimbus left in invocations.db and in the outbox are delivered by the new one."""
import json
import sqlite3
import time
from pathlib import Path

from conftest import Nimbus, boto3_client, bootstrap_zip
from test_lambda import lambda_client, wait_for

ROLE = "arn:aws:iam::000000000000:role/r"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"

# Prints one line per S3 record or async event; sleeps when asked.
RECORDER = r'''#!/usr/bin/python3
import http.client, json, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    if "Records" in event:
        for rec in event["Records"]:
            print("EVENT %s %s" % (rec["eventName"], rec["s3"]["object"]["key"]), flush=True)
    else:
        print("RUNNING %s" % event.get("id"), flush=True)
        time.sleep(event.get("sleep", 0))
        print("ASYNC %s" % event.get("id"), flush=True)
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def configure(server, name):
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    s3.create_bucket(Bucket="uploads")
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": bootstrap_zip(RECORDER)})
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"Id": "all", "LambdaFunctionArn": ARN.format(name),
                                          "Events": ["s3:ObjectCreated:*"]}]})
    return s3, lam


def test_queued_and_running_events_are_delivered_after_kill9(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    s3, lam = configure(server, "held")
    lam.create_function(FunctionName="slow", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": bootstrap_zip(RECORDER)})
    # One event runs when the server dies: its lease dies with it.
    lam.invoke(FunctionName="slow", InvocationType="Event", Payload=json.dumps({"id": "running", "sleep": 30}).encode())
    wait_for(lambda: "RUNNING running" in server.log_text(), what="the slow event to start")
    # The others are held in the queue: the function may not run now.
    lam.put_function_concurrency(FunctionName="held", ReservedConcurrentExecutions=0)
    keys = [f"in/k{i}" for i in range(5)]
    for k in keys:
        s3.put_object(Bucket="uploads", Key=k, Body=b"x")
    ids = [f"a{i}" for i in range(5)]
    for i in ids:
        r = lam.invoke(FunctionName="held", InvocationType="Event", Payload=json.dumps({"id": i}).encode())
        assert r["StatusCode"] == 202
    server.kill9()
    assert (data / "queue.db").exists()

    again = Nimbus(data).start()
    try:
        lambda_client(again.endpoint).delete_function_concurrency(FunctionName="held")
        for k in keys:
            wait_for(lambda: f"EVENT ObjectCreated:Put {k}" in again.log_text(), timeout=30,
                     what=f"the event of {k} after kill -9")
        for i in ids:
            wait_for(lambda: f"ASYNC {i}" in again.log_text(), timeout=30, what=f"async event {i} after kill -9")
        wait_for(lambda: "RUNNING running" in again.log_text(), timeout=30,
                 what="the event that was running at the kill to run again")
        log = again.log_text()
        assert "in flight when nimbus last stopped are due again" in log
        for i in ids:
            assert log.count(f"ASYNC {i}") == 1
    finally:
        assert again.stop(timeout=60) == 0


def test_events_an_older_nimbus_left_are_delivered_after_the_upgrade(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    configure(server, "legacy")
    assert server.stop() == 0
    # What the nimbus before the durable queue left behind: an async event in
    # invocations.db and an S3 event in meta.db's outbox, in their schemas.
    (data / "queue.db").unlink()
    for extra in ("queue.db-wal", "queue.db-shm"):
        (data / extra).unlink(missing_ok=True)
    old = sqlite3.connect(data / "invocations.db")
    old.executescript("""
CREATE TABLE async_events(
  id TEXT PRIMARY KEY, function TEXT NOT NULL, payload BLOB NOT NULL, trace_id TEXT NOT NULL,
  attempts INTEGER NOT NULL, created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL,
  state TEXT NOT NULL, last_error TEXT NOT NULL, depth INTEGER NOT NULL DEFAULT 1);
CREATE INDEX async_due ON async_events(state, next_attempt_ms);""")
    now = int(time.time() * 1000)
    old.execute("INSERT INTO async_events VALUES(?, 'legacy', ?, '', 0, ?, ?, 'pending', '', 1)",
                ("old-async", json.dumps({"id": "from-invocations-db"}), now, now))
    old.commit()
    old.close()
    meta = sqlite3.connect(data / "meta.db")
    record = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "from-the-outbox"}}}]}
    meta.execute("INSERT INTO event_outbox(function_arn, payload, created_ms, depth, trace) VALUES(?, ?, ?, 1, '')",
                 (ARN.format("legacy"), json.dumps(record), now))
    meta.commit()
    meta.close()

    again = Nimbus(data).start()
    try:
        wait_for(lambda: "ASYNC from-invocations-db" in again.log_text(), timeout=30,
                 what="the event of the old invocations.db")
        wait_for(lambda: "EVENT ObjectCreated:Put from-the-outbox" in again.log_text(), timeout=30,
                 what="the event of the old outbox")
        assert not (data / "invocations.db").exists()
        assert (data / "queue.db").exists()
    finally:
        assert again.stop() == 0
