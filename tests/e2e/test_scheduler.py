"""EventBridge Scheduler against a real nimbus whose schedules run 120 times
faster than real time (--schedule-time-scale 120: a minute lasts half a
second): the API's answers and errors (Debian's boto3 1.26 in this process,
the newer boto3 on PATH in a subprocess, both AWS CLIs); a rate() schedule
into an SQS queue with its Input verbatim and Scheduler's context attributes
filled, on time; one-time at() schedules, the one with ActionAfterCompletion
DELETE gone after its fire; a Lambda function as a target (with an Input, and
the default notification without one); an event bus whose rule's queue gets
the event; a target that does not exist, its fire in the dead-letter queue
with Scheduler's attributes; `nimbus schedules ls`."""
import datetime
import json
import os
import subprocess
import textwrap
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, SECRET_KEY, Nimbus, aws_clis, client_env, nimbus_bin, python_zip, \
    run_modern_python
from test_eventbridge import RECORDER, events_client, qarn, receive
from test_lambda import ROLE, lambda_client, wait_for
from test_lambda_dead_letter_queue import sqs_client

ACCOUNT = "000000000000"
SCHEDULER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
SCALE = 120


def scheduler_client(endpoint):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import UnknownServiceError
    try:
        return boto3.client("scheduler", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION,
                            config=Config(retries={"max_attempts": 0}))
    except UnknownServiceError:
        pytest.skip("this boto3 does not know EventBridge Scheduler")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("scheduler") / "data", ["--schedule-time-scale", str(SCALE)]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def code_of(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def target(arn, **extra):
    return dict({"Arn": arn, "RoleArn": SCHEDULER_ROLE}, **extra)


OFF = {"Mode": "OFF"}


def server_now(sch, name="clock"):
    """The server's (scaled) clock, read as a schedule's CreationDate: at() times are written on it."""
    sch.create_schedule(Name=name, ScheduleExpression="at(2199-01-01T00:00:00)", FlexibleTimeWindow=OFF,
                        Target=target(qarn("nowhere")), State="DISABLED")
    created = sch.get_schedule(Name=name)["CreationDate"]
    sch.delete_schedule(Name=name)
    return created


def at_in(sch, scaled_seconds):
    t = server_now(sch) + datetime.timedelta(seconds=scaled_seconds)
    return "at(" + (t.astimezone(datetime.timezone.utc) + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S") + ")"


def test_the_api_answers_and_refuses_as_aws(server):
    sch = scheduler_client(server.endpoint)
    groups = sch.list_schedule_groups()["ScheduleGroups"]
    assert [g["Name"] for g in groups] == ["default"] and groups[0]["State"] == "ACTIVE"
    garn = sch.create_schedule_group(Name="nightly", Tags=[{"Key": "team", "Value": "ops"}])["ScheduleGroupArn"]
    assert garn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/nightly"
    assert sch.get_schedule_group(Name="nightly")["Arn"] == garn
    assert code_of(sch.create_schedule_group, Name="nightly")[0] == "ConflictException"
    assert code_of(sch.get_schedule_group, Name="nope")[0] == "ResourceNotFoundException"
    assert code_of(sch.delete_schedule_group, Name="default")[0] == "ValidationException"

    arn = sch.create_schedule(Name="backup", GroupName="nightly", ScheduleExpression="cron(30 2 * * ? *)",
                              ScheduleExpressionTimezone="Europe/Berlin", Description="every night",
                              FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                              StartDate=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                              Target=target(qarn("backups"), Input='{"job": "backup"}',
                                            RetryPolicy={"MaximumRetryAttempts": 3}))["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/nightly/backup"
    got = sch.get_schedule(Name="backup", GroupName="nightly")
    assert (got["Arn"], got["Name"], got["GroupName"], got["State"]) == (arn, "backup", "nightly", "ENABLED")
    assert got["ScheduleExpression"] == "cron(30 2 * * ? *)" and got["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got["StartDate"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert got["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 3}
    assert got["Target"]["Input"] == '{"job": "backup"}' and got["Target"]["RoleArn"] == SCHEDULER_ROLE
    assert isinstance(got["CreationDate"], datetime.datetime)
    assert code_of(sch.create_schedule, Name="backup", GroupName="nightly", ScheduleExpression="rate(1 hour)",
                   FlexibleTimeWindow=OFF, Target=target(qarn("backups")))[0] == "ConflictException"
    assert code_of(sch.get_schedule, Name="backup")[0] == "ResourceNotFoundException"  # it is in nightly
    assert code_of(sch.create_schedule, Name="x", GroupName="nope", ScheduleExpression="rate(1 hour)",
                   FlexibleTimeWindow=OFF, Target=target(qarn("q")))[0] == "ResourceNotFoundException"
    for expression in ("rate(1 minutes)", "cron(0 12 * * * *)", "at(2030-02-30T00:00:00)", "every day"):
        code, message = code_of(sch.create_schedule, Name="bad", ScheduleExpression=expression,
                                FlexibleTimeWindow=OFF, Target=target(qarn("q")))
        assert code == "ValidationException" and expression in message, (expression, message)
    code, message = code_of(sch.create_schedule, Name="bad", ScheduleExpression="rate(1 hour)",
                            ScheduleExpressionTimezone="Mars/Olympus", FlexibleTimeWindow=OFF,
                            Target=target(qarn("q")))
    assert code == "ValidationException" and "Mars/Olympus" in message
    assert code_of(sch.create_schedule, Name="bad", ScheduleExpression="rate(1 hour)",
                   FlexibleTimeWindow={"Mode": "FLEXIBLE"}, Target=target(qarn("q")))[0] == "ValidationException"
    code, message = code_of(sch.create_schedule, Name="bad", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                            Target=target(qarn("q"), SqsParameters={"MessageGroupId": "g"}))
    assert code == "ValidationException" and "nimbus does not support" in message
    code, message = code_of(sch.create_schedule, Name="bad", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                            Target=target("arn:aws:scheduler:::aws-sdk:sqs:sendMessage", Input="{}"))
    assert code == "ValidationException" and "nimbus does not support the target" in message
    # A value far over its maximum length is refused for its length (std::regex recurses per character).
    code, message = code_of(sch.create_schedule, Name="bad", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                            Target=target(qarn("q"), RoleArn=f"arn:aws:iam::{ACCOUNT}:role/" + "r" * 300_000))
    assert code == "ValidationException" and "length less than or equal to 1600" in message

    # Updates replace the whole schedule; listings filter and page.
    sch.update_schedule(Name="backup", GroupName="nightly", ScheduleExpression="rate(12 hours)", State="DISABLED",
                        FlexibleTimeWindow=OFF, Target=target(qarn("backups")))
    got = sch.get_schedule(Name="backup", GroupName="nightly")
    assert (got["ScheduleExpression"], got["State"]) == ("rate(12 hours)", "DISABLED")
    assert "Description" not in got and "ScheduleExpressionTimezone" not in got and "StartDate" not in got
    for name in ("page-a", "page-b", "page-c"):
        sch.create_schedule(Name=name, ScheduleExpression="rate(7 days)", FlexibleTimeWindow=OFF, State="DISABLED",
                            Target=target(qarn("q")))
    listed = sch.list_schedules(NamePrefix="page-", MaxResults=2)
    assert [s["Name"] for s in listed["Schedules"]] == ["page-a", "page-b"]
    rest = sch.list_schedules(NamePrefix="page-", MaxResults=2, NextToken=listed["NextToken"])
    assert [s["Name"] for s in rest["Schedules"]] == ["page-c"] and "NextToken" not in rest
    assert listed["Schedules"][0]["Target"] == {"Arn": qarn("q")}
    assert [s["Name"] for s in sch.list_schedules(GroupName="nightly")["Schedules"]] == ["backup"]
    assert {s["Name"] for s in sch.list_schedules(State="DISABLED")["Schedules"]} >= {"backup", "page-a"}
    assert code_of(sch.list_schedules, GroupName="nope")[0] == "ResourceNotFoundException"

    # Groups carry tags; schedules do not.
    sch.tag_resource(ResourceArn=garn, Tags=[{"Key": "env", "Value": "dev"}])
    sch.untag_resource(ResourceArn=garn, TagKeys=["team"])
    assert sch.list_tags_for_resource(ResourceArn=garn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert code_of(sch.list_tags_for_resource, ResourceArn=arn)[0] == "ValidationException"
    assert code_of(sch.list_tags_for_resource,
                   ResourceArn=f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/nope")[0] \
        == "ResourceNotFoundException"

    # Deleting a group deletes its schedules.
    sch.delete_schedule_group(Name="nightly")
    assert code_of(sch.get_schedule, Name="backup", GroupName="nightly")[0] == "ResourceNotFoundException"
    for name in ("page-a", "page-b", "page-c"):
        sch.delete_schedule(Name=name)
    assert code_of(sch.delete_schedule, Name="page-a")[0] == "ResourceNotFoundException"


def test_a_rate_schedule_fires_on_time_into_a_queue_with_its_input_verbatim(server):
    sch, sqs = scheduler_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="sch-ticks")["QueueUrl"]
    text = ("tick of <aws.scheduler.schedule-arn> due <aws.scheduler.scheduled-time> "
            "execution <aws.scheduler.execution-id> attempt <aws.scheduler.attempt-number>")
    arn = sch.create_schedule(Name="ticks", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              Target=target(qarn("sch-ticks"), Input=text))["ScheduleArn"]
    got = receive(sqs, url, 5, timeout=30)
    sch.delete_schedule(Name="ticks")
    fires = []
    for m in got:
        words = m["Body"].split()
        # Verbatim: the text itself, not wrapped in an event, its attributes filled.
        assert words[:3] == ["tick", "of", arn] and words[3] == "due" and words[5] == "execution", m["Body"]
        assert words[7:] == ["attempt", "1"], m["Body"]
        assert len(words[6]) == 16, m["Body"]
        due = datetime.datetime.strptime(words[4], "%Y-%m-%dT%H:%M:%SZ")
        fires.append((due, words[6]))
    fires.sort()
    assert len({f[1] for f in fires}) == len(fires)  # one execution id per fire
    # A minute apart on the schedules' clock.
    for (a, _), (b, _) in zip(fires, fires[1:]):
        assert (b - a) == datetime.timedelta(minutes=1), fires


def test_sent_on_time(server):
    """Each fire leaves within the budget: consecutive fires are sent 0.5 s of real time apart (a minute at 120x)."""
    sch, sqs = scheduler_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="sch-on-time")["QueueUrl"]
    sch.create_schedule(Name="on-time", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                        Target=target(qarn("sch-on-time"), Input="<aws.scheduler.scheduled-time>"))
    got = []

    def arrived():
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["SentTimestamp"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got) >= 6

    wait_for(arrived, timeout=30, what="6 fires")
    sch.delete_schedule(Name="on-time")
    fires = sorted((datetime.datetime.strptime(m["Body"], "%Y-%m-%dT%H:%M:%SZ"), int(m["Attributes"]["SentTimestamp"]))
                   for m in got)
    for (due_a, sent_a), (due_b, sent_b) in zip(fires, fires[1:]):
        expected_ms = (due_b - due_a).total_seconds() * 1000 / SCALE
        # The due times are whole seconds of scaled time (8 ms of real time) and delivery adds a little.
        assert abs((sent_b - sent_a) - expected_ms) < 100, fires


def test_one_time_schedules_fire_once(server):
    sch, sqs = scheduler_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="sch-once")["QueueUrl"]
    expression = at_in(sch, 90)  # 90 s of scaled time: under a second from now
    sch.create_schedule(Name="once", ScheduleExpression=expression, FlexibleTimeWindow=OFF,
                        Target=target(qarn("sch-once"), Input='{"due": "<aws.scheduler.scheduled-time>"}'))
    got = receive(sqs, url, 1, timeout=15)
    assert json.loads(got[0]["Body"])["due"] == expression[3:-1] + "Z"
    time.sleep(1.5)
    assert not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")
    # ActionAfterCompletion NONE (Debian's boto3 predates the member): it stays, done.
    assert sch.get_schedule(Name="once")["ScheduleExpression"] == expression
    sch.delete_schedule(Name="once")


def test_a_schedule_invokes_a_function(server, tmp_path):
    sch, lam = scheduler_client(server.endpoint), lambda_client(server.endpoint)
    out = tmp_path / "out"
    os.makedirs(out)
    lam.create_function(FunctionName="sch-recorder", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": RECORDER})}, Timeout=5,
                        Environment={"Variables": {"OUT": str(out)}})
    fn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sch-recorder"
    with_input = sch.create_schedule(Name="fn-input", ScheduleExpression=at_in(sch, 60), FlexibleTimeWindow=OFF,
                                     Target=target(fn, Input='{"hello": "<aws.scheduler.schedule-arn>"}'))["ScheduleArn"]
    bare = sch.create_schedule(Name="fn-bare", ScheduleExpression=at_in(sch, 60), FlexibleTimeWindow=OFF,
                               Target=target(fn))["ScheduleArn"]
    wait_for(lambda: len([n for n in os.listdir(out) if n.endswith(".json")]) == 2, timeout=30, what="two invocations")
    events = []
    for n in os.listdir(out):
        if n.endswith(".json"):
            with open(out / n) as f:
                events.append(json.load(f))
    assert {"hello": with_input} in events  # the Input is the event, as given
    default = [e for e in events if "hello" not in e][0]
    # Without an Input, Scheduler's default notification.
    assert (default["detail-type"], default["source"], default["resources"], default["detail"]) == \
        ("Scheduled Event", "aws.scheduler", [bare], "{}")
    assert (default["account"], default["region"], default["version"]) == (ACCOUNT, "us-east-1", "0")
    sch.delete_schedule(Name="fn-input")
    sch.delete_schedule(Name="fn-bare")


def test_a_schedule_to_an_event_bus_reaches_a_rules_queue(server):
    sch, ev, sqs = scheduler_client(server.endpoint), events_client(server.endpoint), sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="sch-bus")["QueueUrl"]
    bus = ev.create_event_bus(Name="sch-clock")["EventBusArn"]
    ev.put_rule(Name="clock-ticks", EventBusName="sch-clock",
                EventPattern=json.dumps({"source": ["shop.clock"], "detail-type": ["Tick"]}))
    ev.put_targets(Rule="clock-ticks", EventBusName="sch-clock", Targets=[{"Id": "q", "Arn": qarn("sch-bus")}])
    arn = sch.create_schedule(Name="to-bus", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              Target=target(bus, Input='{"n": 1, "due": "<aws.scheduler.scheduled-time>"}',
                                            EventBridgeParameters={"DetailType": "Tick", "Source": "shop.clock"}))[
        "ScheduleArn"]
    e = json.loads(receive(sqs, url, 1)[0]["Body"])
    sch.delete_schedule(Name="to-bus")
    assert (e["detail-type"], e["source"], e["resources"]) == ("Tick", "shop.clock", [arn])
    assert e["detail"]["n"] == 1 and e["detail"]["due"] == e["time"]
    code, _ = code_of(sch.create_schedule, Name="to-bus", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                      Target=target(bus, Input="{}"))
    assert code == "ValidationException"  # a bus target needs EventBridgeParameters


def test_a_failing_target_reaches_its_dead_letter_queue(server):
    sch, sqs = scheduler_client(server.endpoint), sqs_client(server.endpoint)
    dlq = sqs.create_queue(QueueName="sch-dlq")["QueueUrl"]
    arn = sch.create_schedule(Name="to-nowhere", ScheduleExpression=at_in(sch, 60), FlexibleTimeWindow=OFF,
                              Target=target(qarn("sch-no-such-queue"), Input="lost <aws.scheduler.execution-id>",
                                            RetryPolicy={"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
                                            DeadLetterConfig={"Arn": qarn("sch-dlq")}))["ScheduleArn"]
    m = receive(sqs, dlq, 1, timeout=30)[0]
    attrs = {k: v["StringValue"] for k, v in m["MessageAttributes"].items()}
    assert attrs["SCHEDULE_ARN"] == arn, attrs
    assert attrs["TARGET_ARN"] == qarn("sch-no-such-queue")
    assert m["Body"] == "lost " + attrs["EXECUTION_ID"]
    assert attrs["ERROR_CODE"] and attrs["ERROR_MESSAGE"]
    sch.delete_schedule(Name="to-nowhere")


def test_nimbus_schedules_ls_lists_them(server):
    sch = scheduler_client(server.endpoint)
    sch.create_schedule(Name="listed", ScheduleExpression="cron(0 9 ? * MON-FRI *)",
                        ScheduleExpressionTimezone="America/New_York", FlexibleTimeWindow=OFF,
                        Target=target(qarn("q")))
    r = subprocess.run([nimbus_bin(), "schedules", "ls"], capture_output=True, text=True,
                       env=client_env({"NIMBUS_ENDPOINT": server.endpoint}), timeout=30)
    sch.delete_schedule(Name="listed")
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stdout.splitlines() if "schedule/default/listed" in l][0]
    assert line.startswith("schedule ") and "cron(0 9 ? * MON-FRI *) America/New_York" in line, r.stdout
    fires = line.split()[-3:]
    assert len(fires) == 3 and all(f.endswith("Z") for f in fires), line
    # 09:00 in New York is 13:00 or 14:00 UTC.
    assert all(f[11:16] in ("13:00", "14:00") for f in fires), line


def test_the_newer_boto3_and_action_after_completion(server):
    r = run_modern_python(textwrap.dedent('''
        import json, sys, time, datetime, boto3
        kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test")
        sch, sqs = boto3.client("scheduler", **kw), boto3.client("sqs", **kw)
        url = sqs.create_queue(QueueName="sch-modern")["QueueUrl"]
        target = {"Arn": "arn:aws:sqs:us-east-1:000000000000:sch-modern",
                  "RoleArn": "arn:aws:iam::000000000000:role/scheduler", "Input": "<aws.scheduler.scheduled-time>"}
        sch.create_schedule(Name="modern-clock", ScheduleExpression="rate(7 days)", FlexibleTimeWindow={"Mode": "OFF"},
                            Target=target, State="DISABLED")
        now = sch.get_schedule(Name="modern-clock")["CreationDate"]
        sch.delete_schedule(Name="modern-clock")
        at = (now + datetime.timedelta(seconds=61)).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        sch.create_schedule(Name="modern-once", ScheduleExpression=f"at({at})", FlexibleTimeWindow={"Mode": "OFF"},
                            ActionAfterCompletion="DELETE", Target=target)
        assert sch.get_schedule(Name="modern-once")["ActionAfterCompletion"] == "DELETE"
        m = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=15)["Messages"][0]
        assert m["Body"] == at + "Z", m["Body"]
        for _ in range(100):
            try:
                sch.get_schedule(Name="modern-once")
            except sch.exceptions.ResourceNotFoundException:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the completed schedule is still there")
        print("ok")
    '''), server.endpoint)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_the_aws_clis(server, cli):
    if cli is None:
        pytest.skip("no AWS CLI on this machine")
    tag = "deb" if cli == "/usr/bin/aws" else "path"

    def aws(*args):
        r = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", "scheduler", *args],
                           env=client_env(), capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else {}

    sqs = sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName=f"sch-cli-{tag}")["QueueUrl"]
    aws("create-schedule-group", "--name", f"cli-{tag}")
    arn = aws("create-schedule", "--name", f"cli-{tag}", "--group-name", f"cli-{tag}",
              "--schedule-expression", "rate(1 minute)", "--flexible-time-window", '{"Mode": "OFF"}',
              "--target", json.dumps(target(qarn(f"sch-cli-{tag}"), Input=f"from the {tag} cli")))["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/cli-{tag}/cli-{tag}"
    got = aws("get-schedule", "--name", f"cli-{tag}", "--group-name", f"cli-{tag}")
    assert got["ScheduleExpression"] == "rate(1 minute)" and got["Target"]["Input"] == f"from the {tag} cli"
    assert receive(sqs, url, 1)[0]["Body"] == f"from the {tag} cli"
    names = [s["Name"] for s in aws("list-schedules", "--group-name", f"cli-{tag}")["Schedules"]]
    assert names == [f"cli-{tag}"]
    aws("delete-schedule", "--name", f"cli-{tag}", "--group-name", f"cli-{tag}")
    aws("delete-schedule-group", "--name", f"cli-{tag}")
    r = subprocess.run([cli, "--endpoint-url", server.endpoint, "scheduler", "get-schedule-group", "--name",
                        f"cli-{tag}"], env=client_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr, r.stderr
