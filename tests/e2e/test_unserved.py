"""A service nimbus does not serve gets a clear error in that service's own
protocol, which both CLIs print as such: Kinesis (JSON 1.1), DynamoDB (JSON 1.0)
and IAM (query). (SQS, the example of a service answered in either protocol,
is served now: test_sqs.py.)"""
import subprocess

import pytest

from conftest import aws_clis, client_env


@pytest.fixture(params=aws_clis() or [None])
def cli(request):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return request.param


@pytest.mark.parametrize("args,message", [
    (("kinesis", "list-streams"), "nimbus does not serve Kinesis (kinesis) yet"),
    (("dynamodb", "list-tables"), "nimbus does not serve DynamoDB (dynamodb) yet"),
    (("iam", "list-roles"), "nimbus does not serve IAM (iam) yet"),
])
def test_unserved_service_is_named(shared_nimbus, cli, args, message):
    env = client_env({"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})
    r = subprocess.run([cli, "--endpoint-url", shared_nimbus.endpoint, *args], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
    assert "Unable to parse" not in r.stderr and "invalid XML" not in r.stderr, r.stderr
