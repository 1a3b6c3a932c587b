"""Asynchronous invocation destinations, as Lambda sends them: OnSuccess and
OnFailure records to an SQS queue, an SNS topic (seen through a raw SQS
subscription) and another function, with the record's fields (condition,
approximateInvokeCount, requestPayload, responsePayload, functionArn with
its qualifier); a destination that does not exist refused when set;
EventBridge refused by name; both AWS CLIs set and read a config with both
destinations."""
import json
import os

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, aws_clis, python_zip, run_aws
from test_lambda import ROLE, lambda_client, wait_for
from test_lambda_dead_letter_queue import sqs_client

ACCOUNT = "000000000000"

WORK = '''
def handler(event, context):
    if event.get("fail"):
        raise ValueError("failed on purpose: " + str(event["n"]))
    return {"doubled": event["n"] * 2}
'''

# Writes each event it gets to $OUT/<request id>.json.
RECORDER = '''
import json, os

def handler(event, context):
    out = os.environ["OUT"]
    tmp = os.path.join(out, context.aws_request_id + ".tmp")
    with open(tmp, "w") as f:
        json.dump(event, f)
    os.rename(tmp, os.path.join(out, context.aws_request_id + ".json"))
'''


def qarn(name):
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("dest") / "data", ["--async-retry-delays-ms", "100", "100"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def receive(sqs, url, want, timeout=60):
    got = []

    def arrived():
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got) >= want

    wait_for(arrived, timeout=timeout, what=f"{want} messages in {url}")
    return got


def test_success_to_a_queue_and_failure_to_a_topic(server):
    import boto3
    lam, sqs = lambda_client(server.endpoint), sqs_client(server.endpoint)
    sns = boto3.client("sns", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test")
    ok_q = sqs.create_queue(QueueName="dest-ok")["QueueUrl"]
    topic = sns.create_topic(Name="dest-failed")["TopicArn"]
    seen = sqs.create_queue(QueueName="dest-failed-seen")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn("dest-failed-seen"),
                  Attributes={"RawMessageDelivery": "true"})
    lam.create_function(FunctionName="work", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": WORK})}, Timeout=5)
    cfg = lam.put_function_event_invoke_config(
        FunctionName="work", MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": qarn("dest-ok")}, "OnFailure": {"Destination": topic}})
    assert cfg["DestinationConfig"] == {"OnSuccess": {"Destination": qarn("dest-ok")},
                                        "OnFailure": {"Destination": topic}}, cfg

    ok = lam.invoke(FunctionName="work", InvocationType="Event", Payload=json.dumps({"n": 21}))
    ok_id = ok["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    bad = lam.invoke(FunctionName="work", InvocationType="Event", Payload=json.dumps({"n": 5, "fail": True}))
    bad_id = bad["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    record = json.loads(receive(sqs, ok_q, 1)[0]["Body"])
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z"), record
    ctx = record["requestContext"]
    assert ctx == {"requestId": ok_id, "functionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:work:$LATEST",
                   "condition": "Success", "approximateInvokeCount": 1}, ctx
    assert record["requestPayload"] == {"n": 21}, record
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}, record
    assert record["responsePayload"] == {"doubled": 42}, record

    record = json.loads(receive(sqs, seen, 1)[0]["Body"])
    ctx = record["requestContext"]
    assert ctx["requestId"] == bad_id and ctx["condition"] == "RetriesExhausted", ctx
    assert ctx["approximateInvokeCount"] == 2, ctx  # MaximumRetryAttempts=1
    assert record["requestPayload"] == {"n": 5, "fail": True}, record
    assert record["responseContext"]["functionError"] == "Unhandled", record
    assert record["responsePayload"]["errorType"] == "ValueError", record
    assert "failed on purpose: 5" in record["responsePayload"]["errorMessage"], record
    # One record each: the success went nowhere else, the failure only once.
    assert sqs.receive_message(QueueUrl=ok_q, WaitTimeSeconds=1).get("Messages") is None
    assert sqs.receive_message(QueueUrl=seen, WaitTimeSeconds=1).get("Messages") is None

    # A destination that does not exist, and EventBridge, are refused when set; nothing changes.
    for dest, says in [(qarn("dest-nope"), "does not exist"),
                       (f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default", "EventBridge")]:
        with pytest.raises(ClientError) as e:
            lam.update_function_event_invoke_config(FunctionName="work",
                                                    DestinationConfig={"OnSuccess": {"Destination": dest}})
        assert e.value.response["Error"]["Code"] == "InvalidParameterValueException", e.value.response
        assert says in e.value.response["Error"]["Message"], e.value.response
    assert lam.get_function_event_invoke_config(FunctionName="work")["DestinationConfig"]["OnSuccess"] == {
        "Destination": qarn("dest-ok")}


def test_success_of_a_version_to_another_function(server, tmp_path):
    lam = lambda_client(server.endpoint)
    out = tmp_path / "out"
    os.makedirs(out)
    lam.create_function(FunctionName="step1", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": WORK})}, Timeout=5, Publish=True)
    lam.create_function(FunctionName="step2", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": RECORDER})}, Timeout=5,
                        Environment={"Variables": {"OUT": str(out)}})
    step2 = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:step2"
    lam.put_function_event_invoke_config(FunctionName="step1", Qualifier="1",
                                         DestinationConfig={"OnSuccess": {"Destination": step2}})
    r = lam.invoke(FunctionName="step1", Qualifier="1", InvocationType="Event", Payload=json.dumps({"n": 4}))
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    wait_for(lambda: [n for n in os.listdir(out) if n.endswith(".json")], timeout=60, what="step2's invocation")
    names = [n for n in os.listdir(out) if n.endswith(".json")]
    assert len(names) == 1, names
    with open(out / names[0]) as f:
        record = json.load(f)
    assert record["requestContext"]["requestId"] == rid, record
    assert record["requestContext"]["functionArn"].endswith(":function:step1:1"), record
    assert record["responseContext"]["executedVersion"] == "1", record
    assert record["responsePayload"] == {"doubled": 8}, record
    # An unqualified invocation uses $LATEST's config, which has none: step2 runs once only.
    lam.invoke(FunctionName="step1", InvocationType="Event", Payload=json.dumps({"n": 1}))
    lam.invoke(FunctionName="step1", Qualifier="1", InvocationType="RequestResponse", Payload=json.dumps({"n": 1}))
    import time
    time.sleep(2)
    assert len([n for n in os.listdir(out) if n.endswith(".json")]) == 1


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_cli_sets_and_reads_both_destinations(server, cli):
    if cli is None:
        pytest.skip("no AWS CLI on this machine")
    name = "clidest" + ("q" if cli == "/usr/bin/aws" else "j")
    sqs = sqs_client(server.endpoint)
    sqs.create_queue(QueueName=name + "-ok")
    sqs.create_queue(QueueName=name + "-bad")
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": WORK})}, Timeout=5)
    dest = {"OnSuccess": {"Destination": qarn(name + "-ok")}, "OnFailure": {"Destination": qarn(name + "-bad")}}
    r = run_aws(server.endpoint, "lambda", "put-function-event-invoke-config", "--function-name", name,
                "--destination-config", json.dumps(dest), cli=cli)
    assert json.loads(r.stdout)["DestinationConfig"] == dest
    r = run_aws(server.endpoint, "lambda", "get-function-event-invoke-config", "--function-name", name, cli=cli)
    assert json.loads(r.stdout)["DestinationConfig"] == dest
