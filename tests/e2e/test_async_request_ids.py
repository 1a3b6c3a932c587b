"""Asynchronous invocations run under UUID request ids, as Lambda's do
(issue 12): an Event invoke's and a bucket notification's alike, the same
id on every retry of one event."""
import re

from conftest import Nimbus, boto3_client, python_zip
from test_lambda import ROLE, lambda_client, wait_for
from test_logs import all_events, logs_client

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
APP = '''
def handler(event, context):
    print("REQUEST", context.aws_request_id)
    if event.get("fail"):
        raise ValueError("again")
'''


def test_async_request_ids_are_uuids(tmp_path):
    server = Nimbus(tmp_path / "data", ["--async-retry-delays-ms", "100", "100"]).start()
    try:
        lam = lambda_client(server.endpoint)
        lam.create_function(FunctionName="rid", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": python_zip({"app.py": APP})}, Timeout=5)
        s3 = boto3_client(server.endpoint)
        s3.create_bucket(Bucket="ids")
        s3.put_bucket_notification_configuration(Bucket="ids", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:rid",
                                              "Events": ["s3:ObjectCreated:*"]}]})
        s3.put_object(Bucket="ids", Key="one", Body=b"x")
        queued = lam.invoke(FunctionName="rid", InvocationType="Event", Payload=b'{"fail": true}')
        event_id = queued["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        logs = logs_client(server.endpoint)

        def requests():
            return [e["message"].split()[1] for e in all_events(logs, "/aws/lambda/rid")
                    if e["message"].startswith("REQUEST ")]

        wait_for(lambda: len(requests()) >= 4, what="the notification's run and the Event invoke's three attempts")
        ids = requests()
        assert all(UUID.fullmatch(i) for i in ids), ids
        assert ids.count(event_id) == 3, (event_id, ids)  # its retries keep its id, as Lambda's
        assert len(set(ids)) == 2
    finally:
        assert server.stop() == 0
