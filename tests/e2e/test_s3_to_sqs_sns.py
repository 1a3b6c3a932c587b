"""Bucket notifications to SQS queues and SNS topics against a real nimbus
serve, with both boto3s (query SQS from boto3 1.26, JSON 1.0 from the newer
one) and both AWS CLIs: a QueueConfiguration's s3:TestEvent and the S3 event
JSON as the message body, filtered by prefix and suffix; a
TopicConfiguration's publication (Subject "Amazon S3 Notification", the
event as the Message) fanned out to a queue; the configuration read back;
S3's refusals (a queue or topic that does not exist, a FIFO queue, an ARN
of the wrong kind); a queue deleted after its rule was set does not hold up
the rest. EventBridgeConfiguration: test_s3_to_eventbridge.py."""
import json
import subprocess
import textwrap

import pytest

from conftest import aws_clis, client_env
from test_sqs import py, run_py  # noqa: F401  (py is a fixture)

S3_PRELUDE = textwrap.dedent('''
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test", config=Config(retries={"max_attempts": 0},
                                                                  s3={"addressing_style": "path"}))
    sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    def qarn(name):
        return "arn:aws:sqs:us-east-1:000000000000:" + name
    def receive(q, want, timeout=15):
        got, deadline = [], time.time() + timeout
        while len(got) < want and time.time() < deadline:
            r = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for m in r.get("Messages", []):
                got.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
        return got
''')


def run(py, endpoint, body, prefix):
    return run_py(py, endpoint, S3_PRELUDE + textwrap.dedent(body), prefix)


def prefix_of(py):
    return "nq" if py == "/usr/bin/python3" else "nj"


def test_queue_and_topic_configurations_deliver_s3_events(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        bucket = P + "-uploads"
        s3.create_bucket(Bucket=bucket)
        created_q = sqs.create_queue(QueueName=P + "-created")["QueueUrl"]
        removed_q = sqs.create_queue(QueueName=P + "-removed")["QueueUrl"]
        topic = sns.create_topic(Name=P + "-removed")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn(P + "-removed"))
        config = {
            "QueueConfigurations": [{
                "Id": "jpegs-in", "QueueArn": qarn(P + "-created"), "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                                   {"Name": "suffix", "Value": ".jpg"}]}}}],
            "TopicConfigurations": [{"Id": "gone", "TopicArn": topic, "Events": ["s3:ObjectRemoved:Delete"]}],
        }
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)

        # S3 sends a test event to each queue and topic the configuration names.
        test_events = receive(created_q, 1)
        assert len(test_events) == 1, test_events
        t = test_events[0]
        assert t["Service"] == "Amazon S3" and t["Event"] == "s3:TestEvent" and t["Bucket"] == bucket, t
        assert t["Time"].endswith("Z") and t["RequestId"], t
        envelopes = receive(removed_q, 1)
        assert len(envelopes) == 1 and envelopes[0]["Subject"] == "Amazon S3 Notification", envelopes
        assert json.loads(envelopes[0]["Message"])["Event"] == "s3:TestEvent", envelopes

        got = s3.get_bucket_notification_configuration(Bucket=bucket)
        q = got["QueueConfigurations"]
        assert len(q) == 1 and q[0]["Id"] == "jpegs-in" and q[0]["QueueArn"] == qarn(P + "-created"), got
        assert q[0]["Events"] == ["s3:ObjectCreated:*"], got
        rules = {r["Name"].lower(): r["Value"] for r in q[0]["Filter"]["Key"]["FilterRules"]}
        assert rules == {"prefix": "in/", "suffix": ".jpg"}, got
        assert got["TopicConfigurations"] == [{"Id": "gone", "TopicArn": topic, "Events": ["s3:ObjectRemoved:Delete"]}], got
        assert "LambdaFunctionConfigurations" not in got, got

        s3.put_object(Bucket=bucket, Key="in/red flower.jpg", Body=b"x" * 10)
        s3.put_object(Bucket=bucket, Key="in/notes.txt", Body=b"no")     # suffix does not match
        s3.put_object(Bucket=bucket, Key="out/b.jpg", Body=b"no")        # prefix does not match
        s3.delete_object(Bucket=bucket, Key="in/red flower.jpg")
        created = receive(created_q, 1)
        assert len(created) == 1, created
        rec = created[0]["Records"][0]
        assert rec["eventSource"] == "aws:s3" and rec["eventName"] == "ObjectCreated:Put", rec
        assert rec["awsRegion"] == "us-east-1" and rec["eventVersion"].startswith("2."), rec
        assert rec["s3"]["configurationId"] == "jpegs-in" and rec["s3"]["bucket"]["name"] == bucket, rec
        assert rec["s3"]["bucket"]["arn"] == "arn:aws:s3:::" + bucket, rec
        assert rec["s3"]["object"]["key"] == "in/red+flower.jpg" and rec["s3"]["object"]["size"] == 10, rec
        assert rec["s3"]["object"]["eTag"] and rec["s3"]["object"]["sequencer"], rec
        removed = receive(removed_q, 1)
        assert len(removed) == 1, removed
        env = removed[0]
        assert env["Type"] == "Notification" and env["TopicArn"] == topic, env
        assert env["Subject"] == "Amazon S3 Notification", env
        rec = json.loads(env["Message"])["Records"][0]
        assert rec["eventName"] == "ObjectRemoved:Delete" and rec["s3"]["configurationId"] == "gone", rec
        assert rec["s3"]["object"]["key"] == "in/red+flower.jpg", rec
        # Nothing else arrives: the unmatched keys and the other event types stay out.
        assert receive(created_q, 1, timeout=2) == [] and receive(removed_q, 1, timeout=2) == []

        # An empty configuration removes the rules.
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
        assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    ''', prefix_of(py))


def test_destinations_s3_refuses(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        bucket = P + "-refuses"
        s3.create_bucket(Bucket=bucket)
        sqs.create_queue(QueueName=P + "-r.fifo", Attributes={"FifoQueue": "true"})
        def refused(config):
            try:
                s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
            except botocore.exceptions.ClientError as e:
                return e.response["Error"]
            raise AssertionError("accepted: %r" % config)
        created = ["s3:ObjectCreated:*"]
        e = refused({"QueueConfigurations": [{"QueueArn": qarn(P + "-nope"), "Events": created}]})
        assert e["Code"] == "InvalidArgument" and "Unable to validate" in e["Message"], e
        e = refused({"QueueConfigurations": [{"QueueArn": qarn(P + "-r.fifo"), "Events": created}]})
        assert e["Code"] == "InvalidArgument" and "FIFO" in e["Message"], e
        e = refused({"TopicConfigurations": [{"TopicArn": "arn:aws:sns:us-east-1:000000000000:" + P + "-nope",
                                              "Events": created}]})
        assert e["Code"] == "InvalidArgument" and "Unable to validate" in e["Message"], e
        e = refused({"QueueConfigurations": [{"QueueArn": "arn:aws:sns:us-east-1:000000000000:t", "Events": created}]})
        assert e["Code"] == "InvalidArgument" and "not an SQS queue ARN" in e["Message"], e
        q = sqs.create_queue(QueueName=P + "-r")["QueueUrl"]
        e = refused({"QueueConfigurations": [{"QueueArn": qarn(P + "-r"), "Events": created},
                                             {"QueueArn": qarn(P + "-r"), "Events": ["s3:ObjectCreated:Put"]}]})
        assert e["Code"] == "InvalidArgument" and "overlap" in e["Message"], e
        # Nothing was stored by a refused configuration.
        assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    ''', prefix_of(py))


def test_a_deleted_queue_does_not_hold_up_other_rules(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        bucket = P + "-gone"
        s3.create_bucket(Bucket=bucket)
        gone = sqs.create_queue(QueueName=P + "-gone-a")["QueueUrl"]
        kept = sqs.create_queue(QueueName=P + "-gone-b")["QueueUrl"]
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": qarn(P + "-gone-a"), "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
                {"Name": "prefix", "Value": "a/"}]}}},
            {"QueueArn": qarn(P + "-gone-b"), "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
                {"Name": "prefix", "Value": "b/"}]}}}]})
        assert receive(kept, 1)[0]["Event"] == "s3:TestEvent"
        sqs.delete_queue(QueueUrl=gone)
        s3.put_object(Bucket=bucket, Key="a/1", Body=b"1")  # its queue is gone: dropped, as S3 drops it
        s3.put_object(Bucket=bucket, Key="b/2", Body=b"2")
        got = receive(kept, 1)
        assert [r["s3"]["object"]["key"] for m in got for r in m["Records"]] == ["b/2"], got
    ''', prefix_of(py))


@pytest.fixture(params=aws_clis() or [None], ids=lambda c: "query-cli" if c == "/usr/bin/aws" else "json-cli")
def cli(request):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return request.param


def aws(cli, endpoint, *args):
    r = subprocess.run([cli, "--endpoint-url", endpoint, "--output", "json", *args], env=client_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def test_cli_queue_configuration_round_trip(shared_nimbus, cli):
    p = "cq" if cli == "/usr/bin/aws" else "cj"
    ep = shared_nimbus.endpoint
    aws(cli, ep, "s3api", "create-bucket", "--bucket", p + "-cli")
    url = aws(cli, ep, "sqs", "create-queue", "--queue-name", p + "-cli")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:000000000000:" + p + "-cli"
    config = {"QueueConfigurations": [{"Id": "all", "QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]}]}
    aws(cli, ep, "s3api", "put-bucket-notification-configuration", "--bucket", p + "-cli",
        "--notification-configuration", json.dumps(config))
    assert aws(cli, ep, "s3api", "get-bucket-notification-configuration", "--bucket", p + "-cli") == config
    aws(cli, ep, "s3api", "put-object", "--bucket", p + "-cli", "--key", "k.txt", "--body", "/etc/hostname")
    bodies = []
    for _ in range(10):
        r = aws(cli, ep, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                "--wait-time-seconds", "1")
        for m in (r or {}).get("Messages", []):
            bodies.append(json.loads(m["Body"]))
            aws(cli, ep, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        if len(bodies) >= 2:
            break
    assert bodies[0]["Event"] == "s3:TestEvent", bodies
    assert bodies[1]["Records"][0]["s3"]["object"]["key"] == "k.txt", bodies
