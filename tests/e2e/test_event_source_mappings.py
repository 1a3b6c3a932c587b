"""Event source mappings from SQS queues to functions, as Lambda runs them:
the API (boto3 and both AWS CLIs) with Lambda's checks and errors, delivery of
the SQS event to a Python function, partial batch responses, failures
reaching the queue's dead-letter queue through its redrive policy,
FilterCriteria, FIFO order per message group, disabling, and mappings that
survive a restart."""
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, aws_clis, python_zip, run_aws, run_modern_python
from test_lambda import ROLE, lambda_client, wait_for
from test_lambda_dead_letter_queue import sqs_client

ACCOUNT = "000000000000"

# Writes each event it gets to $OUT/<request id>.json; fails the messages
# whose body says "fail" (as batch item failures when the mapping reports
# them, else the whole batch) and raises for "boom".
APP = '''
import json, os

def handler(event, context):
    out = os.environ["OUT"]
    with open(os.path.join(out, context.aws_request_id + ".tmp"), "w") as f:
        json.dump(event, f)
    os.rename(os.path.join(out, context.aws_request_id + ".tmp"), os.path.join(out, context.aws_request_id + ".json"))
    bodies = [r["body"] for r in event["Records"]]
    if "boom" in bodies:
        raise RuntimeError("boom")
    failed = [r["messageId"] for r in event["Records"] if r["body"] == "fail"]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
'''


def arn(name):
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def events_seen(out):
    seen = []
    for name in sorted(os.listdir(out), key=lambda n: os.path.getmtime(os.path.join(out, n))):
        if name.endswith(".json"):
            with open(os.path.join(out, name)) as f:
                seen.append(json.load(f))
    return seen


def bodies_seen(out):
    return [r["body"] for e in events_seen(out) for r in e["Records"]]


def queue_empty(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return a["ApproximateNumberOfMessages"] == "0" and a["ApproximateNumberOfMessagesNotVisible"] == "0"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("esm") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def make_function(lam, name, out, timeout=3):
    os.makedirs(out, exist_ok=True)
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": APP})}, Timeout=timeout,
                        Environment={"Variables": {"OUT": str(out)}})


def test_mapping_api_and_lambda_checks(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    make_function(lam, "api-fn", tmp_path / "out", timeout=3)
    sqs.create_queue(QueueName="api-q")
    sqs.create_queue(QueueName="api-short", Attributes={"VisibilityTimeout": "2"})
    sqs.create_queue(QueueName="api-q.fifo", Attributes={"FifoQueue": "true"})

    created = lam.create_event_source_mapping(EventSourceArn=arn("api-q"), FunctionName="api-fn", BatchSize=5,
                                              Enabled=False)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    uuid = created["UUID"]
    assert created["EventSourceArn"] == arn("api-q")
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:api-fn"
    assert created["BatchSize"] == 5 and created["MaximumBatchingWindowInSeconds"] == 0
    # (EventSourceMappingArn is in the reply; Debian's botocore does not know it yet: the modern test reads it.)
    mapping_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid}"

    got = lam.get_event_source_mapping(UUID=uuid)
    assert got["State"] == "Disabled" and got["BatchSize"] == 5
    assert lam.list_tags(Resource=mapping_arn)["Tags"] == {}
    lam.tag_resource(Resource=mapping_arn, Tags={"env": "dev", "team": "a"})
    lam.untag_resource(Resource=mapping_arn, TagKeys=["team"])
    assert lam.list_tags(Resource=mapping_arn)["Tags"] == {"env": "dev"}

    updated = lam.update_event_source_mapping(
        UUID=uuid, Enabled=True, BatchSize=50, MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": [{"prefix": "x"}]})}]})
    assert updated["State"] == "Updating"
    got = lam.get_event_source_mapping(UUID=uuid)
    assert got["State"] == "Enabled" and got["BatchSize"] == 50
    assert got["MaximumBatchingWindowInSeconds"] == 1
    assert got["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert json.loads(got["FilterCriteria"]["Filters"][0]["Pattern"]) == {"body": [{"prefix": "x"}]}

    listed = lam.list_event_source_mappings(FunctionName="api-fn")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert lam.list_event_source_mappings(EventSourceArn=arn("api-short"))["EventSourceMappings"] == []

    def refused(code, text, **kw):
        with pytest.raises(ClientError) as e:
            lam.create_event_source_mapping(**kw)
        err = e.value.response["Error"]
        assert err["Code"] == code, err
        assert text in err["Message"], err

    refused("ResourceConflictException", uuid, EventSourceArn=arn("api-q"), FunctionName="api-fn")
    refused("InvalidParameterValueException", "does not exist", EventSourceArn=arn("nope"), FunctionName="api-fn")
    refused("ResourceNotFoundException", "Function not found", EventSourceArn=arn("api-q"), FunctionName="nofn")
    refused("InvalidParameterValueException", "visibility timeout", EventSourceArn=arn("api-short"),
            FunctionName="api-fn")
    refused("InvalidParameterValueException", "FIFO", EventSourceArn=arn("api-q.fifo"), FunctionName="api-fn",
            BatchSize=11)
    refused("InvalidParameterValueException", "Maximum batch window", EventSourceArn=arn("api-q"),
            FunctionName="api-fn", BatchSize=100)
    refused("InvalidParameterValueException", "not supported",
            EventSourceArn="arn:aws:kinesis:us-east-1:000000000000:stream/s", FunctionName="api-fn",
            StartingPosition="LATEST")
    refused("InvalidParameterValueException", "StartingPosition", EventSourceArn=arn("api-q.fifo"),
            FunctionName="api-fn", StartingPosition="LATEST")
    refused("InvalidParameterValueException", "filter",
            EventSourceArn=arn("api-q.fifo"), FunctionName="api-fn",
            FilterCriteria={"Filters": [{"Pattern": "{not json"}]})

    deleted = lam.delete_event_source_mapping(UUID=uuid)
    assert deleted["State"] == "Deleting"
    with pytest.raises(ClientError) as e:
        lam.get_event_source_mapping(UUID=uuid)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        lam.delete_event_source_mapping(UUID=uuid)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


MODERN = """
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
lam = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test",
                   aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
queue = "arn:aws:sqs:us-east-1:000000000000:" + sys.argv[2]
m = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=sys.argv[3], Tags={"team": "a"},
                                    ScalingConfig={"MaximumConcurrency": 3})
assert m["EventSourceMappingArn"] == "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + m["UUID"]
assert lam.list_tags(Resource=m["EventSourceMappingArn"])["Tags"] == {"team": "a"}
assert lam.get_event_source_mapping(UUID=m["UUID"])["ScalingConfig"] == {"MaximumConcurrency": 3}
for bad, code, text in (({"KMSKeyArn": "arn:aws:kms:us-east-1:000000000000:key/k"}, "InvalidParameterValueException", "KMSKeyArn"),
                        ({"MetricsConfig": {"Metrics": ["EventCount"]}}, "InvalidParameterValueException", "MetricsConfig")):
    try:
        lam.update_event_source_mapping(UUID=m["UUID"], **bad)
        raise SystemExit("accepted " + json.dumps(bad))
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == code and text in err["Message"], err
loose = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test",
                     aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}, parameter_validation=False))
try:
    loose.update_event_source_mapping(UUID=m["UUID"], ScalingConfig={"MaximumConcurrency": 1})
    raise SystemExit("accepted MaximumConcurrency 1")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationException", e.response
lam.update_event_source_mapping(UUID=m["UUID"], ScalingConfig={})
assert "ScalingConfig" not in lam.get_event_source_mapping(UUID=m["UUID"])
print("ok")
"""


def test_tags_scaling_and_unsupported_settings_with_modern_boto3(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    make_function(lam, "modern-fn", tmp_path / "out")
    sqs.create_queue(QueueName="modern-q")
    r = run_modern_python(MODERN, server.endpoint, "modern-q", "modern-fn")
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


@pytest.mark.parametrize("cli", aws_clis())
def test_mapping_with_the_aws_cli(server, tmp_path, cli):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    tag = "new" if cli != "/usr/bin/aws" else "old"
    make_function(lam, f"cli-fn-{tag}", tmp_path / "out")
    sqs.create_queue(QueueName=f"cli-q-{tag}")
    r = run_aws(server.endpoint, "lambda", "create-event-source-mapping", "--function-name", f"cli-fn-{tag}",
                "--event-source-arn", arn(f"cli-q-{tag}"), "--batch-size", "3", cli=cli)
    uuid = json.loads(r.stdout)["UUID"]
    r = run_aws(server.endpoint, "lambda", "list-event-source-mappings", "--function-name", f"cli-fn-{tag}", cli=cli)
    assert [m["UUID"] for m in json.loads(r.stdout)["EventSourceMappings"]] == [uuid]
    r = run_aws(server.endpoint, "lambda", "update-event-source-mapping", "--uuid", uuid, "--no-enabled", cli=cli)
    assert json.loads(r.stdout)["State"] == "Updating"
    r = run_aws(server.endpoint, "lambda", "get-event-source-mapping", "--uuid", uuid, cli=cli)
    assert json.loads(r.stdout)["State"] == "Disabled"
    run_aws(server.endpoint, "lambda", "delete-event-source-mapping", "--uuid", uuid, cli=cli)
    r = run_aws(server.endpoint, "lambda", "get-event-source-mapping", "--uuid", uuid, cli=cli, check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr


def test_messages_reach_the_function_as_lambda_sends_them(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    out = tmp_path / "out"
    make_function(lam, "deliver-fn", out)
    url = sqs.create_queue(QueueName="deliver-q")["QueueUrl"]
    lam.create_event_source_mapping(EventSourceArn=arn("deliver-q"), FunctionName="deliver-fn", BatchSize=10)
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello",
                            MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
    wait_for(lambda: bodies_seen(out) == ["hello"], timeout=20, what="the message at the function")
    record = events_seen(out)[0]["Records"][0]
    assert record["messageId"] == sent["MessageId"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn("deliver-q")
    assert record["awsRegion"] == "us-east-1"
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["messageAttributes"]["color"]["stringValue"] == "blue"
    assert record["messageAttributes"]["color"]["dataType"] == "String"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert "receiptHandle" in record and "SentTimestamp" in record["attributes"]
    wait_for(lambda: queue_empty(sqs, url), timeout=10, what="the delivered message deleted")

    # A batch of messages sent together arrives whole (the batching window fills it).
    lam.update_event_source_mapping(UUID=lam.list_event_source_mappings(FunctionName="deliver-fn")
                                    ["EventSourceMappings"][0]["UUID"], MaximumBatchingWindowInSeconds=1)
    time.sleep(0.5)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    wait_for(lambda: len(bodies_seen(out)) == 11, timeout=20, what="ten more messages")
    assert sorted(bodies_seen(out)[1:]) == sorted(f"m{i}" for i in range(10))
    wait_for(lambda: queue_empty(sqs, url), timeout=10, what="the batch deleted")


def test_partial_batch_failures_and_the_dead_letter_queue(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    out = tmp_path / "out"
    make_function(lam, "partial-fn", out, timeout=1)
    dlq = sqs.create_queue(QueueName="partial-dlq")["QueueUrl"]
    # (a visibility timeout longer than the batching window and the function's run: a message must
    # not come back while its batch is still being gathered or handled)
    url = sqs.create_queue(QueueName="partial-q", Attributes={
        "VisibilityTimeout": "3",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn("partial-dlq"), "maxReceiveCount": "2"})})["QueueUrl"]
    lam.create_event_source_mapping(EventSourceArn=arn("partial-q"), FunctionName="partial-fn", BatchSize=10,
                                    MaximumBatchingWindowInSeconds=1,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    time.sleep(0.5)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "ok-1"},
                                                  {"Id": "b", "MessageBody": "fail"},
                                                  {"Id": "c", "MessageBody": "ok-2"}])
    got = []

    def dead_lettered():
        r = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)
        got.extend(r.get("Messages", []))
        return got

    wait_for(dead_lettered, timeout=30, what="the failed message in the dead-letter queue")
    assert [m["Body"] for m in got] == ["fail"]
    seen = bodies_seen(out)
    assert seen.count("ok-1") == 1 and seen.count("ok-2") == 1, seen  # deleted after their first success
    assert seen.count("fail") == 2, seen  # maxReceiveCount deliveries, then the dead-letter queue
    wait_for(lambda: queue_empty(sqs, url), timeout=10, what="the source queue empty")


def test_a_function_error_returns_the_whole_batch(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    out = tmp_path / "out"
    make_function(lam, "boom-fn", out, timeout=1)
    url = sqs.create_queue(QueueName="boom-q", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    uuid = lam.create_event_source_mapping(EventSourceArn=arn("boom-q"), FunctionName="boom-fn",
                                           BatchSize=10, MaximumBatchingWindowInSeconds=1)["UUID"]
    time.sleep(0.5)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "fine"},
                                                  {"Id": "b", "MessageBody": "boom"}])
    wait_for(lambda: bodies_seen(out).count("fine") >= 2, timeout=20, what="the batch delivered again")
    lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    time.sleep(1.5)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    total = int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])
    assert total == 2, attrs  # nothing deleted: the error returns both
    n = len(events_seen(out))
    time.sleep(2.5)
    assert len(events_seen(out)) == n  # disabled: no more deliveries


def test_filter_criteria_drop_what_they_do_not_match(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    out = tmp_path / "out"
    make_function(lam, "filter-fn", out)
    url = sqs.create_queue(QueueName="filter-q")["QueueUrl"]
    lam.create_event_source_mapping(
        EventSourceArn=arn("filter-q"), FunctionName="filter-fn",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]})
    for kind in ("order", "refund", "order"):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": kind}))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    wait_for(lambda: queue_empty(sqs, url), timeout=20, what="every message handled or dropped")
    assert [json.loads(b)["kind"] for b in bodies_seen(out)] == ["order", "order"]


def test_fifo_order_within_a_message_group(server, tmp_path):
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    out = tmp_path / "out"
    make_function(lam, "fifo-fn", out)
    url = sqs.create_queue(QueueName="order-q.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    lam.create_event_source_mapping(EventSourceArn=arn("order-q.fifo"), FunctionName="fifo-fn", BatchSize=2)
    for i in range(8):
        sqs.send_message(QueueUrl=url, MessageBody=f"g{i % 2}-{i}", MessageGroupId=f"g{i % 2}")
    wait_for(lambda: len(bodies_seen(out)) == 8, timeout=20, what="eight messages")
    for g in ("g0", "g1"):
        mine = [b for b in bodies_seen(out) if b.startswith(g)]
        assert mine == sorted(mine, key=lambda b: int(b.split("-")[1])), mine
    record = events_seen(out)[0]["Records"][0]
    assert record["attributes"]["MessageGroupId"] in ("g0", "g1")
    assert "SequenceNumber" in record["attributes"] and "MessageDeduplicationId" in record["attributes"]


def test_mappings_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    out = tmp_path / "out"
    s = Nimbus(data).start()
    try:
        lam, sqs = lambda_client(s.endpoint), sqs_client(s.endpoint)
        make_function(lam, "kept-fn", out)
        sqs.create_queue(QueueName="kept-q")
        uuid = lam.create_event_source_mapping(EventSourceArn=arn("kept-q"), FunctionName="kept-fn")["UUID"]
    finally:
        assert s.stop() == 0, s.log_text()
    s = Nimbus(data).start()
    try:
        lam, sqs = lambda_client(s.endpoint), sqs_client(s.endpoint)
        assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
        url = sqs.get_queue_url(QueueName="kept-q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="after")
        wait_for(lambda: bodies_seen(out) == ["after"], timeout=20, what="a delivery after the restart")
    finally:
        assert s.stop() == 0, s.log_text()
