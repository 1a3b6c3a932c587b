"""SNS against a real nimbus serve with every client on this machine: topic
CRUD, attributes and tags with both AWS CLIs; publishing, FIFO dedup,
batches and AWS's errors with both boto3s; a Python function subscribed with
a filter policy (its SNS event checked field by field, the signature verified
with the certificate nimbus serves); an http subscription to a small HTTP
server in this test (the SubscriptionConfirmation handshake, then
notifications with AWS's headers, raw delivery)."""
import base64
import http.server
import json
import queue
import re
import shutil
import subprocess
import textwrap
import threading
import urllib.request

import pytest

from conftest import ACCESS_KEY, REGION, SECRET_KEY, aws_clis, boto3_pythons, client_env, python_zip
from test_lambda import lambda_client, wait_for

ROLE = "arn:aws:iam::000000000000:role/r"
TOPIC = "arn:aws:sns:us-east-1:000000000000:{}"


def sns_client(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("sns", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        region_name=REGION, config=Config(retries={"max_attempts": 0}))


def run_cli(cli, endpoint, *args):
    return subprocess.run([cli, "--endpoint-url", endpoint, "--output", "json", *args], env=client_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(params=aws_clis() or [None], ids=lambda p: p and ("debian-aws" if p == "/usr/bin/aws" else "path-aws"))
def cli(request):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return request.param


def test_topic_crud_attributes_and_tags_with_the_cli(shared_nimbus, cli):
    """What each CLI serializes itself (attributes and tags maps, message attributes, batch
    entries) goes through it; reads are checked with boto3 in this process (each CLI start costs
    a second)."""
    ep = shared_nimbus.endpoint
    name = "cli-" + ("debian" if cli == "/usr/bin/aws" else "path")
    arn = TOPIC.format(name)
    sns = sns_client(ep)

    def ok(*args):
        r = run_cli(cli, ep, "sns", *args)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else None

    assert ok("create-topic", "--name", name, "--attributes", "DisplayName=Orders", "--tags",
              "Key=team,Value=a")["TopicArn"] == arn
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "Orders"})["TopicArn"] == arn  # idempotent
    assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    attrs = ok("get-topic-attributes", "--topic-arn", arn)["Attributes"]
    assert attrs["TopicArn"] == arn and attrs["Owner"] == "000000000000" and attrs["DisplayName"] == "Orders"
    assert attrs["SubscriptionsConfirmed"] == "0" and attrs["SubscriptionsPending"] == "0"
    assert json.loads(attrs["Policy"])["Statement"][0]["Resource"] == arn
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    ok("set-topic-attributes", "--topic-arn", arn, "--attribute-name", "DisplayName", "--attribute-value", "Renamed")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Renamed"
    ok("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=dev")
    assert ok("list-tags-for-resource", "--resource-arn", arn)["Tags"] == [{"Key": "env", "Value": "dev"},
                                                                          {"Key": "team", "Value": "a"}]
    # Publishing with attributes through the CLI's own serialization (no subscribers: nothing to deliver).
    assert ok("publish", "--topic-arn", arn, "--message", "hi", "--subject", "s", "--message-attributes",
              '{"n": {"DataType": "Number", "StringValue": "5"}, "b": {"DataType": "Binary", "BinaryValue": "AAE="}}')[
        "MessageId"]
    batch = ok("publish-batch", "--topic-arn", arn, "--publish-batch-request-entries",
               '[{"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two"}]')
    assert sorted(e["Id"] for e in batch["Successful"]) == ["a", "b"] and batch.get("Failed", []) == []
    bad = run_cli(cli, ep, "sns", "subscribe", "--topic-arn", arn, "--protocol", "email",
                  "--notification-endpoint", "a@example.com")
    assert bad.returncode != 0 and "InvalidParameter" in bad.stderr and "email" in bad.stderr, bad.stderr
    ok("delete-topic", "--topic-arn", arn)
    with pytest.raises(sns.exceptions.NotFoundException) as gone:
        sns.get_topic_attributes(TopicArn=arn)
    assert gone.value.response["Error"]["Message"] == "Topic does not exist"


BOTO3_SCRIPT = textwrap.dedent("""
    import json, sys, boto3
    from botocore.config import Config
    ep, tag = sys.argv[1], sys.argv[2]
    sns = boto3.client("sns", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    out = {}
    def error(f, **kw):
        try:
            f(**kw)
            return None
        except sns.exceptions.ClientError as e:
            return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
    fifo = sns.create_topic(Name="orders-" + tag + ".fifo",
                            Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    a = sns.publish(TopicArn=fifo, Message="same", MessageGroupId="g")
    b = sns.publish(TopicArn=fifo, Message="same", MessageGroupId="g")
    c = sns.publish(TopicArn=fifo, Message="same", MessageGroupId="g", MessageDeduplicationId="other")
    out["dedup"] = [a["MessageId"] == b["MessageId"], a["MessageId"] != c["MessageId"],
                    a["SequenceNumber"] == b["SequenceNumber"], int(c["SequenceNumber"]) > int(a["SequenceNumber"])]
    attrs = sns.get_topic_attributes(TopicArn=fifo)["Attributes"]
    out["fifo_attrs"] = [attrs["FifoTopic"], attrs["ContentBasedDeduplication"]]
    out["no_group"] = error(sns.publish, TopicArn=fifo, Message="x")
    std = sns.create_topic(Name="std-" + tag)["TopicArn"]
    out["group_on_standard"] = error(sns.publish, TopicArn=std, Message="x", MessageGroupId="g")
    out["too_long"] = error(sns.publish, TopicArn=std, Message="x" * (256 * 1024 + 1))
    out["not_found"] = error(sns.publish, TopicArn=std + "-missing", Message="x")
    out["bad_attribute"] = error(sns.set_topic_attributes, TopicArn=std, AttributeName="Nope", AttributeValue="1")
    out["untagged"] = [sns.tag_resource(ResourceArn=std, Tags=[{"Key": "k", "Value": "v"}]) and None,
                       sns.untag_resource(ResourceArn=std, TagKeys=["k"]) and None,
                       sns.list_tags_for_resource(ResourceArn=std)["Tags"]]
    out["no_default"] = error(sns.publish, TopicArn=std, Message='{"lambda": "x"}', MessageStructure="json")
    out["too_many"] = error(sns.publish_batch, TopicArn=std,
                            PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)])
    out["same_ids"] = error(sns.publish_batch, TopicArn=std,
                            PublishBatchRequestEntries=[{"Id": "x", "Message": "m"}, {"Id": "x", "Message": "m"}])
    batch = sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
        {"Id": "ok", "Message": "m1", "MessageGroupId": "g"}, {"Id": "bad", "Message": "m2"}])
    out["batch"] = [[s["Id"] for s in batch["Successful"]], [[f["Id"], f["Code"], f["SenderFault"]] for f in batch["Failed"]]]
    out["bad_filter"] = error(sns.subscribe, TopicArn=std, Protocol="http", Endpoint="http://127.0.0.1:9/x",
                              Attributes={"FilterPolicy": json.dumps({k: ["v"] for k in "abcdef"})})
    sub = sns.subscribe(TopicArn=std, Protocol="http", Endpoint="http://127.0.0.1:9/x", ReturnSubscriptionArn=True,
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    sa = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    out["sub_attrs"] = [sa["PendingConfirmation"], sa["RawMessageDelivery"], sa["Protocol"], sa["TopicArn"] == std]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"price": [{"numeric": [">", 10]}]}))
    sa = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    out["filter_scope"] = sa["FilterPolicyScope"]
    listed = sns.list_subscriptions_by_topic(TopicArn=std)["Subscriptions"]
    out["listed"] = [s["SubscriptionArn"] for s in listed]
    for i in range(101):
        sns.create_topic(Name="page-%s-%03d" % (tag, i))
    pages = list(sns.get_paginator("list_topics").paginate())
    out["pages"] = [len(pages) >= 2, len(pages[0]["Topics"])]
    sns.unsubscribe(SubscriptionArn=sub)
    out["unsubscribed"] = error(sns.get_subscription_attributes, SubscriptionArn=sub)
    print(json.dumps(out))
""")


@pytest.mark.parametrize("python", boto3_pythons() or [None])
def test_boto3_fifo_batches_and_errors(shared_nimbus, python):
    if python is None:
        pytest.skip("no python3 with boto3")
    tag = "debian" if python == "/usr/bin/python3" else "path"
    r = subprocess.run([python, "-c", BOTO3_SCRIPT, shared_nimbus.endpoint, tag], env=client_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["dedup"] == [True, True, True, True]
    assert out["fifo_attrs"] == ["true", "true"]
    assert out["no_group"] == ["InvalidParameter",
                               "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", 400]
    assert out["group_on_standard"][0] == "InvalidParameter"
    assert out["too_long"] == ["InvalidParameter", "Invalid parameter: Message too long", 400]
    assert out["not_found"] == ["NotFound", "Topic does not exist", 404]
    assert out["bad_attribute"] == ["InvalidParameter", "Invalid parameter: AttributeName", 400]
    assert out["untagged"] == [None, None, []]
    assert out["no_default"] == ["InvalidParameter",
                                 "Invalid parameter: Message Structure - No default entry in JSON message body", 400]
    assert out["too_many"] == ["TooManyEntriesInBatchRequest",
                               "The batch request contains more entries than permissible.", 400]
    assert out["same_ids"] == ["BatchEntryIdsNotDistinct",
                               "Two or more batch entries in the request have the same Id.", 400]
    assert out["batch"] == [["ok"], [["bad", "InvalidParameter", True]]]
    assert out["bad_filter"] == ["InvalidParameter",
                                 "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys", 400]
    assert out["sub_attrs"] == ["true", "true", "http", True]
    assert out["filter_scope"] == "MessageAttributes"
    assert out["listed"] == ["PendingConfirmation"]
    assert out["pages"] == [True, 100]
    assert out["unsubscribed"][0] == "NotFound"


# Prints each SNS event it gets, on one line.
HANDLER = textwrap.dedent("""
    import json
    def handler(event, context):
        print("SNSEVENT " + json.dumps(event))
        return "ok"
""")


def openssl_verifies(cert_pem, canonical, signature_b64, tmp_path):
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(tmp_path / "cert.pem")],
                         capture_output=True, check=True).stdout
    (tmp_path / "pub.pem").write_bytes(pub)
    (tmp_path / "sig").write_bytes(base64.b64decode(signature_b64))
    (tmp_path / "data").write_bytes(canonical.encode())
    r = subprocess.run(["openssl", "dgst", "-sha1", "-verify", str(tmp_path / "pub.pem"), "-signature",
                        str(tmp_path / "sig"), str(tmp_path / "data")], capture_output=True, text=True)
    return r.returncode == 0 and "Verified OK" in r.stdout


def test_lambda_subscription_with_a_filter_policy(shared_nimbus, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("no openssl command")
    ep = shared_nimbus.endpoint
    lam = lambda_client(ep)
    lam.create_function(FunctionName="sns-reader", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": HANDLER})}, Timeout=10)
    sns = sns_client(ep)
    topic = sns.create_topic(Name="orders-lambda")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda",
                        Endpoint="arn:aws:lambda:us-east-1:000000000000:function:sns-reader",
                        Attributes={"FilterPolicy": json.dumps({"color": ["red", {"prefix": "cri"}],
                                                                "size": [{"numeric": [">=", 10]}]})})["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    attrs = {"color": {"DataType": "String", "StringValue": "blue"}, "size": {"DataType": "Number", "StringValue": "12"}}
    sns.publish(TopicArn=topic, Message="not for me", MessageAttributes=attrs)
    attrs["color"]["StringValue"] = "crimson"
    attrs["blob"] = {"DataType": "Binary", "BinaryValue": b"\x00\x01"}
    mid = sns.publish(TopicArn=topic, Message="for me", Subject="Hello", MessageAttributes=attrs)["MessageId"]
    wait_for(lambda: "SNSEVENT" in shared_nimbus.log_text(), timeout=60, what="the SNS event in the function")
    line = next(l for l in shared_nimbus.log_text().splitlines() if "SNSEVENT " in l)
    event = json.loads(line[line.index("SNSEVENT ") + len("SNSEVENT "):])
    assert "not for me" not in shared_nimbus.log_text()  # filtered out at publish, before the matching one
    assert list(event) == ["Records"] and len(event["Records"]) == 1
    rec = event["Records"][0]
    assert rec["EventSource"] == "aws:sns" and rec["EventVersion"] == "1.0" and rec["EventSubscriptionArn"] == sub
    s = rec["Sns"]
    assert s["Type"] == "Notification" and s["MessageId"] == mid and s["TopicArn"] == topic
    assert s["Subject"] == "Hello" and s["Message"] == "for me"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s["Timestamp"]), s["Timestamp"]
    assert s["SignatureVersion"] == "1"
    assert s["UnsubscribeUrl"] == ep + "/?Action=Unsubscribe&SubscriptionArn=" + sub
    assert s["MessageAttributes"] == {"color": {"Type": "String", "Value": "crimson"},
                                      "size": {"Type": "Number", "Value": "12"},
                                      "blob": {"Type": "Binary", "Value": "AAE="}}
    # The signature verifies with the certificate at SigningCertUrl, over AWS's canonical string.
    cert = urllib.request.urlopen(s["SigningCertUrl"], timeout=10).read()
    canonical = "".join(f"{k}\n{s[k]}\n" for k in ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))
    assert openssl_verifies(cert, canonical, s["Signature"], tmp_path)


class Endpoint:
    """A small HTTP server that records each POST (headers, body) and answers 200."""

    def __init__(self):
        self.posts = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.posts.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self):
        return self.posts.get(timeout=30)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    e = Endpoint()
    yield e
    e.close()


def test_http_subscription_handshake_and_notifications(shared_nimbus, endpoint):
    sns = sns_client(shared_nimbus.endpoint)
    topic = sns.create_topic(Name="orders-http")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)["SubscriptionArn"] == \
        "pending confirmation"
    headers, body = endpoint.next()
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    c = json.loads(body)
    assert c["Type"] == "SubscriptionConfirmation" and c["TopicArn"] == topic and headers["x-amz-sns-message-id"] == \
        c["MessageId"]
    assert c["SubscribeURL"].startswith(shared_nimbus.endpoint + "/?Action=ConfirmSubscription&")
    assert c["Token"] and c["SignatureVersion"] == "1" and c["Signature"] and c["SigningCertURL"]
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"] == \
        "PendingConfirmation"
    # Visiting the SubscribeURL confirms it, as with AWS.
    answer = urllib.request.urlopen(c["SubscribeURL"], timeout=10).read().decode()
    sub = re.search(r"<SubscriptionArn>(.*)</SubscriptionArn>", answer).group(1)
    assert sub.startswith(topic + ":")
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"] == sub
    mid = sns.publish(TopicArn=topic, Message="hello", Subject="Greeting",
                      MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})["MessageId"]
    headers, body = endpoint.next()
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == mid
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["x-amz-sns-subscription-arn"] == sub
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    n = json.loads(body)
    assert list(n) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                       "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert n["MessageId"] == mid and n["Message"] == "hello" and n["Subject"] == "Greeting"
    assert n["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    # Raw delivery: the message itself.
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.publish(TopicArn=topic, Message="raw body")
    headers, body = endpoint.next()
    assert body == "raw body" and headers["x-amz-sns-rawdelivery"] == "true"
    # A second endpoint confirmed through the API with its token.
    second = Endpoint()
    try:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=second.url)
        token = json.loads(second.next()[1])["Token"]
        arn = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
        assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["ConfirmationWasAuthenticated"] == "true"
        bad = None
        try:
            sns.confirm_subscription(TopicArn=topic, Token="nope")
        except sns.exceptions.InvalidParameterException as e:
            bad = e.response["Error"]["Message"]
        assert bad == "Invalid parameter: Token"
    finally:
        second.close()
    # The UnsubscribeURL removes it.
    urllib.request.urlopen(n["UnsubscribeURL"], timeout=10).read()
    assert sub not in [s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]]


def test_acknowledged_publishes_survive_kill9(tmp_path):
    """Every Publish answered before a kill -9 is delivered after the restart: the ones whose POST
    was under way when nimbus died (their endpoint held them) and the ones still queued."""
    from conftest import Nimbus
    release = threading.Event()
    got = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if self.headers.get("x-amz-sns-message-type") == "Notification" and not release.is_set():
                release.wait(30)  # held until nimbus is dead; then answered to nobody
                self.send_response(500)
            else:
                got.put(json.loads(body))
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/hook" % http_server.server_address[1]
    server = Nimbus(tmp_path / "data").start()
    again = None
    try:
        sns = sns_client(server.endpoint)
        topic = sns.create_topic(Name="durable")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url)
        urllib.request.urlopen(got.get(timeout=30)["SubscribeURL"], timeout=10).read()
        ids = {sns.publish(TopicArn=topic, Message="m%d" % i)["MessageId"] for i in range(20)}
        server.kill9()
        release.set()
        again = Nimbus(tmp_path / "data").start()
        seen = set()
        while not ids <= seen:
            seen.add(got.get(timeout=30)["MessageId"])
    finally:
        release.set()
        if again:
            assert again.stop() == 0, again.log_text()
        http_server.shutdown()
        http_server.server_close()
