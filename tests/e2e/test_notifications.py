"""Bucket notifications: configuration through the real clients, events
that reach a function with S3's event JSON, filters, and no event lost when
the server is killed right after acknowledging the upload."""
import io
import json
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, bootstrap_zip, run_aws
from test_logs import all_events, logs_client
from test_lambda import lambda_client, wait_for

ROLE = "arn:aws:iam::000000000000:role/r"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"

# A function that prints what each S3 record says, one line per record.
RECORDER = r'''#!/usr/bin/python3
import http.client, json, os
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    for rec in event.get("Records", []):
        o = rec["s3"]["object"]
        print("EVENT %s %s %s %s %s" % (rec["eventName"], rec["s3"]["bucket"]["name"], o["key"], o.get("size", "-"),
                                       rec["s3"]["configurationId"]), flush=True)
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def recorder_zip():
    return bootstrap_zip(RECORDER)


def configure(server, name="onupload", rules=None):
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    s3.create_bucket(Bucket="photos")
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": recorder_zip()})
    rules = rules or [{"Id": "thumbs", "LambdaFunctionArn": ARN.format(name), "Events": ["s3:ObjectCreated:*"],
                       "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "input/"},
                                                          {"Name": "suffix", "Value": ".jpg"}]}}}]
    s3.put_bucket_notification_configuration(Bucket="photos",
                                             NotificationConfiguration={"LambdaFunctionConfigurations": rules})
    return s3, lam


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_configuration_round_trip_with_the_cli(server, tmp_path):
    s3, lam = configure(server)
    got = json.loads(run_aws(server.endpoint, "s3api", "get-bucket-notification-configuration",
                             "--bucket", "photos").stdout)
    cfg = got["LambdaFunctionConfigurations"][0]
    assert cfg["Id"] == "thumbs" and cfg["LambdaFunctionArn"] == ARN.format("onupload")
    assert cfg["Events"] == ["s3:ObjectCreated:*"]
    assert sorted(r["Value"] for r in cfg["Filter"]["Key"]["FilterRules"]) == [".jpg", "input/"]
    conf = tmp_path / "n.json"
    conf.write_text(json.dumps({"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": ARN.format("onupload"), "Events": ["s3:ObjectRemoved:*"]}]}))
    run_aws(server.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", "photos",
            "--notification-configuration", f"file://{conf}")
    got = json.loads(run_aws(server.endpoint, "s3api", "get-bucket-notification-configuration",
                             "--bucket", "photos").stdout)
    assert got["LambdaFunctionConfigurations"][0]["Events"] == ["s3:ObjectRemoved:*"]


def test_events_reach_the_function_with_filters(server, tmp_path):
    s3, lam = configure(server)
    s3.put_object(Bucket="photos", Key="input/red flower.jpg", Body=b"x" * 123)
    wait_for(lambda: "EVENT ObjectCreated:Put photos input/red+flower.jpg 123 thumbs" in server.log_text(),
             what="the Put event")
    s3.put_object(Bucket="photos", Key="other/a.jpg", Body=b"x")
    s3.put_object(Bucket="photos", Key="input/a.png", Body=b"x")
    s3.copy_object(Bucket="photos", Key="input/copy.jpg", CopySource={"Bucket": "photos", "Key": "other/a.jpg"})
    wait_for(lambda: "EVENT ObjectCreated:Copy photos input/copy.jpg" in server.log_text(), what="the Copy event")
    up = s3.create_multipart_upload(Bucket="photos", Key="input/big.jpg")
    e = s3.upload_part(Bucket="photos", Key="input/big.jpg", UploadId=up["UploadId"], PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket="photos", Key="input/big.jpg", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
    wait_for(lambda: "EVENT ObjectCreated:CompleteMultipartUpload photos input/big.jpg 1" in server.log_text(),
             what="the multipart event")
    log = server.log_text()
    assert "EVENT ObjectCreated:Put photos other/a.jpg" not in log  # outside the prefix
    assert "input/a.png" not in log                                 # wrong suffix


def test_removed_events(server):
    s3, lam = configure(server, rules=[{"LambdaFunctionArn": ARN.format("onupload"),
                                    "Events": ["s3:ObjectRemoved:Delete"]}])
    s3.put_object(Bucket="photos", Key="gone.txt", Body=b"x")
    s3.delete_object(Bucket="photos", Key="gone.txt")
    wait_for(lambda: "EVENT ObjectRemoved:Delete photos gone.txt -" in server.log_text(), what="the Delete event")


def test_bad_configurations(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="photos")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": ARN.format("missing"),
                                              "Events": ["s3:ObjectCreated:*"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="f", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": recorder_zip()})
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": ARN.format("f"), "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
                {"LambdaFunctionArn": ARN.format("f"), "Events": ["s3:ObjectCreated:Put"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/b/"}]}}}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    from sigv4 import Signer, send
    import hashlib
    body = b"<NotificationConfiguration><LambdaFunctionConfiguration>"
    headers = {"host": f"127.0.0.1:{server.port}", "content-length": str(len(body))}
    Signer().sign("PUT", "/photos", headers, hashlib.sha256(body).hexdigest(), "notification")
    status, _, out = send(server.port, "PUT", "/photos", headers, body, "notification")
    assert status == 400 and b"MalformedXML" in out


def test_no_event_lost_on_kill9(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    s3, lam = configure(server, name="durable")
    # Hold deliveries back so the event is still owed when the server dies.
    lam.put_function_concurrency(FunctionName="durable", ReservedConcurrentExecutions=0)
    keys = [f"input/k{i}.jpg" for i in range(5)]
    for k in keys:
        s3.put_object(Bucket="photos", Key=k, Body=b"data")
    server.kill9()
    again = Nimbus(data).start()
    try:
        lambda_client(again.endpoint).delete_function_concurrency(FunctionName="durable")
        for k in keys:
            wait_for(lambda: f"EVENT ObjectCreated:Put photos {k} 4" in again.log_text(), timeout=20,
                     what=f"the event of {k} after kill -9")
    finally:
        assert again.stop() == 0


# Writes a copy of every object it is told about back under the same prefix:
# the classic serverless loop. Uses the instance's own credentials and endpoint.
LOOPER = r'''#!/usr/bin/python3
import http.client, json, os, urllib.parse
import boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    for rec in event["Records"]:
        key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
        s3.put_object(Bucket=rec["s3"]["bucket"]["name"], Key=key + "+", Body=b"again")
        print("LOOPED " + key, flush=True)
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}")
    c.getresponse().read()
'''


def test_recursive_loop_is_stopped_after_16_hops(server):
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    s3.create_bucket(Bucket="loop")
    lam.create_function(FunctionName="looper", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": bootstrap_zip(LOOPER)}, Timeout=30)
    s3.put_bucket_notification_configuration(Bucket="loop", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": ARN.format("looper"),
                                          "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    s3.put_object(Bucket="loop", Key="in/start", Body=b"go")
    wait_for(lambda: "recursive loop stopped" in server.log_text(), timeout=60, what="the loop to be stopped")
    time.sleep(1)  # nothing more may run
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="loop")["Contents"]]
    assert len(keys) == 17, keys  # the upload, then 16 invocations that each wrote once
    assert server.log_text().count("LOOPED ") == 16


def test_uploads_and_deliveries_do_not_stall_each_other(server):
    # Regression: the dispatcher once held a lock while waiting for meta.db's
    # write lock, which an upload's transaction held while waiting for that
    # lock: each collision stalled both for SQLite's 10 s busy timeout.
    from concurrent.futures import ThreadPoolExecutor
    s3, lam = configure(server)
    clients = [boto3_client(server.endpoint) for _ in range(4)]
    start = time.time()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: clients[i % 4].put_object(Bucket="photos", Key=f"input/c{i}.jpg", Body=b"x"),
                      range(200)))
    # Counted in the function's log group: nimbus's own log keeps only a function's first lines per window.
    logs = logs_client(server.endpoint)

    def delivered():
        events = all_events(logs, "/aws/lambda/onupload", filterPattern='"EVENT ObjectCreated:Put photos input/c"')
        return len(events) == 200

    wait_for(delivered, timeout=60, what="200 events")
    # Generous: without the stall this takes about a second; with it, minutes.
    assert time.time() - start < 30


# The recorder, printing each record's object versionId too.
VERSION_RECORDER = RECORDER.replace(
    'print("EVENT %s %s %s %s %s" % (rec["eventName"], rec["s3"]["bucket"]["name"], o["key"], o.get("size", "-"),\n'
    '                                       rec["s3"]["configurationId"]), flush=True)',
    'print("VEVENT %s %s %s %s" % (rec["eventName"], rec["s3"]["bucket"]["name"], o["key"], o.get("versionId", "-")),\n'
    '              flush=True)')
assert VERSION_RECORDER != RECORDER


def test_versioned_bucket_events_carry_version_ids(server):
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    s3.create_bucket(Bucket="album")
    s3.put_bucket_versioning(Bucket="album", VersioningConfiguration={"Status": "Enabled"})
    lam.create_function(FunctionName="versions", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": bootstrap_zip(VERSION_RECORDER)})
    s3.put_bucket_notification_configuration(Bucket="album", NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": ARN.format("versions"), "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
    first = s3.put_object(Bucket="album", Key="p.jpg", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket="album", Key="p.jpg", Body=b"two")["VersionId"]
    assert first != second
    for vid in (first, second):
        wait_for(lambda: f"VEVENT ObjectCreated:Put album p.jpg {vid}" in server.log_text(), what="a Put event")
    # A DELETE without a version id makes a delete marker: its own event, with the marker's id.
    marker = s3.delete_object(Bucket="album", Key="p.jpg")
    assert marker["DeleteMarker"] is True
    wait_for(lambda: f"VEVENT ObjectRemoved:DeleteMarkerCreated album p.jpg {marker['VersionId']}" in server.log_text(),
             what="the DeleteMarkerCreated event")
    # Deleting one version for good is ObjectRemoved:Delete, with that version's id.
    s3.delete_object(Bucket="album", Key="p.jpg", VersionId=first)
    wait_for(lambda: f"VEVENT ObjectRemoved:Delete album p.jpg {first}" in server.log_text(), what="the Delete event")
    assert f"VEVENT ObjectRemoved:DeleteMarkerCreated album p.jpg {first}" not in server.log_text()
