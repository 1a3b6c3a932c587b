"""SNS → SQS against a real nimbus serve, with both boto3s (query SQS from
boto3 1.26, JSON 1.0 from the newer one): a topic fanned out to two queues,
one receiving AWS's envelope, the other the raw message with its attributes
as SQS message attributes and a filter policy; a FIFO topic into a FIFO
queue (group order, deduplication); a subscription whose deliveries cannot
succeed (a function that does not exist) dead-lettered into an SQS queue by
its RedrivePolicy."""
import textwrap

import pytest

from test_sqs import py, run_py  # noqa: F401  (py is a fixture)

SNS_PRELUDE = textwrap.dedent('''
    sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    def arn(name):
        return "arn:aws:sqs:us-east-1:000000000000:" + name
    def receive_all(q, want, timeout=20):
        got, deadline = [], time.time() + timeout
        while len(got) < want and time.time() < deadline:
            r = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=2,
                                    MessageAttributeNames=["All"], AttributeNames=["All"])
            for m in r.get("Messages", []):
                got.append(m)
                sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
        return got
''')


def run(py, endpoint, body, prefix):
    return run_py(py, endpoint, SNS_PRELUDE + textwrap.dedent(body), prefix)


def test_fan_out_to_two_queues_envelope_and_raw_with_a_filter_policy(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        topic = sns.create_topic(Name=P + "-orders")["TopicArn"]
        env_q = sqs.create_queue(QueueName=P + "-orders-envelope")["QueueUrl"]
        raw_q = sqs.create_queue(QueueName=P + "-orders-raw")["QueueUrl"]
        s1 = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(P + "-orders-envelope"),
                           ReturnSubscriptionArn=True)["SubscriptionArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(P + "-orders-raw"), ReturnSubscriptionArn=True,
                      Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["big"]})})
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert sorted(s["Protocol"] for s in subs) == ["sqs", "sqs"], subs
        assert all(s["SubscriptionArn"].startswith(topic + ":") for s in subs), subs  # sqs needs no confirmation
        small = sns.publish(TopicArn=topic, Message="small order", Subject="new",
                            MessageAttributes={"kind": {"DataType": "String", "StringValue": "small"}})["MessageId"]
        big = sns.publish(TopicArn=topic, Message="big order",
                          MessageAttributes={"kind": {"DataType": "String", "StringValue": "big"},
                                             "n": {"DataType": "Number", "StringValue": "42"},
                                             "b": {"DataType": "Binary", "BinaryValue": b"\\x00\\x01"}})["MessageId"]

        env = receive_all(env_q, 2)
        assert len(env) == 2, env
        by_id = {json.loads(m["Body"])["MessageId"]: json.loads(m["Body"]) for m in env}
        e = by_id[small]
        assert e["Type"] == "Notification" and e["TopicArn"] == topic and e["Message"] == "small order", e
        assert e["Subject"] == "new" and e["SignatureVersion"] == "1" and e["Signature"], e
        assert e["SigningCertURL"].endswith(".pem") and "Unsubscribe" in e["UnsubscribeURL"], e
        assert s1 in e["UnsubscribeURL"], e
        assert e["MessageAttributes"] == {"kind": {"Type": "String", "Value": "small"}}, e
        assert e["Timestamp"].endswith("Z"), e
        assert "Subject" not in by_id[big] or by_id[big]["Subject"] is None, by_id[big]
        assert by_id[big]["MessageAttributes"]["b"] == {"Type": "Binary", "Value": "AAE="}, by_id[big]

        raw = receive_all(raw_q, 1)
        assert [m["Body"] for m in raw] == ["big order"], raw  # the filter policy kept "small" out
        ma = raw[0]["MessageAttributes"]
        assert ma["kind"] == {"StringValue": "big", "DataType": "String"}, ma
        assert ma["n"] == {"StringValue": "42", "DataType": "Number"}, ma
        assert ma["b"] == {"BinaryValue": b"\\x00\\x01", "DataType": "Binary"}, ma
        # Nothing else arrives in the raw queue.
        assert sqs.receive_message(QueueUrl=raw_q, WaitTimeSeconds=1).get("Messages") is None
    ''', prefix_of(py))


def test_fifo_topic_into_a_fifo_queue_keeps_group_order_and_dedups(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        topic = sns.create_topic(Name=P + "-f.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        q = sqs.create_queue(QueueName=P + "-f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(P + "-f.fifo"),
                      Attributes={"RawMessageDelivery": "true"})
        for i in range(5):
            sns.publish(TopicArn=topic, Message="m%d" % i, MessageGroupId="g", MessageDeduplicationId="d%d" % i)
        sns.publish(TopicArn=topic, Message="again", MessageGroupId="g", MessageDeduplicationId="d0")  # a duplicate
        got = receive_all(q, 5)
        assert [m["Body"] for m in got] == ["m0", "m1", "m2", "m3", "m4"], [m["Body"] for m in got]
        assert all(m["Attributes"]["MessageGroupId"] == "g" for m in got), got
        assert sqs.receive_message(QueueUrl=q, WaitTimeSeconds=1).get("Messages") is None
    ''', prefix_of(py))


def test_undeliverable_messages_go_to_the_subscription_dead_letter_queue(shared_nimbus, py):
    run(py, shared_nimbus.endpoint, '''
        topic = sns.create_topic(Name=P + "-lost")["TopicArn"]
        dlq = sqs.create_queue(QueueName=P + "-lost-dlq")["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="lambda",
                      Endpoint="arn:aws:lambda:us-east-1:000000000000:function:" + P + "-no-such-function",
                      Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn(P + "-lost-dlq")})})
        mid = sns.publish(TopicArn=topic, Message="nobody home")["MessageId"]
        got = receive_all(dlq, 1, timeout=30)
        assert len(got) == 1, got
        body = json.loads(got[0]["Body"])
        body = body["Records"][0]["Sns"] if "Records" in body else body  # what the endpoint would have got
        assert body["MessageId"] == mid and body["Message"] == "nobody home" and body["TopicArn"] == topic, body
    ''', prefix_of(py))


def prefix_of(py):
    return "sq" if py == "/usr/bin/python3" else "sj"
