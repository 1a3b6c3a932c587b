"""EventBridge against a real nimbus: custom events through rules on the
default bus and a custom one to a function, SQS queues (the whole event, an
InputPath, an input transformer) and an SNS topic; a bus as a target; a
target that cannot take the event going to its dead-letter queue with AWS's
message attributes; the management API's answers and errors (boto3 1.26 in
this process, the newer boto3 on PATH in a subprocess, both AWS CLIs); and
events accepted before a kill -9 all delivered after the restart."""
import json
import os
import subprocess
import textwrap
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCESS_KEY, REGION, SECRET_KEY, Nimbus, aws_clis, client_env, nimbus_bin, python_zip,
                      run_modern_python)
from test_lambda import ROLE, lambda_client, wait_for
from test_lambda_dead_letter_queue import sqs_client
from test_lambda_destinations import RECORDER  # writes each event to $OUT/<request id>.json

ACCOUNT = "000000000000"

def events_client(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("events", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION, config=Config(retries={"max_attempts": 0}))


def qarn(name):
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def receive(sqs, url, want, timeout=30):
    got = []

    def arrived():
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got) >= want

    wait_for(arrived, timeout=timeout, what=f"{want} messages in {url}")
    return got


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("events") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


ORDER = {"Source": "shop.orders", "DetailType": "Order Placed",
         "Detail": json.dumps({"order": {"id": "o-1", "total": 42.5, "items": [{"sku": "a"}, {"sku": "b"}]},
                               "state": "placed"}),
         "Resources": ["arn:aws:s3:::shop"]}


def test_a_custom_event_reaches_a_function_queues_and_a_topic(server, tmp_path):
    ev, sqs, lam = events_client(server.endpoint), sqs_client(server.endpoint), lambda_client(server.endpoint)
    import boto3
    sns = boto3.client("sns", endpoint_url=server.endpoint, aws_access_key_id=ACCESS_KEY,
                       aws_secret_access_key=SECRET_KEY, region_name=REGION)
    out = tmp_path / "out"
    os.makedirs(out)
    lam.create_function(FunctionName="ev-recorder", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": RECORDER})}, Timeout=5,
                        Environment={"Variables": {"OUT": str(out)}})
    whole = sqs.create_queue(QueueName="ev-whole")["QueueUrl"]
    path = sqs.create_queue(QueueName="ev-path")["QueueUrl"]
    shaped = sqs.create_queue(QueueName="ev-shaped")["QueueUrl"]
    fanned = sqs.create_queue(QueueName="ev-fanned")["QueueUrl"]
    topic = sns.create_topic(Name="ev-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn("ev-fanned"), Attributes={"RawMessageDelivery": "true"})

    bus = ev.create_event_bus(Name="shop")["EventBusArn"]
    assert bus == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/shop"
    rule = ev.put_rule(Name="big-orders", EventBusName="shop", EventPattern=json.dumps(
        {"source": ["shop.orders"], "detail": {"order": {"total": [{"numeric": [">", 40]}]}}}))["RuleArn"]
    assert rule == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shop/big-orders"
    r = ev.put_targets(Rule="big-orders", EventBusName="shop", Targets=[
        {"Id": "fn", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ev-recorder"},
        {"Id": "whole", "Arn": qarn("ev-whole")},
        {"Id": "path", "Arn": qarn("ev-path"), "InputPath": "$.detail.order.items[1]"},
        {"Id": "shaped", "Arn": qarn("ev-shaped"), "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.order.id", "total": "$.detail.order.total"},
            "InputTemplate": '{"order": <id>, "total": <total>, "text": "order <id> of <total>", '
                             '"rule": "<aws.events.rule-name>"}'}},
        {"Id": "topic", "Arn": topic}])
    assert r["FailedEntryCount"] == 0

    small = dict(ORDER, Detail=json.dumps({"order": {"id": "o-2", "total": 3}}))
    put = ev.put_events(Entries=[dict(ORDER, EventBusName="shop"), dict(small, EventBusName="shop"),
                                 dict(ORDER, EventBusName="arn:aws:events:us-east-1:000000000000:event-bus/shop")])
    assert put["FailedEntryCount"] == 0
    ids = [e["EventId"] for e in put["Entries"]]

    bodies = [json.loads(m["Body"]) for m in receive(sqs, whole, 2)]
    assert sorted(b["id"] for b in bodies) == sorted([ids[0], ids[2]])
    e = bodies[0]
    assert list(e) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert (e["version"], e["detail-type"], e["source"], e["account"], e["region"]) == \
        ("0", "Order Placed", "shop.orders", ACCOUNT, "us-east-1")
    assert e["resources"] == ["arn:aws:s3:::shop"] and e["detail"]["state"] == "placed"
    assert len(e["time"]) == 20 and e["time"].endswith("Z")
    assert [json.loads(m["Body"]) for m in receive(sqs, path, 2)] == [{"sku": "b"}, {"sku": "b"}]
    shaped_body = json.loads(receive(sqs, shaped, 2)[0]["Body"])
    assert shaped_body == {"order": "o-1", "total": 42.5, "text": "order o-1 of 42.5", "rule": "big-orders"}
    assert json.loads(receive(sqs, fanned, 2)[0]["Body"])["source"] == "shop.orders"
    wait_for(lambda: len([n for n in os.listdir(out) if n.endswith(".json")]) == 2, timeout=30, what="two invocations")
    for n in os.listdir(out):
        if n.endswith(".json"):
            with open(out / n) as f:
                assert json.load(f)["id"] in (ids[0], ids[2])

    # Disabled, the rule delivers nothing; enabled again, it does.
    ev.disable_rule(Name="big-orders", EventBusName="shop")
    assert ev.describe_rule(Name="big-orders", EventBusName="shop")["State"] == "DISABLED"
    ev.put_events(Entries=[dict(ORDER, EventBusName="shop")])
    time.sleep(1)
    assert not sqs.receive_message(QueueUrl=whole, WaitTimeSeconds=1).get("Messages")
    ev.enable_rule(Name="big-orders", EventBusName="shop")
    ev.put_events(Entries=[dict(ORDER, EventBusName="shop")])
    assert len(receive(sqs, whole, 1)) == 1


def test_a_bus_as_a_target(server):
    ev, sqs = events_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="ev-relayed")["QueueUrl"]
    ev.create_event_bus(Name="audit")
    ev.put_rule(Name="to-audit", EventPattern=json.dumps({"detail-type": [{"prefix": "Order"}]}))
    ev.put_targets(Rule="to-audit", Targets=[{"Id": "bus", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/audit"}])
    ev.put_rule(Name="audit-all", EventBusName="audit", EventPattern=json.dumps({"source": [{"wildcard": "shop.*"}]}))
    ev.put_targets(Rule="audit-all", EventBusName="audit", Targets=[{"Id": "q", "Arn": qarn("ev-relayed")}])
    eid = ev.put_events(Entries=[ORDER])["Entries"][0]["EventId"]
    body = json.loads(receive(sqs, url, 1)[0]["Body"])
    assert body["id"] == eid and body["detail"]["order"]["id"] == "o-1"
    assert ev.list_rule_names_by_target(TargetArn=f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/audit")["RuleNames"] \
        == ["to-audit"]


def test_a_target_that_cannot_take_the_event_goes_to_its_dead_letter_queue(server):
    ev, sqs = events_client(server.endpoint), sqs_client(server.endpoint)
    dlq = sqs.create_queue(QueueName="ev-dlq")["QueueUrl"]
    ev.put_rule(Name="to-nowhere", EventPattern=json.dumps({"source": ["shop.dead"]}))
    ev.put_targets(Rule="to-nowhere", Targets=[{"Id": "gone", "Arn": qarn("ev-no-such-queue"),
                                                "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60},
                                                "DeadLetterConfig": {"Arn": qarn("ev-dlq")}}])
    t = ev.list_targets_by_rule(Rule="to-nowhere")["Targets"][0]
    assert t["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}
    assert t["DeadLetterConfig"] == {"Arn": qarn("ev-dlq")}
    eid = ev.put_events(Entries=[dict(ORDER, Source="shop.dead")])["Entries"][0]["EventId"]
    m = receive(sqs, dlq, 1)[0]
    assert json.loads(m["Body"])["id"] == eid
    attrs = {k: v["StringValue"] for k, v in m["MessageAttributes"].items()}
    assert attrs["RULE_ARN"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/to-nowhere", attrs
    assert attrs["TARGET_ARN"] == qarn("ev-no-such-queue")
    assert attrs["ERROR_CODE"] == "ResourceNotFoundException", attrs
    assert "ERROR_MESSAGE" in attrs


def code_of(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_the_management_api_answers_and_refuses_as_aws(server):
    ev = events_client(server.endpoint)
    assert code_of(ev.describe_rule, Name="nope")[0] == "ResourceNotFoundException"
    assert code_of(ev.describe_event_bus, Name="nope")[0] == "ResourceNotFoundException"
    assert code_of(ev.put_rule, Name="bad", EventPattern='{"source": "not-an-array"}')[0] == "InvalidEventPatternException"
    assert code_of(ev.put_rule, Name="bad")[0] == "ValidationException"
    ev.create_event_bus(Name="dup")
    code, message = code_of(ev.put_rule, Name="timer", EventBusName="dup", ScheduleExpression="rate(5 minutes)")
    assert code == "ValidationException" and "only on the default event bus" in message
    assert code_of(ev.create_event_bus, Name="dup")[0] == "ResourceAlreadyExistsException"
    assert code_of(ev.create_event_bus, Name="x", EventSourceName="aws.partner/x")[0] == "ValidationException"
    ev.put_rule(Name="m", EventPattern='{"source":["m"]}', Description="many targets",
                Tags=[{"Key": "team", "Value": "shop"}])
    targets = [{"Id": f"t{i}", "Arn": qarn(f"q{i}")} for i in range(6)]
    assert code_of(ev.put_targets, Rule="m", Targets=targets)[0] == "LimitExceededException"
    assert code_of(ev.put_targets, Rule="m", Targets=[{"Id": "k", "Arn": "arn:aws:kinesis:us-east-1:0:stream/s"}])[0] \
        == "ValidationException"
    assert code_of(ev.put_targets, Rule="m", Targets=[{"Id": "s", "Arn": qarn("q"),
                                                     "SqsParameters": {"MessageGroupId": "g"}}])[0] == "ValidationException"
    code, message = code_of(ev.put_targets, Rule="m", Targets=[{"Id": "t", "Arn": qarn("q"), "Input": "{}", "InputPath": "$"}])
    assert code == "ValidationException" and "Only one of Input, InputPath, or InputTransformer" in message
    ev.put_targets(Rule="m", Targets=[{"Id": "t1", "Arn": qarn("q1"), "Input": '{"fixed": true}'}])
    assert code_of(ev.delete_rule, Name="m")[0] == "ValidationException"  # it has targets
    ev.remove_targets(Rule="m", Ids=["t1"])
    rule_arn = ev.describe_rule(Name="m")["Arn"]
    assert ev.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "team", "Value": "shop"}]
    ev.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "env", "Value": "dev"}])
    ev.untag_resource(ResourceARN=rule_arn, TagKeys=["team"])
    assert ev.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    ev.delete_rule(Name="m")
    assert code_of(ev.describe_rule, Name="m")[0] == "ResourceNotFoundException"
    for i in range(3):
        ev.put_rule(Name=f"page-{i}", EventPattern='{"source":["p"]}')
    first = ev.list_rules(NamePrefix="page-", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["page-0", "page-1"]
    rest = ev.list_rules(NamePrefix="page-", Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in rest["Rules"]] == ["page-2"] and "NextToken" not in rest
    assert ev.test_event_pattern(EventPattern='{"detail":{"n":[{"numeric":[">",1]}]}}',
                                 Event=json.dumps({"id": "1", "source": "s", "detail-type": "d", "account": ACCOUNT,
                                                   "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
                                                   "resources": [], "detail": {"n": 2}}))["Result"] is True
    r = ev.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "not json"},
                               {"Source": "s", "DetailType": "d"}])
    assert r["FailedEntryCount"] == 2
    assert r["Entries"][0]["ErrorCode"] == "MalformedDetail"
    assert r["Entries"][1]["ErrorCode"] == "InvalidArgument"
    ev.delete_event_bus(Name="dup")
    assert "dup" not in [b["Name"] for b in ev.list_event_buses()["EventBuses"]]


def test_the_newer_boto3(server):
    r = run_modern_python(textwrap.dedent('''
        import json, sys, boto3
        ev = boto3.client("events", endpoint_url=sys.argv[1], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        ev.put_rule(Name="modern", EventPattern=json.dumps({"source": ["modern"]}))
        ev.put_targets(Rule="modern", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:ev-modern"}])
        sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        url = sqs.create_queue(QueueName="ev-modern")["QueueUrl"]
        r = ev.put_events(Entries=[{"Source": "modern", "DetailType": "d", "Detail": "{}"}])
        assert r["FailedEntryCount"] == 0, r
        m = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
        assert json.loads(m["Body"])["id"] == r["Entries"][0]["EventId"]
        print("ok")
    '''), server.endpoint)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_the_aws_clis(server, cli):
    if cli is None:
        pytest.skip("no AWS CLI on this machine")
    tag = "deb" if cli == "/usr/bin/aws" else "path"

    def aws(*args):
        r = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", "events", *args],
                           env=client_env(), capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else {}

    sqs = sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName=f"ev-cli-{tag}")["QueueUrl"]
    aws("put-rule", "--name", f"cli-{tag}", "--event-pattern", json.dumps({"source": [f"cli.{tag}"]}))
    aws("put-targets", "--rule", f"cli-{tag}", "--targets", json.dumps([{"Id": "q", "Arn": qarn(f"ev-cli-{tag}")}]))
    assert [r["Name"] for r in aws("list-rules", "--name-prefix", f"cli-{tag}")["Rules"]] == [f"cli-{tag}"]
    put = aws("put-events", "--entries", json.dumps([{"Source": f"cli.{tag}", "DetailType": "d", "Detail": "{}"}]))
    body = json.loads(receive(sqs, url, 1)[0]["Body"])
    assert body["id"] == put["Entries"][0]["EventId"]
    assert aws("test-event-pattern", "--event-pattern", '{"source":["a"]}', "--event",
               json.dumps({"id": "1", "source": "b", "detail-type": "d", "account": ACCOUNT,
                           "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
                           "detail": {}}))["Result"] is False
    aws("remove-targets", "--rule", f"cli-{tag}", "--ids", "q")
    aws("delete-rule", "--name", f"cli-{tag}")


def test_events_accepted_before_a_kill9_are_delivered_after_the_restart(tmp_path):
    server = Nimbus(tmp_path / "data").start()
    ev, sqs = events_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="ev-durable")["QueueUrl"]
    # A function target that takes long keeps deliveries in flight at the kill; an SQS one is the count.
    ev.put_rule(Name="durable", EventPattern='{"source":["durable"]}')
    ev.put_targets(Rule="durable", Targets=[{"Id": "q", "Arn": qarn("ev-durable")}])
    accepted, stop = [], threading.Event()

    def send(worker):
        client = events_client(server.endpoint)
        n = 0
        while not stop.is_set():
            try:
                r = client.put_events(Entries=[{"Source": "durable", "DetailType": "d",
                                                "Detail": json.dumps({"w": worker, "n": n + i})} for i in range(10)])
            except Exception:
                return  # the kill: this request's answer never came, so none of it counts
            accepted.extend(e["EventId"] for e in r["Entries"] if "EventId" in e)
            n += 10

    threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    wait_for(lambda: len(accepted) >= 300, timeout=30, what="300 accepted events")
    server.kill9()  # while sends and deliveries are under way
    stop.set()
    for t in threads:
        t.join()
    server.start(port=server.port)
    got = set()

    def all_arrived():
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for m in r.get("Messages", []):
            got.add(json.loads(m["Body"])["id"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got >= set(accepted)

    wait_for(all_arrived, timeout=90, what=f"{len(accepted)} accepted events")
    assert server.stop() == 0, server.log_text()


def test_scheduled_rules_fire_on_time_under_the_test_clock(tmp_path):
    # At 120x a minute lasts half a second: rate(1 minute) and cron(* * * * ? *) fire every 0.5 s of real time.
    server = Nimbus(tmp_path / "data", ["--schedule-time-scale", "120"]).start()
    try:
        ev, sqs = events_client(server.endpoint), sqs_client(server.endpoint)
        url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
        rate_arn = ev.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")["RuleArn"]
        ev.put_rule(Name="cron", ScheduleExpression="cron(* * * * ? *)")
        ev.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": qarn("ticks")}])
        ev.put_targets(Rule="cron", Targets=[{"Id": "q", "Arn": qarn("ticks"),
                                              "InputTransformer": {"InputPathsMap": {"t": "$.time"},
                                                                   "InputTemplate": '{"cron": <t>}'}}])
        assert ev.describe_rule(Name="tick")["ScheduleExpression"] == "rate(1 minute)"
        code, message = code_of(ev.put_rule, Name="bad", ScheduleExpression="rate(1 minutes)")
        assert code == "ValidationException" and "ScheduleExpression is not valid" in message
        assert code_of(ev.put_rule, Name="bad", ScheduleExpression="cron(0 12 * * * *)")[0] == "ValidationException"
        assert code_of(ev.put_rule, Name="bad", EventBusName="ticks-bus", ScheduleExpression="rate(5 minutes)")[0] \
            == "ResourceNotFoundException"
        got = receive(sqs, url, 6, timeout=30)
        bodies = [json.loads(m["Body"]) for m in got]
        scheduled = [b for b in bodies if "detail-type" in b]
        assert scheduled, bodies
        e = scheduled[0]
        assert (e["detail-type"], e["source"], e["resources"], e["detail"]) == \
            ("Scheduled Event", "aws.events", [rate_arn], {})
        # Each rule's fires are a minute apart on the (scaled) clock, and cron's fall on whole minutes.
        times = sorted(b["time"] for b in scheduled)
        assert len(set(times)) == len(times), times
        crons = [b["cron"] for b in bodies if "cron" in b]
        assert crons and all(t.endswith(":00Z") for t in crons), crons
        r = subprocess.run([nimbus_bin(), "schedules", "ls"], capture_output=True, text=True,
                           env=client_env({"NIMBUS_ENDPOINT": server.endpoint}), timeout=30)
        assert r.returncode == 0, r.stderr
        line = [l for l in r.stdout.splitlines() if "rule/tick" in l][0]
        assert "rate(1 minute)" in line and line.count("Z") == 3, r.stdout
        ev.disable_rule(Name="tick")
        ev.disable_rule(Name="cron")
        time.sleep(0.5)
        sqs.purge_queue(QueueUrl=url)
        time.sleep(1.5)
        assert not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")
    finally:
        assert server.stop() == 0, server.log_text()
