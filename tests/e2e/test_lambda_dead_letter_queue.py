"""A function's DeadLetterConfig to an SQS queue or an SNS topic: an Event
invocation that fails every attempt lands in the queue (or is published to
the topic) as Lambda sends it (the event as the body; RequestID, ErrorCode
and ErrorMessage as message attributes), and the configuration reads back.
A target that does not exist is refused."""
import json

import pytest

from conftest import Nimbus, python_zip
from test_lambda import ROLE, lambda_client, wait_for

APP = '''
def handler(event, context):
    raise ValueError("no luck with " + event["item"])
'''


def sqs_client(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))


def fail_and_expect_dead_letter(lam, sqs, url, item):
    """Invokes the failing function with `item` and checks its dead letter arrives in `url` as Lambda sends it."""
    queued = lam.invoke(FunctionName="unlucky", InvocationType="Event", Payload=json.dumps({"item": item}))
    request_id = queued["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    got = []

    def arrived():
        r = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, MessageAttributeNames=["All"])
        got.extend(r.get("Messages", []))
        return got

    wait_for(arrived, timeout=60, what="the dead letter in " + url)
    m = got[0]
    assert json.loads(m["Body"]) == {"item": item}, m
    attrs = m["MessageAttributes"]
    assert attrs["RequestID"] == {"StringValue": request_id, "DataType": "String"}, attrs
    assert attrs["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}, attrs
    assert "no luck with " + item in attrs["ErrorMessage"]["StringValue"], attrs


def test_failed_event_invocations_go_to_the_dead_letter_queue(tmp_path):
    server = Nimbus(tmp_path / "data", ["--async-retry-delays-ms", "100", "100"]).start()
    try:
        sqs = sqs_client(server.endpoint)
        url = sqs.create_queue(QueueName="fn-dlq")["QueueUrl"]
        dlq = "arn:aws:sqs:us-east-1:000000000000:fn-dlq"
        lam = lambda_client(server.endpoint)
        lam.create_function(FunctionName="unlucky", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": python_zip({"app.py": APP})}, Timeout=5,
                            DeadLetterConfig={"TargetArn": dlq})
        assert lam.get_function_configuration(FunctionName="unlucky")["DeadLetterConfig"] == {"TargetArn": dlq}
        fail_and_expect_dead_letter(lam, sqs, url, "seven")

        # Removing it: an empty target.
        lam.update_function_configuration(FunctionName="unlucky", DeadLetterConfig={"TargetArn": ""})
        wait_for(lambda: lam.get_function_configuration(FunctionName="unlucky")["LastUpdateStatus"] == "Successful")
        assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName="unlucky")

        from botocore.exceptions import ClientError
        with pytest.raises(ClientError) as e:
            lam.update_function_configuration(FunctionName="unlucky",
                                              DeadLetterConfig={"TargetArn": "arn:aws:sns:us-east-1:000000000000:t"})
        assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert "does not exist" in e.value.response["Error"]["Message"]

        # An SNS topic as the target: the dead letter is published with the same attributes,
        # seen here through a raw SQS subscription.
        import boto3
        sns = boto3.client("sns", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        topic = sns.create_topic(Name="fn-dead")["TopicArn"]
        seen = sqs.create_queue(QueueName="fn-dead-seen")["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:fn-dead-seen",
                      Attributes={"RawMessageDelivery": "true"})
        lam.update_function_configuration(FunctionName="unlucky", DeadLetterConfig={"TargetArn": topic})
        wait_for(lambda: lam.get_function_configuration(FunctionName="unlucky")["LastUpdateStatus"] == "Successful")
        assert lam.get_function_configuration(FunctionName="unlucky")["DeadLetterConfig"] == {"TargetArn": topic}
        fail_and_expect_dead_letter(lam, sqs, seen, "eight")
    finally:
        assert server.stop() == 0
