"""STS against nimbus with every client on this machine: Debian's AWS CLI v2
(/usr/bin/aws), the `aws` on PATH (a newer botocore), and boto3 from
/usr/bin/python3 and from the python3 on PATH. get-caller-identity answers
the caller's account and ARN; assume-role returns credentials nimbus then
accepts (and refuses without their session token)."""
import json
import os
import subprocess
import textwrap

import pytest

from conftest import aws_clis, boto3_pythons, client_env

ROLE = "arn:aws:iam::000000000000:role/deployer"


def cli_param(name):
    return pytest.param(name, id=os.path.basename(os.path.dirname(name)) + "-aws")


def run_cli(cli, endpoint, *args, env=None):
    return subprocess.run([cli, "--endpoint-url", endpoint, "--output", "json", *args], env=env or client_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(params=aws_clis() or [None])
def cli(request):
    if request.param is None:
        pytest.skip("no AWS CLI on this machine")
    return request.param


def test_get_caller_identity(shared_nimbus, cli):
    r = run_cli(cli, shared_nimbus.endpoint, "sts", "get-caller-identity")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out == {"UserId": "test", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:user/test"}


def test_assume_role_credentials_work(shared_nimbus, cli):
    r = run_cli(cli, shared_nimbus.endpoint, "sts", "assume-role", "--role-arn", ROLE, "--role-session-name", "e2e",
                "--duration-seconds", "900")
    assert r.returncode == 0, r.stderr
    creds = json.loads(r.stdout)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert json.loads(r.stdout)["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/deployer/e2e"
    env = client_env({"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                      "AWS_SESSION_TOKEN": creds["SessionToken"]})
    who = run_cli(cli, shared_nimbus.endpoint, "sts", "get-caller-identity", env=env)
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Arn"] == "arn:aws:sts::000000000000:assumed-role/deployer/e2e"
    # The session's key works for the other services too: S3 and Lambda.
    ls = run_cli(cli, shared_nimbus.endpoint, "lambda", "list-functions", env=env)
    assert ls.returncode == 0, ls.stderr
    s3 = run_cli(cli, shared_nimbus.endpoint, "s3api", "list-buckets", env=env)
    assert s3.returncode == 0, s3.stderr
    # Without its token the key is refused, as AWS refuses it.
    env.pop("AWS_SESSION_TOKEN")
    bad = run_cli(cli, shared_nimbus.endpoint, "sts", "get-caller-identity", env=env)
    assert bad.returncode != 0
    assert "InvalidClientTokenId" in bad.stderr and "Unable to parse" not in bad.stderr, bad.stderr


def test_assume_role_refuses_what_it_does_not_support(shared_nimbus, cli):
    r = run_cli(cli, shared_nimbus.endpoint, "sts", "assume-role", "--role-arn", ROLE, "--role-session-name", "e2e",
                "--policy", '{"Version":"2012-10-17","Statement":[]}')
    assert r.returncode != 0
    assert "nimbus does not support the parameter Policy of AssumeRole yet" in r.stderr, r.stderr


BOTO3_SCRIPT = textwrap.dedent("""
    import json, sys, boto3
    from botocore.config import Config
    ep = sys.argv[1]
    kw = dict(endpoint_url=ep, region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
    sts = boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="test", **kw)
    me = sts.get_caller_identity()
    c = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/deployer", RoleSessionName="boto3")["Credentials"]
    session = boto3.client("sts", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                           aws_session_token=c["SessionToken"], **kw)
    # Past the client's own checks (parameter_validation off), the server's, in AWS's words.
    raw = boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="test", endpoint_url=ep,
                       region_name="us-east-1", config=Config(retries={"max_attempts": 0}, parameter_validation=False))
    try:
        raw.assume_role(RoleArn="arn:aws:iam::000000000000:role/deployer", RoleSessionName="b", DurationSeconds=100)
        refused = None
    except raw.exceptions.ClientError as e:
        refused = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
    print(json.dumps({"account": me["Account"], "arn": me["Arn"], "assumed": session.get_caller_identity()["Arn"],
                      "refused": refused}))
""")


@pytest.mark.parametrize("python", boto3_pythons() or [None])
def test_boto3(shared_nimbus, python):
    if python is None:
        pytest.skip("no python3 with boto3")
    r = subprocess.run([python, "-c", BOTO3_SCRIPT, shared_nimbus.endpoint], env=client_env(), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "account": "000000000000", "arn": "arn:aws:iam::000000000000:user/test",
        "assumed": "arn:aws:sts::000000000000:assumed-role/deployer/boto3",
        "refused": ["ValidationError",
                    "2 validation errors detected: Value 'b' at 'roleSessionName' failed to satisfy constraint: Member "
                    "must have length greater than or equal to 2; Value '100' at 'durationSeconds' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 900", 400]}
