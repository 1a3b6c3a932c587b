"""SQS against a real nimbus with every client on this machine, in both wire
protocols: boto3 1.26 (/usr/bin/python3) and Debian's AWS CLI 2.9
(/usr/bin/aws) speak query (form bodies, XML answers); the python3 and `aws`
on PATH (botocore >= 1.34.90) speak JSON 1.0. Each scenario runs in a client
process of each kind and asserts inside it, so the exception classes
botocore raises (QueueDoesNotExist, ...) are checked in both protocols.

The semantics checked are the ones emulators get wrong: long polls woken by
a send, a delay's end and a visibility timeout's end (long before the wait
ends), receipt handles after a message was received again, FIFO order and
deduplication after delete, MD5s against AWS's published example values, the
dead-letter queue after maxReceiveCount and the move back."""
import json
import subprocess
import textwrap

import pytest

from conftest import aws_clis, boto3_pythons, client_env, nimbus_bin

PRELUDE = textwrap.dedent('''
    import json, sys, threading, time, base64
    import boto3, botocore
    from botocore.config import Config
    ENDPOINT = sys.argv[1]
    sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    JSON = sqs.meta.service_model.protocol == "json"
    def raises(cls, fn, **kw):
        try:
            fn(**kw)
        except cls as e:
            return e.response["Error"]
        raise AssertionError("no %s from %s" % (cls.__name__, fn.__name__))
    def url(name):
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
''')


@pytest.fixture(params=boto3_pythons() or [None], ids=lambda p: "query-boto3" if p == "/usr/bin/python3" else "json-boto3")
def py(request):
    if request.param is None:
        pytest.skip("no boto3 on this machine")
    return request.param


def run_py(py, endpoint, body, prefix):
    """Runs PRELUDE + body in `py` with queue names prefixed (each client kind its own queues)."""
    env = {k: v for k, v in client_env().items() if not k.startswith("PYTHON")}
    script = PRELUDE + "P = %r\n" % prefix + textwrap.dedent(body)
    r = subprocess.run([py, "-c", script, endpoint], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, f"{py}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def prefix_of(py):
    return "q" if py == "/usr/bin/python3" else "j"


def test_protocol_of_each_client(shared_nimbus, py):
    out = run_py(py, shared_nimbus.endpoint, 'print(sqs.meta.service_model.protocol)', prefix_of(py))
    assert out.strip() == ("query" if py == "/usr/bin/python3" else "json")


def test_queues_attributes_tags_and_errors(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        u = sqs.create_queue(QueueName=P + "-basic", Attributes={"VisibilityTimeout": "45"}, tags={"team": "a"})["QueueUrl"]
        assert u.endswith("/000000000000/" + P + "-basic"), u
        assert sqs.create_queue(QueueName=P + "-basic", Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == u
        e = raises(sqs.exceptions.QueueNameExists, sqs.create_queue, QueueName=P + "-basic",
                   Attributes={"VisibilityTimeout": "46"})
        assert e["Code"] == "QueueAlreadyExists", e
        assert url(P + "-basic") == u
        e = raises(sqs.exceptions.QueueDoesNotExist, sqs.get_queue_url, QueueName=P + "-none")
        assert e["Code"] == "AWS.SimpleQueueService.NonExistentQueue", e
        a = sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"]
        assert a["VisibilityTimeout"] == "45" and a["QueueArn"].endswith(":" + P + "-basic"), a
        for k in ("ApproximateNumberOfMessages", "CreatedTimestamp", "MessageRetentionPeriod", "MaximumMessageSize",
                  "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "ApproximateNumberOfMessagesNotVisible"):
            assert k in a, k
        assert "FifoQueue" not in a
        sqs.set_queue_attributes(QueueUrl=u, Attributes={"DelaySeconds": "1", "MessageRetentionPeriod": "120"})
        a = sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["DelaySeconds", "MessageRetentionPeriod"])["Attributes"]
        assert a == {"DelaySeconds": "1", "MessageRetentionPeriod": "120"}, a
        e = raises(botocore.exceptions.ClientError, sqs.set_queue_attributes, QueueUrl=u,
                   Attributes={"VisibilityTimeout": "99999"})
        assert e["Code"] == "InvalidAttributeValue", e
        e = raises(botocore.exceptions.ClientError, sqs.get_queue_attributes, QueueUrl=u, AttributeNames=["Nope"])
        assert e["Code"] == "InvalidAttributeName", e
        e = raises(botocore.exceptions.ClientError, sqs.create_queue, QueueName="bad name!")
        assert e["Code"] == "InvalidParameterValue", e
        sqs.tag_queue(QueueUrl=u, Tags={"env": "dev"})
        assert sqs.list_queue_tags(QueueUrl=u)["Tags"] == {"team": "a", "env": "dev"}
        sqs.untag_queue(QueueUrl=u, TagKeys=["team"])
        assert sqs.list_queue_tags(QueueUrl=u)["Tags"] == {"env": "dev"}
        for i in range(3):
            sqs.create_queue(QueueName="%s-page-%d" % (P, i))
        assert len(sqs.list_queues(QueueNamePrefix=P + "-page-")["QueueUrls"]) == 3
        first = sqs.list_queues(QueueNamePrefix=P + "-page-", MaxResults=2)
        assert len(first["QueueUrls"]) == 2 and first["NextToken"], first
        rest = sqs.list_queues(QueueNamePrefix=P + "-page-", MaxResults=2, NextToken=first["NextToken"])
        assert len(rest["QueueUrls"]) == 1 and "NextToken" not in rest, rest
        # The QueueUrl forms LocalStack accepts name the same queue.
        port = ENDPOINT.rsplit(":", 1)[1]
        for form in ("http://sqs.us-east-1.localhost.localstack.cloud:%s/000000000000/%s-basic" % (port, P),
                     "http://localhost:%s/queue/us-east-1/000000000000/%s-basic" % (port, P)):
            assert sqs.get_queue_attributes(QueueUrl=form, AttributeNames=["QueueArn"])["Attributes"]
        sqs.delete_queue(QueueUrl=u)
        raises(sqs.exceptions.QueueDoesNotExist, sqs.send_message, QueueUrl=u, MessageBody="x")
    ''', prefix_of(py))


def test_messages_md5s_attributes_and_batches(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        u = sqs.create_queue(QueueName=P + "-msg")["QueueUrl"]
        attrs = {"attribName1": {"DataType": "String", "StringValue": "attribValue 1"},
                 "customNumberTypeAttrib": {"DataType": "Number.float", "StringValue": "4563442423554324324264524243.32543234"},
                 "binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}}
        r = sqs.send_message(QueueUrl=u, MessageBody="hello", MessageAttributes=attrs,
                             MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String",
                                 "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}})
        assert r["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592", r
        assert r["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff", r  # AWS's published example
        assert len(r["MD5OfMessageSystemAttributes"]) == 32
        got = sqs.receive_message(QueueUrl=u, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
        m = got[0]
        assert m["Body"] == "hello" and m["MD5OfBody"] == r["MD5OfMessageBody"]
        assert m["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff"
        assert m["MessageAttributes"]["binaryAttribute"]["BinaryValue"] == b"Hello binary world!"
        a = m["Attributes"]
        assert a["ApproximateReceiveCount"] == "1" and a["AWSTraceHeader"].startswith("Root=1-5759e988"), a
        for k in ("SentTimestamp", "ApproximateFirstReceiveTimestamp", "SenderId"):
            assert k in a, k
        sqs.change_message_visibility(QueueUrl=u, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        only = sqs.receive_message(QueueUrl=u, MessageAttributeNames=["attrib*", "binary.*"], AttributeNames=["SenderId"])
        only = only["Messages"][0]
        assert set(only.get("MessageAttributes", {})) == set(), only  # "attrib*" is not a prefix filter; binary.* none
        assert set(only["Attributes"]) == {"SenderId"}
        sqs.change_message_visibility(QueueUrl=u, ReceiptHandle=only["ReceiptHandle"], VisibilityTimeout=0)
        one = sqs.receive_message(QueueUrl=u, MessageAttributeNames=["attribName1"])["Messages"][0]
        assert one["MD5OfMessageAttributes"] == "19e27d4e946b072f3f58da80d94fd778", one  # of what is returned
        sqs.delete_message(QueueUrl=u, ReceiptHandle=one["ReceiptHandle"])
        e = raises(botocore.exceptions.ClientError, sqs.send_message, QueueUrl=u, MessageBody="a\\u0000b")
        assert e["Code"] == "InvalidMessageContents", e
        e = raises(botocore.exceptions.ClientError, sqs.send_message, QueueUrl=u, MessageBody="x",
                   MessageAttributes={"AWS.x": {"DataType": "String", "StringValue": "v"}})
        assert e["Code"] == "InvalidParameterValue", e
        e = raises(botocore.exceptions.ClientError, sqs.send_message, QueueUrl=u, MessageBody="x" * (1024 * 1024 + 1))
        assert e["Code"] == "InvalidParameterValue", e
        # Batches: each entry on its own; the batch refused only for its shape.
        b = sqs.send_message_batch(QueueUrl=u, Entries=[
            {"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two", "DelaySeconds": 1},
            {"Id": "c", "MessageBody": "x", "DelaySeconds": 901}])
        assert sorted(e["Id"] for e in b["Successful"]) == ["a", "b"], b
        assert b["Failed"][0]["Id"] == "c" and b["Failed"][0]["SenderFault"] and b["Failed"][0]["Code"] == "InvalidParameterValue", b
        raises(sqs.exceptions.BatchEntryIdsNotDistinct, sqs.send_message_batch, QueueUrl=u,
               Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
        raises(sqs.exceptions.TooManyEntriesInBatchRequest, sqs.send_message_batch, QueueUrl=u,
               Entries=[{"Id": str(i), "MessageBody": "1"} for i in range(11)])
        raises(sqs.exceptions.InvalidBatchEntryId, sqs.send_message_batch, QueueUrl=u, Entries=[{"Id": "a b", "MessageBody": "1"}])
        raises(sqs.exceptions.EmptyBatchRequest, sqs.delete_message_batch, QueueUrl=u, Entries=[])
        got = sqs.receive_message(QueueUrl=u, MaxNumberOfMessages=10, WaitTimeSeconds=5)["Messages"]
        handles = [{"Id": "m%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        c = sqs.change_message_visibility_batch(QueueUrl=u, Entries=[dict(h, VisibilityTimeout=60) for h in handles] +
                                                [{"Id": "bad", "ReceiptHandle": "nope", "VisibilityTimeout": 5}])
        assert len(c["Successful"]) == len(handles) and c["Failed"][0]["Code"] == "ReceiptHandleIsInvalid", c
        d = sqs.delete_message_batch(QueueUrl=u, Entries=handles)
        assert len(d["Successful"]) == len(handles) and not d.get("Failed"), d
        e = raises(sqs.exceptions.ReceiptHandleIsInvalid, sqs.delete_message, QueueUrl=u, ReceiptHandle="garbage")
        sqs.send_message(QueueUrl=u, MessageBody="purge me")
        sqs.purge_queue(QueueUrl=u)
        raises(sqs.exceptions.PurgeQueueInProgress, sqs.purge_queue, QueueUrl=u)
        assert sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == \\
            {"ApproximateNumberOfMessages": "0"}
    ''', prefix_of(py))


def test_long_polls_wake_on_send_delay_end_and_visibility_end(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        u = sqs.create_queue(QueueName=P + "-poll")["QueueUrl"]
        def later(seconds, fn):
            t = threading.Timer(seconds, fn)
            t.start()
            return t
        # A send while a 10 s poll waits.
        t = later(0.5, lambda: sqs.send_message(QueueUrl=u, MessageBody="woken"))
        start = time.time()
        got = sqs.receive_message(QueueUrl=u, WaitTimeSeconds=10)["Messages"]
        took = time.time() - start
        t.join()
        assert got[0]["Body"] == "woken" and took < 8, took
        # A delay ending while a poll waits (no write happens then).
        sqs.delete_message(QueueUrl=u, ReceiptHandle=got[0]["ReceiptHandle"])
        sqs.send_message(QueueUrl=u, MessageBody="delayed", DelaySeconds=1)
        start = time.time()
        got = sqs.receive_message(QueueUrl=u, WaitTimeSeconds=10, VisibilityTimeout=1)["Messages"]
        assert got[0]["Body"] == "delayed" and time.time() - start < 8
        # A visibility timeout ending while a poll waits: the message again, counted twice.
        start = time.time()
        again = sqs.receive_message(QueueUrl=u, WaitTimeSeconds=10, AttributeNames=["All"])["Messages"]
        assert again[0]["Body"] == "delayed" and time.time() - start < 8
        assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
        # An empty queue's short poll answers at once, with no Messages member.
        sqs.delete_message(QueueUrl=u, ReceiptHandle=again[0]["ReceiptHandle"])
        assert "Messages" not in sqs.receive_message(QueueUrl=u)
        e = raises(botocore.exceptions.ClientError, sqs.receive_message, QueueUrl=u, WaitTimeSeconds=21)
        assert e["Code"] == "InvalidParameterValue", e
    ''', prefix_of(py))


def test_receipt_handles_after_re_receipt(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        u = sqs.create_queue(QueueName=P + "-receipts")["QueueUrl"]
        sqs.send_message(QueueUrl=u, MessageBody="m")
        first = sqs.receive_message(QueueUrl=u, VisibilityTimeout=1)["Messages"][0]
        second = sqs.receive_message(QueueUrl=u, WaitTimeSeconds=5, VisibilityTimeout=30)["Messages"][0]
        assert first["ReceiptHandle"] != second["ReceiptHandle"]
        assert first["MessageId"] == second["MessageId"]
        # The old handle can no longer change the visibility...
        e = raises(botocore.exceptions.ClientError, sqs.change_message_visibility, QueueUrl=u,
                   ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=10)
        assert e["Code"] == "InvalidParameterValue", e
        sqs.change_message_visibility(QueueUrl=u, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=10)
        # ...but deletes (standard queues, as AWS does), and a second delete succeeds too.
        sqs.delete_message(QueueUrl=u, ReceiptHandle=first["ReceiptHandle"])
        sqs.delete_message(QueueUrl=u, ReceiptHandle=second["ReceiptHandle"])
        a = sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"]
        assert a["ApproximateNumberOfMessages"] == "0" and a["ApproximateNumberOfMessagesNotVisible"] == "0", a
    ''', prefix_of(py))


def test_fifo_order_groups_and_dedup_after_delete(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        u = sqs.create_queue(QueueName=P + "-f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        seqs = []
        for i in range(4):
            r = sqs.send_message(QueueUrl=u, MessageBody="a%d" % i, MessageGroupId="A", MessageDeduplicationId="a%d" % i)
            seqs.append(int(r["SequenceNumber"]))
            assert len(r["SequenceNumber"]) == 20
        sqs.send_message(QueueUrl=u, MessageBody="b0", MessageGroupId="B", MessageDeduplicationId="b0")
        assert seqs == sorted(seqs) and len(set(seqs)) == 4
        got = sqs.receive_message(QueueUrl=u, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
        assert [m["Body"] for m in got] == ["a0", "a1"], got
        assert got[0]["Attributes"]["MessageGroupId"] == "A" and got[0]["Attributes"]["MessageDeduplicationId"] == "a0"
        # Group A is in flight: only B's message now.
        more = sqs.receive_message(QueueUrl=u, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in more] == ["b0"], more
        for m in got:
            sqs.delete_message(QueueUrl=u, ReceiptHandle=m["ReceiptHandle"])
        # Deduplicated for 5 minutes, after the delete too.
        dup = sqs.send_message(QueueUrl=u, MessageBody="a0 again", MessageGroupId="A", MessageDeduplicationId="a0")
        rest = sqs.receive_message(QueueUrl=u, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        assert [m["Body"] for m in rest] == ["a2", "a3"], rest
        e = raises(botocore.exceptions.ClientError, sqs.send_message, QueueUrl=u, MessageBody="x", MessageGroupId="A")
        assert e["Code"] == "InvalidParameterValue", e  # no dedup id and no content-based deduplication
        raises(botocore.exceptions.ClientError, sqs.send_message, QueueUrl=u, MessageBody="x", MessageDeduplicationId="d")
        # Content-based deduplication, scoped per group.
        c = sqs.create_queue(QueueName=P + "-cbd.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true",
                             "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
        x1 = sqs.send_message(QueueUrl=c, MessageBody="same", MessageGroupId="g1")
        x2 = sqs.send_message(QueueUrl=c, MessageBody="same", MessageGroupId="g1")
        y = sqs.send_message(QueueUrl=c, MessageBody="same", MessageGroupId="g2")
        assert x1["MessageId"] == x2["MessageId"] and y["MessageId"] != x1["MessageId"]
        bodies = sqs.receive_message(QueueUrl=c, MaxNumberOfMessages=10)["Messages"]
        assert len(bodies) == 2, bodies
        # A receive retried with its ReceiveRequestAttemptId gets the same messages and handles.
        sqs.send_message(QueueUrl=c, MessageBody="retry me", MessageGroupId="g3")
        r1 = sqs.receive_message(QueueUrl=c, ReceiveRequestAttemptId="try-1", MaxNumberOfMessages=10)["Messages"]
        r2 = sqs.receive_message(QueueUrl=c, ReceiveRequestAttemptId="try-1", MaxNumberOfMessages=10)["Messages"]
        assert [m["ReceiptHandle"] for m in r1] == [m["ReceiptHandle"] for m in r2] and r1[0]["Body"] == "retry me", (r1, r2)
        e = raises(botocore.exceptions.ClientError, sqs.create_queue, QueueName=P + "-nofifo", Attributes={"FifoQueue": "true"})
        assert e["Code"] == "InvalidParameterValue", e
    ''', prefix_of(py))


def test_dead_letter_queue_and_move_back(shared_nimbus, py):
    run_py(py, shared_nimbus.endpoint, '''
        dlq = sqs.create_queue(QueueName=P + "-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = sqs.create_queue(QueueName=P + "-src", Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
        assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
        sqs.send_message(QueueUrl=src, MessageBody="poison")
        for _ in range(2):
            m = sqs.receive_message(QueueUrl=src, WaitTimeSeconds=5)["Messages"][0]
            sqs.change_message_visibility(QueueUrl=src, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        assert "Messages" not in sqs.receive_message(QueueUrl=src)  # the third receive moves it instead
        dead = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5, AttributeNames=["All"], VisibilityTimeout=0)["Messages"][0]
        assert dead["Body"] == "poison"
        if JSON:
            assert dead["Attributes"]["DeadLetterQueueSourceArn"].endswith(":" + P + "-src")
            h = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=50)["TaskHandle"]
            for _ in range(50):
                tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
                if tasks[0]["Status"] == "COMPLETED":
                    break
                time.sleep(0.1)
            assert tasks[0]["Status"] == "COMPLETED" and tasks[0]["ApproximateNumberOfMessagesMoved"] == 1, tasks
            e = raises(botocore.exceptions.ClientError, sqs.cancel_message_move_task, TaskHandle=h)
            back = sqs.receive_message(QueueUrl=src, WaitTimeSeconds=5)["Messages"]
            assert back[0]["Body"] == "poison"
            e = raises(botocore.exceptions.ClientError, sqs.start_message_move_task, SourceArn=sqs.get_queue_attributes(
                QueueUrl=src, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
            assert e["Code"] == "InvalidParameterValue", e  # not a dead-letter queue
    ''', prefix_of(py))


def run_cli(cli, endpoint, *args):
    return subprocess.run([cli, "--endpoint-url", endpoint, "--output", "json", "sqs", *args], env=client_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(params=aws_clis() or [None], ids=lambda c: "query-cli" if c == "/usr/bin/aws" else "json-cli")
def cli(request):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return request.param


def test_cli_round_trip(shared_nimbus, cli):
    name = "cli-" + ("q" if cli == "/usr/bin/aws" else "j")
    r = run_cli(cli, shared_nimbus.endpoint, "create-queue", "--queue-name", name)
    assert r.returncode == 0, r.stderr
    url = json.loads(r.stdout)["QueueUrl"]
    r = run_cli(cli, shared_nimbus.endpoint, "send-message", "--queue-url", url, "--message-body", "hi",
                "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["MD5OfMessageBody"] == "49f68a5c8493ec2c0bf489821c21fc3b"
    r = run_cli(cli, shared_nimbus.endpoint, "receive-message", "--queue-url", url, "--message-attribute-names", "All",
                "--wait-time-seconds", "2")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)["Messages"][0]
    assert m["Body"] == "hi" and m["MessageAttributes"]["k"]["StringValue"] == "v"
    r = run_cli(cli, shared_nimbus.endpoint, "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
    assert r.returncode == 0, r.stderr
    r = run_cli(cli, shared_nimbus.endpoint, "list-queues", "--queue-name-prefix", name)
    assert json.loads(r.stdout)["QueueUrls"] == [url]
    r = run_cli(cli, shared_nimbus.endpoint, "get-queue-url", "--queue-name", "nope")
    assert r.returncode != 0
    assert "NonExistentQueue" in r.stderr or "QueueDoesNotExist" in r.stderr, r.stderr
    r = run_cli(cli, shared_nimbus.endpoint, "delete-queue", "--queue-url", url)
    assert r.returncode == 0, r.stderr


def test_nimbus_queues_ls_peek_redrive(shared_nimbus):
    import boto3
    from botocore.config import Config
    sqs = boto3.client("sqs", endpoint_url=shared_nimbus.endpoint, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    sqs.create_queue(QueueName="cmd-dlq")
    src = sqs.create_queue(QueueName="cmd-src", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:cmd-dlq", "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=src, MessageBody="first body")
    sqs.send_message(QueueUrl=src, MessageBody="second body")
    m = sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=1, VisibilityTimeout=0)["Messages"][0]
    env = client_env({"NIMBUS_ENDPOINT": shared_nimbus.endpoint})

    def nimbus(*args):
        r = subprocess.run([nimbus_bin(), *args], env=env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout

    peek = nimbus("queues", "peek", "cmd-src")
    assert "first body" in peek and "second body" in peek, peek
    again = sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"])
    counts = sorted(x["Attributes"]["ApproximateReceiveCount"] for x in again.get("Messages", []))
    assert counts == ["1"], counts  # peek received nothing; the first message moved to the DLQ instead
    line = [l for l in nimbus("queues", "ls").splitlines() if l.startswith("cmd-src ")][0]
    assert "cmd-dlq" in line, line
    assert "moved 1 messages" in nimbus("queues", "redrive", "cmd-dlq")
    r = subprocess.run([nimbus_bin(), "queues", "redrive", "cmd-src"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "not a dead-letter queue" in r.stderr, r.stderr
    assert m["Body"] in nimbus("queues", "peek", "cmd-src")
