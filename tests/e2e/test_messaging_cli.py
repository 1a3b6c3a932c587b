"""Every SQS, SNS, event source mapping and function event invoke config
operation nimbus serves, driven with each AWS CLI on this machine.

The two CLIs serialize differently: Debian's AWS CLI 2.9 (/usr/bin/aws)
speaks SQS's query protocol (form bodies, XML answers), the `aws` on PATH
(AWS CLI v1, botocore 1.43) SQS's JSON 1.0 protocol; both speak query to SNS
and REST-JSON to Lambda. boto3 is covered by test_sqs.py, test_sns.py,
test_event_source_mappings.py and test_lambda_destinations.py; what the CLIs
add is their own shorthand and JSON argument parsing, their blob handling,
their pagination and their error printing, so every operation goes through
them here, and what each answers is checked for values: attributes read back,
MD5s computed as AWS computes them, messages arriving where they should (a
queue fed by a topic, a function fed by a mapping, an async invocation's
destination records), and AWS's error codes, refusals included.

Each CLI runs against one shared server under its own name prefix. One CLI
process costs about half a second of CPU, so waits are long polls, not sleeps,
and independent calls (and independent parts of a test: a standard and a FIFO
topic, a mapping and asynchronous invocations) run at once."""
import base64
import hashlib
import json
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import aws_clis, client_env, python_zip

ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
ERROR = re.compile(r"An error occurred \(([^)]+)\) when calling the (\w+) operation: (.*)")


def qarn(name):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def tarn(name):
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"


def md5(data):
    return hashlib.md5(data if isinstance(data, bytes) else data.encode()).hexdigest()


def attributes_md5(attributes):
    """MD5OfMessageAttributes as SQS computes it: {name: (data type, str or bytes)}."""
    h = hashlib.md5()
    for name in sorted(attributes):
        data_type, value = attributes[name]
        for part in (name.encode(), data_type.encode()):
            h.update(len(part).to_bytes(4, "big") + part)
        if data_type.startswith("Binary"):
            h.update(b"\x02")
        else:
            h.update(b"\x01")
            value = value.encode()
        h.update(len(value).to_bytes(4, "big") + value)
    return h.hexdigest()


def parallel(*calls):
    """Runs independent CLI calls (functions of no arguments) at once: their results, in order.
    Each CLI process spends most of its half second starting, so this is where the time goes."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(c) for c in calls]]


class Cli:
    """One AWS CLI pointed at the server, with `ok` (the answer's JSON) and `fails` (AWS's code, message)."""

    def __init__(self, path, endpoint, prefix):
        self.endpoint, self.prefix = endpoint, prefix
        self.path = path
        self.sqs_query = path == "/usr/bin/aws"  # Debian's CLI 2.9; the one on PATH speaks JSON to SQS
        if "/shims/" in path:
            # pyenv's shim is a shell script that looks up the version on every call; the script
            # it would run is the same CLI, without that tenth of a second.
            r = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True, env=client_env())
            if r.returncode == 0 and r.stdout.strip():
                self.path = r.stdout.strip()
        version = subprocess.run([self.path, "--version"], capture_output=True, text=True, env=client_env())
        self.v2 = "aws-cli/2." in version.stdout + version.stderr
        self.base = f"{endpoint}/{ACCOUNT}/"

    def run(self, *args):
        return subprocess.run([self.path, "--endpoint-url", self.endpoint, "--output", "json", *args],
                              env=client_env(), capture_output=True, text=True, timeout=120)

    def ok(self, *args):
        r = self.run(*args)
        assert r.returncode == 0, f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def fails(self, *args):
        r = self.run(*args)
        assert r.returncode != 0, f"{' '.join(args)} succeeded:\n{r.stdout}"
        m = ERROR.search(r.stderr)
        assert m, r.stderr
        return m.group(1), m.group(3).strip()

    def name(self, base):
        return self.prefix + base

    def url(self, base):
        return self.base + self.prefix + base

    def queue(self, base, *args):
        """Creates the queue self.name(base) (args: --attributes, --tags), checks its URL, returns it."""
        url = self.ok("sqs", "create-queue", "--queue-name", self.name(base), *args)["QueueUrl"]
        assert url == self.url(base), url
        return url

    def receive(self, url, want, *args, wait=10):
        """Long-polls url until `want` messages arrived (kept in flight, not deleted), their list."""
        got, deadline = [], time.monotonic() + wait * 3
        while len(got) < want and time.monotonic() < deadline:
            r = self.ok("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages",
                        str(min(10, want - len(got))), "--wait-time-seconds", str(wait), "--visibility-timeout", "60",
                        *args)
            got += r.get("Messages", [])
        assert len(got) == want, f"{len(got)} of {want} messages in {url}: {got}"
        return got


@pytest.fixture(params=aws_clis() or [None], ids=lambda c: c and ("query-cli" if c == "/usr/bin/aws" else "json-cli"))
def cli(request, shared_nimbus):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return Cli(request.param, shared_nimbus.endpoint, "mq-" if request.param == "/usr/bin/aws" else "mj-")


def test_sqs_queues_attributes_tags_and_refusals(cli):
    now = time.time()
    url = cli.queue("orders", "--attributes", "VisibilityTimeout=40,DelaySeconds=1,MaximumMessageSize=2048",
                    "--tags", "team=a,env=dev")
    # The same name and attributes is the same queue; other attributes are QueueAlreadyExists.
    # FIFO name rules: a .fifo name needs FifoQueue=true, and FifoQueue=true a .fifo name.
    same, differs, dotted, unnamed, fifo, got_url, missing, *pages = parallel(
        lambda: cli.queue("orders", "--attributes", "VisibilityTimeout=40"),
        lambda: cli.fails("sqs", "create-queue", "--queue-name", cli.name("orders"), "--attributes",
                          "VisibilityTimeout=41"),
        lambda: cli.fails("sqs", "create-queue", "--queue-name", cli.name("odd.fifo")),
        lambda: cli.fails("sqs", "create-queue", "--queue-name", cli.name("odd"), "--attributes", "FifoQueue=true"),
        lambda: cli.queue("orders.fifo", "--attributes",
                          "FifoQueue=true,ContentBasedDeduplication=true,DeduplicationScope=messageGroup,"
                          "FifoThroughputLimit=perMessageGroupId"),
        lambda: cli.ok("sqs", "get-queue-url", "--queue-name", cli.name("orders")),
        lambda: cli.fails("sqs", "get-queue-url", "--queue-name", cli.name("nope")),
        *[lambda i=i: cli.queue(f"page-{i}") for i in range(3)])
    assert same == url
    assert differs == ("QueueAlreadyExists", "A queue already exists with the same name and a different value for "
                                             "attribute VisibilityTimeout"), differs
    assert dotted[0] == "InvalidParameterValue" and "alphanumeric characters, hyphens, or underscores" in dotted[1]
    assert unnamed[0] == "InvalidParameterValue" and "must end with .fifo suffix" in unnamed[1], unnamed
    assert got_url["QueueUrl"] == url
    assert missing == ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."), missing

    # Listing: a prefix, pages of --max-results with their NextToken, and the CLI's own paging
    # (--page-size: it follows the tokens). Reading attributes, all or by name; refusals.
    # AddPermission and RemovePermission are not served (nimbus has no IAM): the operation is
    # unknown, in each protocol's words (query InvalidAction, JSON UnknownOperationException).
    unknown = "InvalidAction" if cli.sqs_query else "UnknownOperationException"
    first, paged, prefixed, attrs, fifo_attrs, bad_name, too_long, kms, add, remove = parallel(
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("page-"), "--max-results", "2"),
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("page-"), "--page-size", "1"),
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("orders")),
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All"),
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", fifo, "--attribute-names", "FifoQueue",
                       "DeduplicationScope", "FifoThroughputLimit", "ContentBasedDeduplication"),
        lambda: cli.fails("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "FifoQueue"),
        lambda: cli.fails("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "VisibilityTimeout=43201"),
        lambda: cli.fails("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "KmsMasterKeyId=k"),
        lambda: cli.fails("sqs", "add-permission", "--queue-url", url, "--label", "l", "--aws-account-ids",
                          "111122223333", "--actions", "SendMessage"),
        lambda: cli.fails("sqs", "remove-permission", "--queue-url", url, "--label", "l"))
    assert first["QueueUrls"] == pages[:2] and first["NextToken"], first
    assert paged["QueueUrls"] == pages, paged
    assert prefixed["QueueUrls"] == [url, fifo], prefixed
    attrs = attrs["Attributes"]
    assert {k: attrs[k] for k in ("VisibilityTimeout", "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
                                  "ReceiveMessageWaitTimeSeconds", "QueueArn", "ApproximateNumberOfMessages")} == {
        "VisibilityTimeout": "40", "DelaySeconds": "1", "MaximumMessageSize": "2048",
        "MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0", "QueueArn": qarn(cli.name("orders")),
        "ApproximateNumberOfMessages": "0"}, attrs
    assert abs(int(attrs["CreatedTimestamp"]) - now) < 60, attrs
    assert "FifoQueue" not in attrs and "RedrivePolicy" not in attrs, attrs
    assert fifo_attrs["Attributes"] == {"FifoQueue": "true", "DeduplicationScope": "messageGroup",
                                        "FifoThroughputLimit": "perMessageGroupId",
                                        "ContentBasedDeduplication": "true"}, fifo_attrs
    assert bad_name == ("InvalidAttributeName", "Unknown Attribute FifoQueue."), bad_name
    assert too_long[0] == "InvalidAttributeValue", too_long
    assert kms[0] == "InvalidAttributeValue" and "KMS" in kms[1], kms
    assert add == (unknown, "nimbus does not implement AddPermission yet"), add
    assert remove == (unknown, "nimbus does not implement RemovePermission yet"), remove

    rest, *_ = parallel(
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("page-"), "--max-results", "2",
                       "--next-token", first["NextToken"]),
        lambda: cli.ok("sqs", "set-queue-attributes", "--queue-url", url, "--attributes",
                       "VisibilityTimeout=5,ReceiveMessageWaitTimeSeconds=2,MessageRetentionPeriod=600"),
        lambda: cli.ok("sqs", "tag-queue", "--queue-url", url, "--tags", "cost=7,team=b"))
    assert rest["QueueUrls"] == pages[2:] and "NextToken" not in rest, rest
    cli.ok("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "env")
    attrs, tags = parallel(
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "VisibilityTimeout",
                       "ReceiveMessageWaitTimeSeconds", "MessageRetentionPeriod"),
        lambda: cli.ok("sqs", "list-queue-tags", "--queue-url", url))
    assert attrs["Attributes"] == {"VisibilityTimeout": "5", "ReceiveMessageWaitTimeSeconds": "2",
                                   "MessageRetentionPeriod": "600"}, attrs
    assert tags["Tags"] == {"team": "b", "cost": "7"}, tags

    parallel(*[lambda u=u: cli.ok("sqs", "delete-queue", "--queue-url", u) for u in [url, fifo, *pages]])
    orders, paged, gone = parallel(
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("orders")),
        lambda: cli.ok("sqs", "list-queues", "--queue-name-prefix", cli.name("page-")),
        lambda: cli.fails("sqs", "get-queue-attributes", "--queue-url", url))
    assert orders.get("QueueUrls", []) == [] and paged.get("QueueUrls", []) == [], (orders, paged)
    assert gone[0] == "AWS.SimpleQueueService.NonExistentQueue", gone


def test_sqs_messages_batches_visibility_and_fifo(cli):
    # Three queues, side by side: one message's attributes and delay, batches, and FIFO.
    parallel(lambda: one_message(cli), lambda: batches_and_visibility(cli), lambda: fifo_messages(cli))


def one_message(cli):
    url = cli.queue("msgs")
    # What each CLI sends for a Binary attribute: AWS CLI 2 reads a blob argument as base64,
    # AWS CLI 1 sends the text's bytes as they are (a CLI difference, not nimbus's).
    binary = base64.b64decode("AAE=") if cli.v2 else b"AAE="
    message_attributes = {"n": {"DataType": "Number", "StringValue": "5"},
                          "s": {"DataType": "String.custom", "StringValue": "x"},
                          "b": {"DataType": "Binary", "BinaryValue": "AAE="}}
    before_send = time.monotonic()  # the delay runs from a moment after this one
    sent = cli.ok("sqs", "send-message", "--queue-url", url, "--message-body", "hello", "--delay-seconds", "3",
                  "--message-attributes", json.dumps(message_attributes), "--message-system-attributes",
                  json.dumps({"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}))
    assert sent["MD5OfMessageBody"] == md5("hello"), sent
    assert sent["MD5OfMessageAttributes"] == attributes_md5(
        {"n": ("Number", "5"), "s": ("String.custom", "x"), "b": ("Binary", binary)}), sent
    assert sent["MD5OfMessageSystemAttributes"] == attributes_md5({"AWSTraceHeader": ("String", TRACE)}), sent
    attrs = cli.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
                   "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed")["Attributes"]
    if time.monotonic() - before_send < 2.9:  # so still delayed when read (a loaded machine may be slower)
        assert attrs == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesDelayed": "1"}, attrs
    # A long poll returns the delayed message once its delay ends, not at the end of its wait.
    got = cli.ok("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "20", "--attribute-names", "All",
                 "--message-attribute-names", "All")["Messages"]
    assert 2.9 < time.monotonic() - before_send < 15
    m = got[0]
    assert len(got) == 1 and m["MessageId"] == sent["MessageId"] and m["Body"] == "hello", got
    assert m["MD5OfBody"] == md5("hello") and m["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"], m
    assert m["MessageAttributes"] == {
        "n": {"DataType": "Number", "StringValue": "5"}, "s": {"DataType": "String.custom", "StringValue": "x"},
        "b": {"DataType": "Binary", "BinaryValue": base64.b64encode(binary).decode()}}, m
    assert m["Attributes"]["AWSTraceHeader"] == TRACE and m["Attributes"]["ApproximateReceiveCount"] == "1", m
    assert {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(m["Attributes"]), m
    cli.ok("sqs", "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
    # Deleted, so not received again; purged (nothing to purge), and a second purge within 60 s refused.
    cli.ok("sqs", "purge-queue", "--queue-url", url)
    attrs, again = parallel(
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All"),
        lambda: cli.fails("sqs", "purge-queue", "--queue-url", url))
    attrs = attrs["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0"), attrs
    assert again == ("AWS.SimpleQueueService.PurgeQueueInProgress",
                     f"Only one PurgeQueue operation on {cli.name('msgs')} is allowed every 60 seconds."), again


def batches_and_visibility(cli):
    url = cli.queue("batches")
    # A batch: entries answered one by one, a bad one in Failed; whole-request errors.
    batch, same_ids, too_many = parallel(
        lambda: cli.ok("sqs", "send-message-batch", "--queue-url", url, "--entries", json.dumps([
            {"Id": "a", "MessageBody": "one"},
            {"Id": "b", "MessageBody": "two", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "c", "MessageBody": "three"},
            {"Id": "late", "MessageBody": "never", "DelaySeconds": 901}])),
        lambda: cli.fails("sqs", "send-message-batch", "--queue-url", url, "--entries", "Id=x,MessageBody=1",
                          "Id=x,MessageBody=2"),
        lambda: cli.fails("sqs", "send-message-batch", "--queue-url", url, "--entries",
                          *[f"Id=e{i},MessageBody={i}" for i in range(11)]))
    assert sorted(e["Id"] for e in batch["Successful"]) == ["a", "b", "c"], batch
    by_id = {e["Id"]: e for e in batch["Successful"]}
    assert by_id["b"]["MD5OfMessageBody"] == md5("two"), batch
    assert by_id["b"]["MD5OfMessageAttributes"] == attributes_md5({"k": ("String", "v")}), batch
    assert batch["Failed"] == [{"Id": "late", "SenderFault": True, "Code": "InvalidParameterValue",
                                "Message": "Value 901 for parameter DelaySeconds is invalid. Reason: must be between "
                                           "0 and 900, if provided."}], batch
    assert same_ids == ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id x repeated."), same_ids
    assert too_many[0] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", too_many

    # At most 2, then the rest; made visible again, two by a batch (with a bad handle failing
    # alone) and one singly; the next receive counts a second receive.
    two = cli.ok("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "2",
                 "--visibility-timeout", "60", "--message-attribute-names", "All")["Messages"]
    assert len(two) == 2, two
    rest = cli.receive(url, 1, "--attribute-names", "ApproximateReceiveCount")
    assert sorted(x["Body"] for x in two + rest) == ["one", "three", "two"]
    assert [x.get("MessageAttributes") for x in two + rest if x["Body"] == "two"] == [
        {"k": {"DataType": "String", "StringValue": "v"}}]
    changed, _, bad = parallel(
        lambda: cli.ok("sqs", "change-message-visibility-batch", "--queue-url", url, "--entries", json.dumps(
            [{"Id": f"m{i}", "ReceiptHandle": x["ReceiptHandle"], "VisibilityTimeout": 0} for i, x in enumerate(two)] +
            [{"Id": "bad", "ReceiptHandle": "nope", "VisibilityTimeout": 0}])),
        lambda: cli.ok("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle",
                       rest[0]["ReceiptHandle"], "--visibility-timeout", "0"),
        lambda: cli.fails("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", "nope",
                          "--visibility-timeout", "0"))
    assert sorted(e["Id"] for e in changed["Successful"]) == ["m0", "m1"], changed
    assert [(e["Id"], e["Code"]) for e in changed["Failed"]] == [("bad", "ReceiptHandleIsInvalid")], changed
    assert bad == ("ReceiptHandleIsInvalid", 'The input receipt handle "nope" is not a valid receipt handle.'), bad
    again = cli.receive(url, 3, "--attribute-names", "ApproximateReceiveCount")
    assert sorted(x["Body"] for x in again) == ["one", "three", "two"], again
    assert [x["Attributes"]["ApproximateReceiveCount"] for x in again] == ["2", "2", "2"], again
    deleted = cli.ok("sqs", "delete-message-batch", "--queue-url", url, "--entries", json.dumps(
        [{"Id": f"d{i}", "ReceiptHandle": x["ReceiptHandle"]} for i, x in enumerate(again)] +
        [{"Id": "bad", "ReceiptHandle": "nope"}]))
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["d0", "d1", "d2"], deleted
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in deleted["Failed"]] == [
        ("bad", "ReceiptHandleIsInvalid", True)], deleted
    # Purge: what is left goes.
    cli.ok("sqs", "send-message", "--queue-url", url, "--message-body", "purged")
    cli.ok("sqs", "purge-queue", "--queue-url", url)
    attrs = cli.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0"), attrs


def fifo_messages(cli):
    # Explicit deduplication ids, a duplicate answered with the first message's id and sequence
    # number, order within a group, then content-based deduplication turned on.
    fifo = cli.queue("msgs.fifo", "--attributes", "FifoQueue=true")
    first = cli.ok("sqs", "send-message", "--queue-url", fifo, "--message-body", "first", "--message-group-id", "g",
                   "--message-deduplication-id", "d1")
    dup, second, no_dedup, delayed = parallel(
        lambda: cli.ok("sqs", "send-message", "--queue-url", fifo, "--message-body", "first again",
                       "--message-group-id", "g", "--message-deduplication-id", "d1"),
        lambda: cli.ok("sqs", "send-message", "--queue-url", fifo, "--message-body", "second", "--message-group-id",
                       "g", "--message-deduplication-id", "d2"),
        lambda: cli.fails("sqs", "send-message", "--queue-url", fifo, "--message-body", "x", "--message-group-id", "g"),
        lambda: cli.fails("sqs", "send-message", "--queue-url", fifo, "--message-body", "x", "--message-group-id", "g",
                          "--message-deduplication-id", "d3", "--delay-seconds", "1"))
    assert (dup["MessageId"], dup["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"]), (first, dup)
    assert dup["MD5OfMessageBody"] == md5("first again"), dup  # of what was sent, as SDKs check it
    assert len(first["SequenceNumber"]) == 20 and int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert no_dedup[0] == "InvalidParameterValue" and "ContentBasedDeduplication" in no_dedup[1], no_dedup
    assert delayed[0] == "InvalidParameterValue", delayed  # per-message delays: not on FIFO queues
    got = cli.ok("sqs", "receive-message", "--queue-url", fifo, "--max-number-of-messages", "10",
                 "--attribute-names", "All", "--receive-request-attempt-id", "attempt-1")["Messages"]
    assert [x["Body"] for x in got] == ["first", "second"], got
    # Retried with the same attempt id (its answer lost, say): the same messages and handles.
    retried = cli.ok("sqs", "receive-message", "--queue-url", fifo, "--max-number-of-messages", "10",
                     "--receive-request-attempt-id", "attempt-1")["Messages"]
    assert [x["ReceiptHandle"] for x in retried] == [x["ReceiptHandle"] for x in got], (got, retried)
    assert [(x["Attributes"]["MessageGroupId"], x["Attributes"]["MessageDeduplicationId"],
             x["Attributes"]["SequenceNumber"]) for x in got] == [
        ("g", "d1", first["SequenceNumber"]), ("g", "d2", second["SequenceNumber"])], got
    cli.ok("sqs", "set-queue-attributes", "--queue-url", fifo, "--attributes", "ContentBasedDeduplication=true")
    same = parallel(*[lambda: cli.ok("sqs", "send-message", "--queue-url", fifo, "--message-body", "by content",
                                     "--message-group-id", "h")] * 2)
    assert same[0]["MessageId"] == same[1]["MessageId"], same


def test_sqs_dead_letter_queues_and_message_move_tasks(cli):
    policy = json.dumps({"deadLetterTargetArn": qarn(cli.name("dlq")), "maxReceiveCount": "1"})
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [qarn(cli.name("src")),
                                                                            qarn(cli.name("src2"))]})
    dlq = cli.queue("dlq")
    src, other, _ = parallel(
        lambda: cli.queue("src", "--attributes", json.dumps({"RedrivePolicy": policy})),
        lambda: cli.queue("src2"),
        lambda: cli.ok("sqs", "set-queue-attributes", "--queue-url", dlq, "--attributes",
                       json.dumps({"RedriveAllowPolicy": allow})))
    # Only the two sources may use the dead-letter queue now.
    _, allowed, refused, _ = parallel(
        lambda: cli.ok("sqs", "set-queue-attributes", "--queue-url", other, "--attributes",
                       json.dumps({"RedrivePolicy": policy})),
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", dlq, "--attribute-names", "RedriveAllowPolicy"),
        lambda: cli.fails("sqs", "create-queue", "--queue-name", cli.name("src3"), "--attributes",
                          json.dumps({"RedrivePolicy": policy})),
        lambda: cli.ok("sqs", "send-message-batch", "--queue-url", src, "--entries",
                       *[f"Id=p{i},MessageBody=poison-{i}" for i in range(4)]))
    assert json.loads(allowed["Attributes"]["RedriveAllowPolicy"]) == json.loads(allow), allowed
    assert refused[0] == "InvalidParameterValue" and "is not allowed to use" in refused[1], refused

    sources = [src, other]
    # Read back as SQS answers it: maxReceiveCount a number, though it was set as a string.
    redrive, page, everything, received = parallel(
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", other, "--attribute-names", "RedrivePolicy"),
        lambda: cli.ok("sqs", "list-dead-letter-source-queues", "--queue-url", dlq, "--max-results", "1"),
        lambda: cli.ok("sqs", "list-dead-letter-source-queues", "--queue-url", dlq),
        # Received once (maxReceiveCount 1) and not deleted: the next receive moves them to the DLQ.
        lambda: cli.ok("sqs", "receive-message", "--queue-url", src, "--max-number-of-messages", "10",
                       "--visibility-timeout", "0"))
    assert redrive["Attributes"]["RedrivePolicy"] == json.dumps(
        {"deadLetterTargetArn": qarn(cli.name("dlq")), "maxReceiveCount": 1}, separators=(",", ":")), redrive
    assert page["queueUrls"] == sources[:1] and page["NextToken"], page
    assert everything["queueUrls"] == sources, everything
    assert len(received["Messages"]) == 4, received
    page, moved = parallel(
        lambda: cli.ok("sqs", "list-dead-letter-source-queues", "--queue-url", dlq, "--max-results", "1",
                       "--next-token", page["NextToken"]),
        lambda: cli.ok("sqs", "receive-message", "--queue-url", src, "--max-number-of-messages", "10"))
    assert page["queueUrls"] == sources[1:] and "NextToken" not in page, page
    assert "Messages" not in moved, moved
    dead = cli.ok("sqs", "receive-message", "--queue-url", dlq, "--max-number-of-messages", "10",
                  "--visibility-timeout", "0", "--attribute-names", "All")["Messages"]
    assert sorted(m["Body"] for m in dead) == [f"poison-{i}" for i in range(4)], dead
    assert {m["Attributes"]["DeadLetterQueueSourceArn"] for m in dead} == {qarn(cli.name("src"))}, dead

    r = cli.run("sqs", "start-message-move-task", "--source-arn", qarn(cli.name("dlq")))
    if "Invalid choice" in r.stderr:
        # Debian's AWS CLI 2.9 predates Start/List/CancelMessageMoveTask (2023): it has no such
        # commands, so only a newer CLI drives them.
        return
    assert r.returncode == 0, r.stderr
    handle = json.loads(r.stdout)["TaskHandle"]
    # Unlimited, so done at once; one task at a time per source, so it is waited for.
    deadline = time.monotonic() + 10
    task = cli.ok("sqs", "list-message-move-tasks", "--source-arn", qarn(cli.name("dlq")))["Results"][0]
    while task["Status"] == "RUNNING" and time.monotonic() < deadline:
        task = cli.ok("sqs", "list-message-move-tasks", "--source-arn", qarn(cli.name("dlq")))["Results"][0]
    assert task["Status"] == "COMPLETED", task
    assert (task["ApproximateNumberOfMessagesMoved"], task["ApproximateNumberOfMessagesToMove"]) == (4, 4), task
    assert task["SourceArn"] == qarn(cli.name("dlq")) and "MaxNumberOfMessagesPerSecond" not in task, task
    not_active, back, _ = parallel(
        lambda: cli.fails("sqs", "cancel-message-move-task", "--task-handle", handle),
        lambda: cli.receive(src, 4, "--attribute-names", "All"),
        lambda: cli.ok("sqs", "send-message-batch", "--queue-url", dlq, "--entries",
                       *[f"Id=l{i},MessageBody=later-{i}" for i in range(3)]))
    assert not_active == ("AWS.SimpleQueueService.UnsupportedOperation", "Only active tasks can be cancelled.")
    assert sorted(m["Body"] for m in back) == [f"poison-{i}" for i in range(4)], back

    # To another queue at 1 message a second, cancelled at once: not all moved, the rest stay.
    handle = cli.ok("sqs", "start-message-move-task", "--source-arn", qarn(cli.name("dlq")), "--destination-arn",
                    qarn(cli.name("src2")), "--max-number-of-messages-per-second", "1")["TaskHandle"]
    moved = cli.ok("sqs", "cancel-message-move-task", "--task-handle", handle)["ApproximateNumberOfMessagesMoved"]
    assert moved < 3, moved
    tasks, left, bogus, not_dlq = parallel(
        lambda: cli.ok("sqs", "list-message-move-tasks", "--source-arn", qarn(cli.name("dlq")), "--max-results", "10"),
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", dlq, "--attribute-names",
                       "ApproximateNumberOfMessages"),
        lambda: cli.fails("sqs", "cancel-message-move-task", "--task-handle", "bogus"),
        lambda: cli.fails("sqs", "start-message-move-task", "--source-arn", qarn(cli.name("src"))))
    tasks = tasks["Results"]
    assert [t["Status"] for t in tasks] == ["CANCELLED", "COMPLETED"], tasks  # the most recent first
    assert tasks[0]["MaxNumberOfMessagesPerSecond"] == 1 and tasks[0]["DestinationArn"] == qarn(cli.name("src2"))
    assert tasks[0]["ApproximateNumberOfMessagesToMove"] == 3, tasks
    left = int(left["Attributes"]["ApproximateNumberOfMessages"])
    assert left == 3 - tasks[0]["ApproximateNumberOfMessagesMoved"], (left, tasks)
    assert bogus[0] == "ResourceNotFoundException", bogus
    assert not_dlq[0] == "InvalidParameterValue", not_dlq  # not a dead-letter queue


def by_body(messages):
    return {m["Body"]: m for m in messages}


def test_sns_topics_subscriptions_and_deliveries_to_queues(cli):
    # A standard topic and a FIFO one, side by side.
    parallel(lambda: standard_topic(cli), lambda: fifo_topic(cli))


def standard_topic(cli):
    topic = cli.ok("sns", "create-topic", "--name", cli.name("news"), "--attributes", "DisplayName=News",
                   "--tags", "Key=team,Value=a")["TopicArn"]
    assert topic == tarn(cli.name("news"))
    # Idempotent for the same attributes; others are refused. Two queues: `raw` gets the message
    # itself, filtered on its attributes; `env` gets SNS's JSON envelope of every message.
    same, differs, attrs, raw_q, env_q = parallel(
        lambda: cli.ok("sns", "create-topic", "--name", cli.name("news"), "--attributes", "DisplayName=News"),
        lambda: cli.fails("sns", "create-topic", "--name", cli.name("news"), "--attributes", "DisplayName=Other"),
        lambda: cli.ok("sns", "get-topic-attributes", "--topic-arn", topic),
        lambda: cli.queue("news-raw"),
        lambda: cli.queue("news-env"))
    assert same["TopicArn"] == topic
    assert differs == ("InvalidParameter",
                       "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
    attrs = attrs["Attributes"]
    assert (attrs["TopicArn"], attrs["Owner"], attrs["DisplayName"], attrs["SubscriptionsConfirmed"]) == (
        topic, ACCOUNT, "News", "0"), attrs
    assert json.loads(attrs["Policy"])["Statement"][0]["Resource"] == topic, attrs

    raw, env, _, bad_attribute = parallel(
        lambda: cli.ok("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint",
                       qarn(cli.name("news-raw")), "--return-subscription-arn", "--attributes",
                       json.dumps({"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["paid"]})})),
        lambda: cli.ok("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint",
                       qarn(cli.name("news-env"))),
        lambda: cli.ok("sns", "set-topic-attributes", "--topic-arn", topic, "--attribute-name", "DisplayName",
                       "--attribute-value", "Renamed"),
        lambda: cli.fails("sns", "set-topic-attributes", "--topic-arn", topic, "--attribute-name", "Nope",
                          "--attribute-value", "1"))
    raw, env = raw["SubscriptionArn"], env["SubscriptionArn"]
    assert raw.startswith(topic + ":") and env.startswith(topic + ":") and raw != env, (raw, env)
    assert bad_attribute == ("InvalidParameter", "Invalid parameter: AttributeName"), bad_attribute

    subs, everywhere, attrs, _ = parallel(
        lambda: cli.ok("sns", "list-subscriptions-by-topic", "--topic-arn", topic),
        lambda: cli.ok("sns", "list-subscriptions"),
        lambda: cli.ok("sns", "get-subscription-attributes", "--subscription-arn", raw),
        lambda: cli.ok("sns", "tag-resource", "--resource-arn", topic, "--tags", "Key=env,Value=dev",
                       "Key=cost,Value=7"))
    assert sorted((s["SubscriptionArn"], s["Protocol"], s["Endpoint"], s["Owner"], s["TopicArn"])
                  for s in subs["Subscriptions"]) == sorted([(raw, "sqs", qarn(cli.name("news-raw")), ACCOUNT, topic),
                                                             (env, "sqs", qarn(cli.name("news-env")), ACCOUNT, topic)])
    everywhere = [s["SubscriptionArn"] for s in everywhere["Subscriptions"]]
    assert raw in everywhere and env in everywhere
    attrs = attrs["Attributes"]
    assert {k: attrs[k] for k in ("RawMessageDelivery", "FilterPolicy", "PendingConfirmation", "Protocol",
                                  "TopicArn", "Endpoint")} == {
        "RawMessageDelivery": "true", "FilterPolicy": '{"kind": ["paid"]}', "PendingConfirmation": "false",
        "Protocol": "sqs", "TopicArn": topic, "Endpoint": qarn(cli.name("news-raw"))}, attrs
    cli.ok("sns", "set-subscription-attributes", "--subscription-arn", raw, "--attribute-name", "FilterPolicy",
           "--attribute-value", json.dumps({"kind": [{"prefix": "pa"}]}))

    paid = json.dumps({"kind": {"DataType": "String", "StringValue": "paid"},
                       "n": {"DataType": "Number", "StringValue": "3"}})
    hello_attributes = json.dumps({**json.loads(paid), "bin": {"DataType": "Binary", "BinaryValue": "AAE="}})
    binary = base64.b64decode("AAE=") if cli.v2 else b"AAE="  # as each CLI sends a blob (see one_message)
    binary64 = base64.b64encode(binary).decode()
    attrs, topic_attrs, free, hello, structured, no_default, batch, same_ids, _ = parallel(
        lambda: cli.ok("sns", "get-subscription-attributes", "--subscription-arn", raw),
        lambda: cli.ok("sns", "get-topic-attributes", "--topic-arn", topic),
        lambda: cli.ok("sns", "publish", "--topic-arn", topic, "--message", "free one", "--message-attributes",
                       json.dumps({"kind": {"DataType": "String", "StringValue": "free"}})),
        lambda: cli.ok("sns", "publish", "--topic-arn", topic, "--message", "hello", "--subject", "Greeting",
                       "--message-attributes", hello_attributes),
        lambda: cli.ok("sns", "publish", "--topic-arn", topic, "--message-structure", "json", "--message",
                       json.dumps({"default": "for everyone", "sqs": "for queues"}), "--message-attributes", paid),
        lambda: cli.fails("sns", "publish", "--topic-arn", topic, "--message-structure", "json", "--message",
                          json.dumps({"sqs": "x"})),
        lambda: cli.ok("sns", "publish-batch", "--topic-arn", topic, "--publish-batch-request-entries", json.dumps([
            {"Id": "a", "Message": "batch a",
             "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "paid"}}},
            {"Id": "b", "Message": "batch b", "Subject": "B"}])),
        lambda: cli.fails("sns", "publish-batch", "--topic-arn", topic, "--publish-batch-request-entries",
                          "Id=x,Message=1", "Id=x,Message=2"),
        lambda: cli.ok("sns", "untag-resource", "--resource-arn", topic, "--tag-keys", "cost"))
    attrs = attrs["Attributes"]
    assert (json.loads(attrs["FilterPolicy"]), attrs["FilterPolicyScope"]) == (
        {"kind": [{"prefix": "pa"}]}, "MessageAttributes"), attrs
    topic_attrs = topic_attrs["Attributes"]
    assert (topic_attrs["SubscriptionsConfirmed"], topic_attrs["DisplayName"]) == ("2", "Renamed"), topic_attrs
    assert no_default == (
        "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body")
    assert sorted(e["Id"] for e in batch["Successful"]) == ["a", "b"] and not batch.get("Failed"), batch
    assert same_ids == ("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")

    # Raw: the bodies themselves with their attributes, the unmatched "free" one not at all.
    # Envelope: every message, with its id, subject and attributes.
    raw_got, env_got, tags, no_tags, bad_token, add, remove = parallel(
        lambda: by_body(cli.receive(raw_q, 3, "--message-attribute-names", "All")),
        lambda: {e["Message"]: e for e in (json.loads(m["Body"]) for m in cli.receive(env_q, 5))},
        lambda: cli.ok("sns", "list-tags-for-resource", "--resource-arn", topic),
        lambda: cli.fails("sns", "list-tags-for-resource", "--resource-arn", tarn(cli.name("none"))),
        lambda: cli.fails("sns", "confirm-subscription", "--topic-arn", topic, "--token", "bogus"),
        # Not served (nimbus has no IAM), refused as an unknown action.
        lambda: cli.fails("sns", "add-permission", "--topic-arn", topic, "--label", "l", "--aws-account-id",
                          "111122223333", "--action-name", "Publish"),
        lambda: cli.fails("sns", "remove-permission", "--topic-arn", topic, "--label", "l"))
    assert sorted(raw_got) == ["batch a", "for queues", "hello"], raw_got
    assert raw_got["hello"]["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "paid"},
                                                     "n": {"DataType": "Number", "StringValue": "3"},
                                                     "bin": {"DataType": "Binary", "BinaryValue": binary64}}, raw_got
    assert raw_got["hello"]["MD5OfMessageAttributes"] == attributes_md5(
        {"kind": ("String", "paid"), "n": ("Number", "3"), "bin": ("Binary", binary)})
    assert sorted(env_got) == ["batch a", "batch b", "for queues", "free one", "hello"], env_got
    e = env_got["hello"]
    assert (e["Type"], e["MessageId"], e["TopicArn"], e["Subject"]) == (
        "Notification", hello["MessageId"], topic, "Greeting"), e
    assert e["MessageAttributes"] == {"kind": {"Type": "String", "Value": "paid"},
                                      "n": {"Type": "Number", "Value": "3"},
                                      "bin": {"Type": "Binary", "Value": binary64}}, e
    assert e["SignatureVersion"] == "1" and e["Signature"] and env in e["UnsubscribeURL"], e
    assert env_got["for queues"]["MessageId"] == structured["MessageId"]
    assert env_got["free one"]["MessageId"] == free["MessageId"] and "Subject" not in env_got["free one"]
    assert env_got["batch b"]["Subject"] == "B"
    assert tags["Tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}], tags
    assert no_tags[0] == "ResourceNotFound", no_tags
    assert bad_token == ("InvalidParameter", "Invalid parameter: Token"), bad_token
    assert add == ("InvalidAction", "nimbus does not implement AddPermission yet"), add
    assert remove == ("InvalidAction", "nimbus does not implement RemovePermission yet"), remove

    cli.ok("sns", "unsubscribe", "--subscription-arn", env)
    gone, _, left = parallel(
        lambda: cli.fails("sns", "get-subscription-attributes", "--subscription-arn", env),
        lambda: cli.ok("sns", "unsubscribe", "--subscription-arn", env),  # gone already: no error, as SNS answers
        lambda: cli.ok("sns", "list-subscriptions-by-topic", "--topic-arn", topic))
    assert gone == ("NotFound", "Subscription does not exist"), gone
    assert [s["SubscriptionArn"] for s in left["Subscriptions"]] == [raw], left
    cli.ok("sns", "delete-topic", "--topic-arn", topic)
    no_topic, no_sub, _ = parallel(
        lambda: cli.fails("sns", "get-topic-attributes", "--topic-arn", topic),
        lambda: cli.fails("sns", "get-subscription-attributes", "--subscription-arn", raw),
        lambda: cli.ok("sns", "delete-topic", "--topic-arn", topic))  # idempotent, as SNS documents
    assert no_topic == ("NotFound", "Topic does not exist"), no_topic
    assert no_sub[0] == "NotFound", no_sub


def fifo_topic(cli):
    fifo = cli.ok("sns", "create-topic", "--name", cli.name("news.fifo"), "--attributes",
                  "FifoTopic=true,ContentBasedDeduplication=true")["TopicArn"]
    assert fifo == tarn(cli.name("news.fifo"))
    differs, misnamed, fifo_q, listed = parallel(
        lambda: cli.fails("sns", "create-topic", "--name", cli.name("news.fifo"), "--attributes",
                          "FifoTopic=true,ContentBasedDeduplication=false"),
        lambda: cli.fails("sns", "create-topic", "--name", cli.name("plain"), "--attributes", "FifoTopic=true"),
        lambda: cli.queue("news-q.fifo", "--attributes", "FifoQueue=true"),
        lambda: cli.ok("sns", "list-topics"))
    assert differs[0] == "InvalidParameter", differs
    assert misnamed[0] == "InvalidParameter" and "must end with .fifo" in misnamed[1], misnamed
    assert fifo in [t["TopicArn"] for t in listed["Topics"]], listed
    # Into a FIFO queue: deduplicated by the id given, in order per group.
    cli.ok("sns", "subscribe", "--topic-arn", fifo, "--protocol", "sqs", "--notification-endpoint",
           qarn(cli.name("news-q.fifo")), "--attributes", "RawMessageDelivery=true")
    cli.ok("sns", "set-topic-attributes", "--topic-arn", fifo, "--attribute-name", "ContentBasedDeduplication",
           "--attribute-value", "false")
    one = cli.ok("sns", "publish", "--topic-arn", fifo, "--message", "m1", "--message-group-id", "g",
                 "--message-deduplication-id", "d1")
    attrs, dup = parallel(
        lambda: cli.ok("sns", "get-topic-attributes", "--topic-arn", fifo),
        lambda: cli.ok("sns", "publish", "--topic-arn", fifo, "--message", "m1 again", "--message-group-id", "g",
                       "--message-deduplication-id", "d1"))
    attrs = attrs["Attributes"]
    assert (attrs["FifoTopic"], attrs["ContentBasedDeduplication"]) == ("true", "false"), attrs
    assert (dup["MessageId"], dup["SequenceNumber"]) == (one["MessageId"], one["SequenceNumber"]), (one, dup)
    batch = cli.ok("sns", "publish-batch", "--topic-arn", fifo, "--publish-batch-request-entries",
                   "Id=a,Message=m2,MessageGroupId=g,MessageDeduplicationId=d2",
                   "Id=b,Message=m3,MessageGroupId=g,MessageDeduplicationId=d3", "Id=c,Message=m4")
    assert [e["Id"] for e in batch["Successful"]] == ["a", "b"], batch
    assert int(batch["Successful"][0]["SequenceNumber"]) > int(one["SequenceNumber"]), batch
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in batch["Failed"]] == [("c", "InvalidParameter", True)]
    got = cli.receive(fifo_q, 3, "--attribute-names", "All")
    assert [(m["Body"], m["Attributes"]["MessageGroupId"], m["Attributes"]["MessageDeduplicationId"])
            for m in got] == [("m1", "g", "d1"), ("m2", "g", "d2"), ("m3", "g", "d3")], got


# Fed by a mapping, it forwards each record to the queue $OUT_URL (boto3 finds nimbus through
# AWS_ENDPOINT_URL), reporting a body with "fail" as a batch item failure on its first receive.
# Invoked asynchronously, it doubles "n", or raises for "fail".
FORWARDER = '''
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    if "Records" not in event:
        if event.get("fail"):
            raise ValueError("failed on purpose")
        return {"doubled": event["n"] * 2}
    failures = []
    for r in event["Records"]:
        if "fail" in r["body"] and r["attributes"]["ApproximateReceiveCount"] == "1":
            failures.append({"itemIdentifier": r["messageId"]})
            continue
        sqs.send_message(QueueUrl=os.environ["OUT_URL"], MessageBody=json.dumps({
            "body": r["body"], "receives": r["attributes"]["ApproximateReceiveCount"],
            "source": r["eventSourceARN"], "attributes": r["messageAttributes"], "batch": len(event["Records"])}))
    return {"batchItemFailures": failures}
'''


def test_lambda_event_source_mapping_and_event_invoke_config(cli, tmp_path):
    fn = cli.name("forward")
    # The queue's visibility timeout must cover the function's (Lambda's rule); 3 s also makes a
    # reported failure come back soon.
    (tmp_path / "fn.zip").write_bytes(python_zip({"app.py": FORWARDER}))
    _, out = parallel(lambda: cli.queue("feed", "--attributes", "VisibilityTimeout=3"),
                      lambda: cli.queue("forwarded"))
    created = cli.ok("lambda", "create-function", "--function-name", fn, "--runtime", "python3.12", "--role", ROLE,
                     "--handler", "app.handler", "--zip-file", f"fileb://{tmp_path / 'fn.zip'}", "--timeout", "3",
                     "--environment", json.dumps({"Variables": {"OUT_URL": out}}))
    assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn}", created
    # The mapping and the asynchronous invocations, side by side.
    parallel(lambda: event_source_mapping(cli, fn), lambda: event_invoke_config(cli, fn, tmp_path))
    cli.ok("lambda", "delete-function", "--function-name", fn)


def event_source_mapping(cli, fn):
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn}"
    mapping = cli.ok("lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn",
                     qarn(cli.name("feed")), "--batch-size", "20", "--maximum-batching-window-in-seconds", "1",
                     "--function-response-types", "ReportBatchItemFailures", "--scaling-config",
                     "MaximumConcurrency=2", "--filter-criteria",
                     json.dumps({"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]}))
    uuid = mapping["UUID"]
    assert {k: mapping[k] for k in ("BatchSize", "MaximumBatchingWindowInSeconds", "EventSourceArn", "FunctionArn",
                                    "State", "FunctionResponseTypes", "ScalingConfig")} == {
        "BatchSize": 20, "MaximumBatchingWindowInSeconds": 1, "EventSourceArn": qarn(cli.name("feed")),
        "FunctionArn": fn_arn, "State": "Creating", "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 2}}, mapping
    assert json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]) == {"body": {"kind": ["order"]}}, mapping
    mapping_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{uuid}"

    # Sent with the CLI: the orders reach the function (a batch, the window gathering them), the
    # note matches no filter and is deleted unseen, the failing order comes back once. Meanwhile,
    # Lambda's refusals and the mapping read back.
    _, conflict, unsupported, got, by_function, by_queue, _ = parallel(
        lambda: cli.ok("sqs", "send-message-batch", "--queue-url", cli.url("feed"), "--entries", json.dumps([
            {"Id": "a", "MessageBody": json.dumps({"kind": "order", "id": 1}),
             "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"}}},
            {"Id": "b", "MessageBody": json.dumps({"kind": "order", "id": 2})},
            {"Id": "c", "MessageBody": json.dumps({"kind": "note"})},
            {"Id": "d", "MessageBody": json.dumps({"kind": "order", "id": 3, "fail": True})}])),
        lambda: cli.fails("lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn",
                          qarn(cli.name("feed"))),
        lambda: cli.fails("lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn",
                          qarn(cli.name("forwarded")), "--starting-position", "LATEST"),
        lambda: cli.ok("lambda", "get-event-source-mapping", "--uuid", uuid),
        lambda: cli.ok("lambda", "list-event-source-mappings", "--function-name", fn),
        lambda: cli.ok("lambda", "list-event-source-mappings", "--event-source-arn", qarn(cli.name("feed"))),
        lambda: cli.ok("lambda", "tag-resource", "--resource", mapping_arn, "--tags", "team=a,env=dev"))
    assert conflict[0] == "ResourceConflictException" and uuid in conflict[1], conflict
    assert unsupported[0] == "InvalidParameterValueException" and "StartingPosition" in unsupported[1], unsupported
    assert (got["UUID"], got["State"], got["BatchSize"], got["FunctionArn"]) == (uuid, "Enabled", 20, fn_arn), got
    assert [m["UUID"] for m in by_function["EventSourceMappings"]] == [uuid], by_function
    assert [m["UUID"] for m in by_queue["EventSourceMappings"]] == [uuid], by_queue

    forwarded, _ = parallel(lambda: [json.loads(m["Body"]) for m in cli.receive(cli.url("forwarded"), 3)],
                            lambda: cli.ok("lambda", "untag-resource", "--resource", mapping_arn, "--tag-keys", "env"))
    by_id = {json.loads(f["body"])["id"]: f for f in forwarded}
    assert sorted(by_id) == [1, 2, 3], forwarded
    assert {f["source"] for f in forwarded} == {qarn(cli.name("feed"))}, forwarded
    assert (by_id[1]["receives"], by_id[2]["receives"], by_id[3]["receives"]) == ("1", "1", "2"), forwarded
    assert by_id[1]["batch"] >= 2, forwarded  # the batching window gathered the batch
    assert by_id[1]["attributes"] == {"color": {"stringValue": "blue", "stringListValues": [],
                                                "binaryListValues": [], "dataType": "String"}}, forwarded
    attrs, tags, too_big, no_window = parallel(
        lambda: cli.ok("sqs", "get-queue-attributes", "--queue-url", cli.url("feed"), "--attribute-names", "All"),
        lambda: cli.ok("lambda", "list-tags", "--resource", mapping_arn),
        lambda: cli.fails("lambda", "update-event-source-mapping", "--uuid", uuid, "--batch-size", "20000"),
        lambda: cli.fails("lambda", "update-event-source-mapping", "--uuid", uuid, "--batch-size", "50",
                          "--maximum-batching-window-in-seconds", "0"))
    attrs = attrs["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0"), attrs
    assert tags["Tags"] == {"team": "a"}, tags
    assert too_big == ("ValidationException", "1 validation error detected: Value '20000' at 'batchSize' failed to "
                                              "satisfy constraint: Member must have value less than or equal to 10000")
    assert no_window == ("InvalidParameterValueException",
                         "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                         "than 10"), no_window

    updated = cli.ok("lambda", "update-event-source-mapping", "--uuid", uuid, "--batch-size", "5",
                     "--maximum-batching-window-in-seconds", "0", "--no-enabled", "--scaling-config",
                     "MaximumConcurrency=3", "--filter-criteria", "{}", "--function-response-types", "[]")
    assert (updated["State"], updated["BatchSize"], updated["MaximumBatchingWindowInSeconds"],
            updated["ScalingConfig"], updated["FunctionResponseTypes"]) == ("Updating", 5, 0,
                                                                           {"MaximumConcurrency": 3}, []), updated
    assert "FilterCriteria" not in updated, updated
    got = cli.ok("lambda", "get-event-source-mapping", "--uuid", uuid)
    assert (got["State"], got["BatchSize"]) == ("Disabled", 5), got
    assert cli.ok("lambda", "delete-event-source-mapping", "--uuid", uuid)["State"] == "Deleting"
    gone, listed = parallel(lambda: cli.fails("lambda", "get-event-source-mapping", "--uuid", uuid),
                            lambda: cli.ok("lambda", "list-event-source-mappings", "--function-name", fn))
    assert gone[0] == "ResourceNotFoundException", gone
    assert listed["EventSourceMappings"] == [], listed


def event_invoke_config(cli, fn, tmp_path):
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn}"
    # A success record to a queue, a failure record to a topic (read through a raw SQS subscription).
    _, failed_topic, failed_q = parallel(lambda: cli.queue("succeeded"),
                                         lambda: cli.ok("sns", "create-topic", "--name", cli.name("failed"))[
                                             "TopicArn"],
                                         lambda: cli.queue("failed-seen"))
    destinations = {"OnSuccess": {"Destination": qarn(cli.name("succeeded"))},
                    "OnFailure": {"Destination": failed_topic}}
    _, put = parallel(
        lambda: cli.ok("sns", "subscribe", "--topic-arn", failed_topic, "--protocol", "sqs", "--notification-endpoint",
                       qarn(cli.name("failed-seen")), "--attributes", "RawMessageDelivery=true"),
        lambda: cli.ok("lambda", "put-function-event-invoke-config", "--function-name", fn,
                       "--maximum-retry-attempts", "0", "--destination-config", json.dumps(destinations)))
    assert (put["MaximumRetryAttempts"], put["DestinationConfig"]) == (0, destinations), put
    assert "MaximumEventAgeInSeconds" not in put, put
    updated = cli.ok("lambda", "update-function-event-invoke-config", "--function-name", fn,
                     "--maximum-event-age-in-seconds", "600")
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"], updated["DestinationConfig"]) == (
        0, 600, destinations), updated

    (tmp_path / "ok.json").write_text(json.dumps({"n": 21}))
    (tmp_path / "bad.json").write_text(json.dumps({"n": 5, "fail": True}))

    def invoke(payload):
        # fileb:// passes the bytes as they are with either CLI (a bare --payload is base64 to CLI 2).
        return cli.ok("lambda", "invoke", "--function-name", fn, "--invocation-type", "Event", "--payload",
                      f"fileb://{tmp_path / payload}.json", str(tmp_path / f"{payload}.out"))

    ok, bad, got, listed, no_queue = parallel(
        lambda: invoke("ok"), lambda: invoke("bad"),
        lambda: cli.ok("lambda", "get-function-event-invoke-config", "--function-name", fn),
        lambda: cli.ok("lambda", "list-function-event-invoke-configs", "--function-name", fn),
        lambda: cli.fails("lambda", "update-function-event-invoke-config", "--function-name", fn,
                          "--destination-config", json.dumps({"OnSuccess": {"Destination": qarn("nope")}})))
    assert ok["StatusCode"] == 202 and bad["StatusCode"] == 202, (ok, bad)
    assert (got["MaximumEventAgeInSeconds"], got["DestinationConfig"]) == (600, destinations), got
    assert [(c["MaximumRetryAttempts"], c["MaximumEventAgeInSeconds"])
            for c in listed["FunctionEventInvokeConfigs"]] == [(0, 600)], listed
    assert no_queue[0] == "InvalidParameterValueException" and "does not exist" in no_queue[1], no_queue

    succeeded, failed = parallel(lambda: json.loads(cli.receive(cli.url("succeeded"), 1)[0]["Body"]),
                                 lambda: json.loads(cli.receive(failed_q, 1)[0]["Body"]))
    ctx = succeeded["requestContext"]
    assert (ctx["condition"], ctx["approximateInvokeCount"], ctx["functionArn"]) == (
        "Success", 1, fn_arn + ":$LATEST"), succeeded
    assert (succeeded["requestPayload"], succeeded["responsePayload"]) == ({"n": 21}, {"doubled": 42}), succeeded
    ctx = failed["requestContext"]
    assert (ctx["condition"], ctx["approximateInvokeCount"]) == ("RetriesExhausted", 1), failed
    assert failed["requestPayload"] == {"n": 5, "fail": True}, failed
    assert failed["responseContext"]["functionError"] == "Unhandled", failed
    assert failed["responsePayload"]["errorType"] == "ValueError", failed

    cli.ok("lambda", "delete-function-event-invoke-config", "--function-name", fn)
    gone, listed = parallel(
        lambda: cli.fails("lambda", "get-function-event-invoke-config", "--function-name", fn),
        lambda: cli.ok("lambda", "list-function-event-invoke-configs", "--function-name", fn))
    assert gone == ("ResourceNotFoundException", f"The function {fn_arn} doesn't have an EventInvokeConfig"), gone
    assert listed["FunctionEventInvokeConfigs"] == [], listed
