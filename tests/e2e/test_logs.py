"""Function logs: stored per log group and instance stream, read with the AWS
CLI's CloudWatch Logs commands (`aws logs tail`, `filter-log-events`, ...),
boto3 and `nimbus logs`."""
import json
import re
import signal
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli, client_env, nimbus_bin, python_zip, run_aws
from test_lambda import ROLE, lambda_client, wait_for

APP = r'''
import logging, sys
logging.getLogger().setLevel(logging.INFO)

def talk(event, context):
    print("hello from", event.get("who", "nobody"))
    logging.info("logged for %s", event.get("who"))
    return "ok"

def flood(event, context):
    for i in range(event["lines"]):
        print("line %06d" % i)
    print("x" * event["long"])
    return "done"
'''


def package():
    return python_zip({"app.py": APP})


@pytest.fixture
def server(nimbus):
    return nimbus


def logs_client(endpoint):
    import boto3
    return boto3.client("logs", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        region_name="us-east-1")


def create(lam, name, handler, memory=128):
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
                        Code={"ZipFile": package()}, MemorySize=memory, Timeout=30)


def invoke(lam, name, event):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in r, r["Payload"].read()
    return r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def all_events(logs, group, **kw):
    """Every event of the group; none while the group does not exist yet (its
    first lines are written a moment after the invocation returns)."""
    events, args = [], dict(logGroupName=group, **kw)
    while True:
        try:
            page = logs.filter_log_events(**args)
        except logs.exceptions.ResourceNotFoundException:
            return events
        events += page["events"]
        if "nextToken" not in page:
            return events
        args["nextToken"] = page["nextToken"]


def test_aws_cli_reads_what_a_function_printed(server):
    lam = lambda_client(server.endpoint)
    create(lam, "talker", "app.talk")
    first = invoke(lam, "talker", {"who": "first"})
    second = invoke(lam, "talker", {"who": "second"})
    logs = logs_client(server.endpoint)
    wait_for(lambda: len(all_events(logs, "/aws/lambda/talker")) >= 10, what="the log lines")

    tail = run_aws(server.endpoint, "logs", "tail", "/aws/lambda/talker", "--since", "5m").stdout
    assert "hello from first" in tail and "hello from second" in tail
    assert f"START RequestId: {first} Version: $LATEST" in tail
    assert f"[INFO]\t" in tail and f"\t{second}\tlogged for second" in tail

    found = json.loads(run_aws(server.endpoint, "logs", "filter-log-events", "--log-group-name",
                               "/aws/lambda/talker", "--filter-pattern", '"hello from" second').stdout)
    assert [e["message"] for e in found["events"]] == ["hello from second"]
    event = found["events"][0]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", event["logStreamName"])
    assert event["eventId"] and event["ingestionTime"] >= event["timestamp"] > 0

    groups = json.loads(run_aws(server.endpoint, "logs", "describe-log-groups").stdout)["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/aws/lambda/talker"]
    streams = json.loads(run_aws(server.endpoint, "logs", "describe-log-streams", "--log-group-name",
                                 "/aws/lambda/talker").stdout)["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"] == event["logStreamName"]
    got = json.loads(run_aws(server.endpoint, "logs", "get-log-events", "--log-group-name", "/aws/lambda/talker",
                             "--log-stream-name", event["logStreamName"], "--start-from-head").stdout)
    messages = [e["message"] for e in got["events"]]
    # Init output, then each invocation between its START and REPORT lines.
    assert messages[0].startswith("nimbus python runtime:")
    assert messages[1] == f"START RequestId: {first} Version: $LATEST"
    assert messages.index(f"END RequestId: {first}") < messages.index(f"START RequestId: {second} Version: $LATEST")


def test_report_lines_have_plausible_numbers(server):
    lam = lambda_client(server.endpoint)
    create(lam, "reporter", "app.talk", memory=256)
    for who in ("a", "b", "c"):
        invoke(lam, "reporter", {"who": who})
    logs = logs_client(server.endpoint)
    wait_for(lambda: len([e for e in all_events(logs, "/aws/lambda/reporter") if e["message"].startswith("REPORT")]) == 3,
             what="three REPORT lines")
    reports = [e["message"] for e in all_events(logs, "/aws/lambda/reporter", filterPattern="REPORT")]
    pattern = re.compile(r"REPORT RequestId: [0-9a-f-]{36}\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\t"
                         r"Memory Size: 256 MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: ([\d.]+) ms)?$")
    parsed = [pattern.match(r) for r in reports]
    assert all(parsed), reports
    for m in parsed:
        duration, billed, used = float(m.group(1)), int(m.group(2)), int(m.group(3))
        assert 0 < duration < 5000 and billed >= duration and billed - duration < 1
        assert 5 <= used <= 256  # measured from the instance (VmHWM), not guessed
    assert parsed[0].group(4) and 0 < float(parsed[0].group(4)) < 5000  # the cold start only
    assert not parsed[1].group(4) and not parsed[2].group(4)


def test_fast_printing_and_a_1_mb_line_lose_nothing(server):
    lam = lambda_client(server.endpoint)
    create(lam, "flooder", "app.flood", memory=512)
    rid = invoke(lam, "flooder", {"lines": 20000, "long": 1 << 20})
    logs = logs_client(server.endpoint)

    def mine():
        return [e["message"] for e in all_events(logs, "/aws/lambda/flooder")]

    wait_for(lambda: any(m.startswith(f"REPORT RequestId: {rid}") for m in mine()), what="the REPORT line")
    messages = mine()
    lines = [m for m in messages if m.startswith("line ")]
    assert lines == ["line %06d" % i for i in range(20000)]
    pieces = [m for m in messages if m and set(m) == {"x"}]
    assert len(pieces) == 5  # 1 MiB in events of at most 256 KiB - 26 bytes, as Lambda splits it
    assert all(len(p) <= 256 * 1024 - 26 for p in pieces) and sum(map(len, pieces)) == 1 << 20


def test_nimbus_logs_command(server):
    lam = lambda_client(server.endpoint)
    create(lam, "cli", "app.talk")
    first = invoke(lam, "cli", {"who": "one"})
    invoke(lam, "cli", {"who": "two"})
    env = dict(client_env(), NIMBUS_ENDPOINT=server.endpoint)

    def nimbus_logs(*args):
        return subprocess.run([nimbus_bin(), "logs", *args], env=env, capture_output=True, text=True, timeout=30)

    wait_for(lambda: "hello from two" in nimbus_logs("cli").stdout, what="nimbus logs to show the lines")
    out = nimbus_logs("cli").stdout
    assert re.search(r"^\d{4}-\d{2}-\d{2}T[\d:.]+Z hello from one$", out, re.M)
    assert nimbus_logs("cli", "--filter", "hello -one").stdout.strip().endswith("hello from two")
    assert "hello from one" not in nimbus_logs("cli", "--filter", "hello -one").stdout
    one = nimbus_logs("cli", "--request-id", first).stdout.splitlines()
    assert one[0].endswith(f"START RequestId: {first} Version: $LATEST")
    assert any(l.endswith("hello from one") for l in one) and not any("two" in l for l in one)
    assert one[-1].split(" ", 1)[1].startswith(f"REPORT RequestId: {first}")
    assert nimbus_logs("cli", "--since", "0s").stdout == ""
    missing = nimbus_logs("nothing")
    assert missing.returncode == 1 and "does not exist" in missing.stderr

    follow = subprocess.Popen([nimbus_bin(), "logs", "cli", "--follow"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        invoke(lam, "cli", {"who": "followed"})
        deadline = time.time() + 15
        seen = ""
        while "hello from followed" not in seen and time.time() < deadline:
            seen += follow.stdout.readline()
        assert "hello from followed" in seen
    finally:
        follow.send_signal(signal.SIGINT)
        follow.wait(timeout=10)


def test_aws_logs_tail_follow(server):
    lam = lambda_client(server.endpoint)
    create(lam, "followed", "app.talk")
    invoke(lam, "followed", {"who": "before"})
    tail = subprocess.Popen([aws_cli(), "--endpoint-url", server.endpoint, "logs", "tail", "/aws/lambda/followed",
                             "--follow", "--format", "short"], env=client_env(), stdout=subprocess.PIPE, text=True)
    try:
        seen = ""
        deadline = time.time() + 30
        while "hello from before" not in seen and time.time() < deadline:
            seen += tail.stdout.readline()
        invoke(lam, "followed", {"who": "after"})
        while "hello from after" not in seen and time.time() < deadline:
            seen += tail.stdout.readline()
        assert "hello from before" in seen and "hello from after" in seen
        assert seen.count("hello from before") == 1  # polling again does not repeat lines
    finally:
        tail.send_signal(signal.SIGINT)
        tail.wait(timeout=10)


def test_groups_retention_errors_and_restart(server, tmp_path):
    lam = lambda_client(server.endpoint)
    create(lam, "kept", "app.talk")
    invoke(lam, "kept", {"who": "kept"})
    logs = logs_client(server.endpoint)
    wait_for(lambda: any("hello from kept" in e["message"] for e in all_events(logs, "/aws/lambda/kept")),
             what="the line")
    logs.put_retention_policy(logGroupName="/aws/lambda/kept", retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/k")["logGroups"][0]["retentionInDays"] == 7
    with pytest.raises(ClientError) as e:
        logs.put_retention_policy(logGroupName="/aws/lambda/kept", retentionInDays=8)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="/aws/lambda/none")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="/aws/lambda/kept", filterPattern='{ $.level = "x" }')
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    from botocore.config import Config
    import boto3
    loose = boto3.client("logs", endpoint_url=server.endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                         region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as e:
        loose.filter_log_events(logGroupName="/aws/lambda/kept", limit="ten")
    assert e.value.response["Error"]["Code"] == "SerializationException"
    with pytest.raises(ClientError) as e:
        loose.describe_log_streams(logGroupName="/aws/lambda/kept", nextToken="-5")
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    logs.create_log_group(logGroupName="/mine")
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="/mine")
    assert e.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    logs.delete_log_group(logGroupName="/mine")

    # Logs outlive the server.
    assert server.stop() == 0
    server.start(server.port)
    logs = logs_client(server.endpoint)
    assert any("hello from kept" in e["message"] for e in all_events(logs, "/aws/lambda/kept"))
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 7
