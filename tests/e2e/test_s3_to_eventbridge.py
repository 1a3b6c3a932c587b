"""S3 → EventBridge against a real nimbus: a bucket's EventBridgeConfiguration
(set and read back with boto3 and both AWS CLIs, turned off by a
configuration without it) sends every object event of the bucket to the
default bus in AWS's format ("Object Created" for PutObject, CopyObject,
CompleteMultipartUpload; "Object Deleted" with its deletion-type, for
DeleteObject and a lifecycle rule's expiration); rules on the default bus
filter them (bucket, detail-type, key prefix) to SQS queues and a function;
a bucket without it sends nothing; alongside a QueueConfiguration both get
their own format; events of uploads acknowledged before a kill -9 all reach
the bus after the restart."""
import datetime
import json
import os
import re
import threading
import time

import pytest

from conftest import REGION, Nimbus, aws_clis, boto3_client, python_zip, run_aws
from test_eventbridge import ACCOUNT, RECORDER, events_client, qarn, receive
from test_lambda import ROLE, lambda_client, wait_for
from test_lambda_dead_letter_queue import sqs_client

ENVELOPE = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # A one-second lifecycle "day" (test-only settings) so that an expiration happens within the test.
    s = Nimbus(tmp_path_factory.mktemp("s3eb") / "data",
               ["--lifecycle-day-seconds", "1", "--lifecycle-interval-seconds", "1"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def enable(s3, bucket):
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})


def rule_to_queue(ev, sqs, name, pattern):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    ev.put_rule(Name=name, EventPattern=json.dumps(pattern))
    assert ev.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": qarn(name)}])["FailedEntryCount"] == 0
    return url


def nothing_more(sqs, url, seconds=2):
    deadline = time.time() + seconds
    while time.time() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        assert not got, [m["Body"] for m in got]


def bodies(messages):
    return [json.loads(m["Body"]) for m in messages]


def check_envelope(e, bucket, detail_type):
    assert list(e) == ENVELOPE, e
    assert (e["version"], e["detail-type"], e["source"], e["account"], e["region"], e["resources"]) == \
        ("0", detail_type, "aws.s3", ACCOUNT, REGION, [f"arn:aws:s3:::{bucket}"]), e
    assert UUID.match(e["id"]), e
    # EventBridge's time: to the second, UTC, the time of the change.
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["time"]), e
    at = datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - at).total_seconds()) < 120, e
    assert re.match(r"^[0-9A-F]+$", e["detail"]["object"]["sequencer"], re.I), e


def created(bucket, key, size, etag, reason, request_id, sequencer, version_id=None):
    obj = {"key": key, "size": size, "etag": etag}
    if version_id:
        obj["version-id"] = version_id
    obj["sequencer"] = sequencer
    return {"version": "0", "bucket": {"name": bucket}, "object": obj, "request-id": request_id,
            "requester": ACCOUNT, "source-ip-address": "127.0.0.1", "reason": reason}


def deleted(bucket, key, request_id, sequencer, deletion_type, version_id=None):
    obj = {"key": key, "etag": EMPTY_MD5}
    if version_id:
        obj["version-id"] = version_id
    obj["sequencer"] = sequencer
    return {"version": "0", "bucket": {"name": bucket}, "object": obj, "request-id": request_id,
            "requester": ACCOUNT, "source-ip-address": "127.0.0.1", "reason": "DeleteObject",
            "deletion-type": deletion_type}


def rid(response):
    return response["ResponseMetadata"]["RequestId"]


def test_object_events_reach_rules_on_the_default_bus(server):
    s3, ev, sqs = boto3_client(server.endpoint), events_client(server.endpoint), sqs_client(server.endpoint)
    bucket, versioned = "eb-photos", "eb-versions"
    for b in (bucket, versioned):
        s3.create_bucket(Bucket=b)
        enable(s3, b)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    got.pop("ResponseMetadata")
    assert got == {"EventBridgeConfiguration": {}}, got
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})

    created_q = rule_to_queue(ev, sqs, "eb-created", {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": "in/"}]}}})
    deleted_q = rule_to_queue(ev, sqs, "eb-deleted", {
        "source": ["aws.s3"], "detail-type": ["Object Deleted"], "detail": {"bucket": {"name": [bucket, versioned]}}})

    put = s3.put_object(Bucket=bucket, Key="in/a.txt", Body=b"hello")
    s3.put_object(Bucket=bucket, Key="out/skipped.txt", Body=b"not in the prefix")
    copy = s3.copy_object(Bucket=bucket, Key="in/copy.txt", CopySource={"Bucket": bucket, "Key": "in/a.txt"})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="in/big.bin")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="in/big.bin", UploadId=upload, PartNumber=1, Body=b"x" * 1000)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="in/big.bin", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    spaced = s3.put_object(Bucket=bucket, Key="in/red flower.jpg", Body=b"petals")

    events = bodies(receive(sqs, created_q, 4))
    by_key = {e["detail"]["object"]["key"]: e for e in events}
    assert sorted(by_key) == ["in/a.txt", "in/big.bin", "in/copy.txt", "in/red+flower.jpg"], by_key
    for e in events:
        check_envelope(e, bucket, "Object Created")
    seq = {k: e["detail"]["object"]["sequencer"] for k, e in by_key.items()}
    assert by_key["in/a.txt"]["detail"] == created(bucket, "in/a.txt", 5, put["ETag"].strip('"'), "PutObject",
                                                   rid(put), seq["in/a.txt"])
    assert by_key["in/copy.txt"]["detail"] == created(bucket, "in/copy.txt", 5,
                                                      copy["CopyObjectResult"]["ETag"].strip('"'), "CopyObject",
                                                      rid(copy), seq["in/copy.txt"])
    assert by_key["in/big.bin"]["detail"] == created(bucket, "in/big.bin", 1000, done["ETag"].strip('"'),
                                                     "CompleteMultipartUpload", rid(done), seq["in/big.bin"])
    # The key is form-encoded, as in S3's other events.
    assert by_key["in/red+flower.jpg"]["detail"] == created(bucket, "in/red+flower.jpg", 6,
                                                            spaced["ETag"].strip('"'), "PutObject", rid(spaced),
                                                            seq["in/red+flower.jpg"])
    assert len({e["id"] for e in events}) == 4
    assert int(seq["in/a.txt"], 16) < int(seq["in/copy.txt"], 16) < int(seq["in/big.bin"], 16)
    nothing_more(sqs, created_q)  # out/skipped.txt is outside the rule's prefix

    # Deletes: permanent in the unversioned bucket; a delete marker, then a version deleted, in the versioned one.
    gone = s3.delete_object(Bucket=bucket, Key="in/a.txt")
    v1 = s3.put_object(Bucket=versioned, Key="doc.txt", Body=b"v1")["VersionId"]
    marker = s3.delete_object(Bucket=versioned, Key="doc.txt")
    assert marker["DeleteMarker"] is True
    purge = s3.delete_object(Bucket=versioned, Key="doc.txt", VersionId=v1)
    events = bodies(receive(sqs, deleted_q, 3))
    for e in events:
        check_envelope(e, e["detail"]["bucket"]["name"], "Object Deleted")
    by_request = {e["detail"]["request-id"]: e["detail"] for e in events}
    d = by_request[rid(gone)]
    assert d == deleted(bucket, "in/a.txt", rid(gone), d["object"]["sequencer"], "Permanently Deleted"), d
    assert list(d) == ["version", "bucket", "object", "request-id", "requester", "source-ip-address", "reason",
                       "deletion-type"], d
    d = by_request[rid(marker)]
    assert d == deleted(versioned, "doc.txt", rid(marker), d["object"]["sequencer"], "Delete Marker Created",
                        marker["VersionId"]), d
    d = by_request[rid(purge)]
    assert d == deleted(versioned, "doc.txt", rid(purge), d["object"]["sequencer"], "Permanently Deleted", v1), d
    nothing_more(sqs, deleted_q, 1)

    # A configuration without EventBridgeConfiguration turns it off.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "EventBridgeConfiguration" not in got, got
    s3.put_object(Bucket=bucket, Key="in/after.txt", Body=b"quiet")
    s3.delete_object(Bucket=bucket, Key="in/copy.txt")
    nothing_more(sqs, created_q)
    nothing_more(sqs, deleted_q, 1)


def test_a_bucket_without_it_sends_nothing_and_queues_keep_their_format(server):
    s3, ev, sqs = boto3_client(server.endpoint), events_client(server.endpoint), sqs_client(server.endpoint)
    s3.create_bucket(Bucket="eb-plain")
    s3.create_bucket(Bucket="eb-both")
    any_q = rule_to_queue(ev, sqs, "eb-any", {"source": ["aws.s3"],
                                               "detail": {"bucket": {"name": ["eb-plain", "eb-both"]}}})
    s3.put_object(Bucket="eb-plain", Key="k", Body=b"x")
    nothing_more(sqs, any_q)

    # Alongside a QueueConfiguration: the queue gets S3's event, the bus EventBridge's.
    direct = sqs.create_queue(QueueName="eb-direct")["QueueUrl"]
    s3.put_bucket_notification_configuration(Bucket="eb-both", NotificationConfiguration={
        "QueueConfigurations": [{"Id": "direct", "QueueArn": qarn("eb-direct"), "Events": ["s3:ObjectCreated:*"]}],
        "EventBridgeConfiguration": {}})
    got = s3.get_bucket_notification_configuration(Bucket="eb-both")
    assert got["EventBridgeConfiguration"] == {} and got["QueueConfigurations"][0]["Id"] == "direct", got
    assert json.loads(receive(sqs, direct, 1)[0]["Body"])["Event"] == "s3:TestEvent"  # the queue's, not the bus's
    s3.put_object(Bucket="eb-both", Key="both.txt", Body=b"twice")
    record = json.loads(receive(sqs, direct, 1)[0]["Body"])["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["object"]["key"] == "both.txt"
    e = json.loads(receive(sqs, any_q, 1)[0]["Body"])
    check_envelope(e, "eb-both", "Object Created")
    assert e["detail"]["object"]["key"] == "both.txt" and e["detail"]["reason"] == "PutObject"
    nothing_more(sqs, any_q, 1)


def test_a_lifecycle_expiration_is_an_object_deleted_event(server):
    s3, ev, sqs = boto3_client(server.endpoint), events_client(server.endpoint), sqs_client(server.endpoint)
    s3.create_bucket(Bucket="eb-expiring")
    enable(s3, "eb-expiring")
    q = rule_to_queue(ev, sqs, "eb-expired", {"source": ["aws.s3"], "detail-type": ["Object Deleted"],
                                               "detail": {"bucket": {"name": ["eb-expiring"]}}})
    s3.put_object(Bucket="eb-expiring", Key="tmp/scratch", Body=b"short-lived")
    s3.put_bucket_lifecycle_configuration(Bucket="eb-expiring", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
    e = json.loads(receive(sqs, q, 1, timeout=30)[0]["Body"])
    check_envelope(e, "eb-expiring", "Object Deleted")
    d = e["detail"]
    # No request made it: S3 is the requester, and there is no source address.
    assert d == {"version": "0", "bucket": {"name": "eb-expiring"},
                 "object": {"key": "tmp/scratch", "etag": EMPTY_MD5, "sequencer": d["object"]["sequencer"]},
                 "request-id": d["request-id"], "requester": "s3.amazonaws.com", "reason": "Lifecycle Expiration",
                 "deletion-type": "Permanently Deleted"}, d


def test_s3_to_eventbridge_to_a_function(server, tmp_path):
    s3, ev, lam = boto3_client(server.endpoint), events_client(server.endpoint), lambda_client(server.endpoint)
    out = tmp_path / "out"
    os.makedirs(out)
    lam.create_function(FunctionName="eb-recorder", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": RECORDER})}, Timeout=5,
                        Environment={"Variables": {"OUT": str(out)}})
    s3.create_bucket(Bucket="eb-fn")
    enable(s3, "eb-fn")
    ev.put_rule(Name="eb-to-fn", EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"],
                                                          "detail": {"bucket": {"name": ["eb-fn"]}}}))
    ev.put_targets(Rule="eb-to-fn", Targets=[{"Id": "fn", "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:eb-recorder"}])
    put = s3.put_object(Bucket="eb-fn", Key="photo.jpg", Body=b"jpeg")
    s3.delete_object(Bucket="eb-fn", Key="photo.jpg")  # not an Object Created: the rule does not take it

    def recorded():
        return [n for n in os.listdir(out) if n.endswith(".json")]

    wait_for(lambda: len(recorded()) == 1, timeout=30, what="the function's invocation")
    with open(out / recorded()[0]) as f:
        e = json.load(f)
    check_envelope(e, "eb-fn", "Object Created")
    d = e["detail"]
    assert d == created("eb-fn", "photo.jpg", 4, put["ETag"].strip('"'), "PutObject", rid(put),
                        d["object"]["sequencer"]), d
    time.sleep(1)
    assert len(recorded()) == 1


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_the_aws_clis_set_and_get_it(server, cli):
    if cli is None:
        pytest.skip("no AWS CLI on this machine")
    bucket = "eb-cli-deb" if cli == "/usr/bin/aws" else "eb-cli-path"
    boto3_client(server.endpoint).create_bucket(Bucket=bucket)
    run_aws(server.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", bucket,
            "--notification-configuration", '{"EventBridgeConfiguration":{}}', cli=cli)
    r = run_aws(server.endpoint, "--output", "json", "s3api", "get-bucket-notification-configuration",
                "--bucket", bucket, cli=cli)
    assert json.loads(r.stdout) == {"EventBridgeConfiguration": {}}, r.stdout
    run_aws(server.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", bucket,
            "--notification-configuration", "{}", cli=cli)
    r = run_aws(server.endpoint, "--output", "json", "s3api", "get-bucket-notification-configuration",
                "--bucket", bucket, cli=cli)
    assert "EventBridgeConfiguration" not in (json.loads(r.stdout) if r.stdout.strip() else {}), r.stdout


def test_events_of_uploads_acknowledged_before_a_kill9_reach_the_bus(tmp_path):
    server = Nimbus(tmp_path / "data").start()
    s3, ev, sqs = boto3_client(server.endpoint), events_client(server.endpoint), sqs_client(server.endpoint)
    s3.create_bucket(Bucket="eb-durable")
    enable(s3, "eb-durable")
    url = rule_to_queue(ev, sqs, "eb-durable", {"source": ["aws.s3"], "detail": {"bucket": {"name": ["eb-durable"]}}})
    acknowledged, stop = [], threading.Event()

    def upload(worker):
        client = boto3_client(server.endpoint)
        n = 0
        while not stop.is_set():
            key = f"w{worker}/{n}"
            try:
                client.put_object(Bucket="eb-durable", Key=key, Body=b"x")
            except Exception:
                return  # the kill: this upload's answer never came, so it does not count
            acknowledged.append(key)
            n += 1

    threads = [threading.Thread(target=upload, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    wait_for(lambda: len(acknowledged) >= 200, timeout=60, what="200 acknowledged uploads")
    server.kill9()  # while uploads, the relay and deliveries are under way
    stop.set()
    for t in threads:
        t.join()
    server.start(port=server.port)
    got = set()

    def all_arrived():
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for m in r.get("Messages", []):
            got.add(json.loads(m["Body"])["detail"]["object"]["key"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got >= set(acknowledged)

    wait_for(all_arrived, timeout=90, what=f"the events of {len(acknowledged)} acknowledged uploads")
    assert server.stop() == 0, server.log_text()
