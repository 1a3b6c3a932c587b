"""Lambda as deploy scripts and Terraform drive it (issue 12): deleting one
version, the calls Terraform's provider makes, parameters that used to be
accepted and dropped, --publish, weighted aliases, Invoke's errors and code
from S3, with boto3 and the AWS CLI."""
import json
import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, python_zip, run_aws
from test_lambda import ROLE, lambda_client

APP = r'''
import json, os

def handler(event, context):
    return {"mark": os.environ.get("MARK", ""), "version": context.function_version}
'''


def package(text=APP):
    return python_zip({"app.py": text})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("lambda12") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


@pytest.fixture
def lam(server):
    return lambda_client(server.endpoint)


def create(lam, name, **kw):
    args = dict(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                Code={"ZipFile": package()}, Timeout=10)
    args.update(kw)
    return lam.create_function(**args)


def publish(lam, name, mark):
    """Changes $LATEST (so there is something new to publish) and publishes it."""
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"MARK": mark}})
    return lam.publish_version(FunctionName=name)["Version"]


def versions(lam, name):
    return [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


# 1. DeleteFunction with a Qualifier (data loss: it deleted the whole function).

def test_delete_one_version_boto3(lam):
    create(lam, "delv")
    assert [publish(lam, "delv", m) for m in "abc"] == ["1", "2", "3"]
    lam.create_alias(FunctionName="delv", Name="live", FunctionVersion="1")
    lam.delete_function(FunctionName="delv", Qualifier="2")
    assert versions(lam, "delv") == ["$LATEST", "1", "3"]
    assert lam.get_function(FunctionName="delv")["Configuration"]["Version"] == "$LATEST"

    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="delv", Qualifier="2")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="delv", Qualifier="$LATEST")
    assert error_of(e) == ("InvalidParameterValueException",
                           "$LATEST version cannot be deleted without deleting the function.")
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="delv", Qualifier="1")
    assert error_of(e) == ("ResourceConflictException",
                           "Unable to delete version because the following aliases reference it: [live]")
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName="delv:live")
    assert error_of(e)[0] == "InvalidParameterValueException"
    assert versions(lam, "delv") == ["$LATEST", "1", "3"]
    # A deleted number is not reused.
    lam.delete_function(FunctionName="delv", Qualifier="3")
    assert publish(lam, "delv", "d") == "4"
    assert lam.invoke(FunctionName="delv", Qualifier="live")["ExecutedVersion"] == "1"
    lam.delete_function(FunctionName="delv")
    with pytest.raises(ClientError):
        lam.get_function(FunctionName="delv")


def test_delete_one_version_cli(server, lam):
    create(lam, "delcli")
    publish(lam, "delcli", "a")
    publish(lam, "delcli", "b")
    ep = server.endpoint
    run_aws(ep, "lambda", "delete-function", "--function-name", "delcli", "--qualifier", "1")
    assert versions(lam, "delcli") == ["$LATEST", "2"]
    r = run_aws(ep, "lambda", "delete-function", "--function-name", "delcli", "--qualifier", "7", check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr
    r = run_aws(ep, "lambda", "delete-function", "--function-name", "delcli", "--qualifier", "$LATEST", check=False)
    assert r.returncode != 0 and "InvalidParameterValueException" in r.stderr
    assert versions(lam, "delcli") == ["$LATEST", "2"]
    run_aws(ep, "lambda", "delete-function", "--function-name", "delcli")
    r = run_aws(ep, "lambda", "get-function", "--function-name", "delcli", check=False)
    assert "ResourceNotFoundException" in r.stderr


# 2. What Terraform's provider calls besides CRUD.

def test_tags_policy_and_settings_boto3(lam):
    arn = create(lam, "tfcalls", Tags={"env": "test"})["FunctionArn"]
    assert lam.get_function(FunctionName="tfcalls")["Tags"] == {"env": "test"}
    lam.tag_resource(Resource=arn, Tags={"team": "a"})
    lam.untag_resource(Resource=arn, TagKeys=["env"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}

    out = lam.add_permission(FunctionName="tfcalls", StatementId="s3", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::photos")
    assert json.loads(out["Statement"])["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::photos"
    with pytest.raises(ClientError) as e:
        lam.add_permission(FunctionName="tfcalls", StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
    assert error_of(e)[0] == "ResourceConflictException"
    got = lam.get_policy(FunctionName="tfcalls")
    policy = json.loads(got["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s3"] and got["RevisionId"]
    lam.remove_permission(FunctionName="tfcalls", StatementId="s3")
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName="tfcalls")
    assert error_of(e)[0] == "ResourceNotFoundException"

    assert lam.get_account_settings()["AccountUsage"]["FunctionCount"] >= 1
    assert "CodeSigningConfigArn" not in lam.get_function_code_signing_config(FunctionName="tfcalls")
    if hasattr(lam, "get_runtime_management_config"):  # botocore >= 1.29
        assert lam.get_runtime_management_config(FunctionName="tfcalls")["UpdateRuntimeOn"] == "Auto"
    assert lam.list_function_event_invoke_configs(FunctionName="tfcalls")["FunctionEventInvokeConfigs"] == []
    lam.put_function_event_invoke_config(FunctionName="tfcalls", MaximumRetryAttempts=0)
    assert len(lam.list_function_event_invoke_configs(FunctionName="tfcalls")["FunctionEventInvokeConfigs"]) == 1
    lam.delete_function(FunctionName="tfcalls")


def test_tags_and_permission_cli(server, lam):
    ep = server.endpoint
    z = python_zip({"app.py": APP})
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".zip") as f:
        f.write(z)
        f.flush()
        out = json.loads(run_aws(ep, "lambda", "create-function", "--function-name", "tfcli", "--runtime", "python3.11",
                                 "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{f.name}",
                                 "--tags", "env=test,team=a").stdout)
    assert json.loads(run_aws(ep, "lambda", "list-tags", "--resource", out["FunctionArn"]).stdout)["Tags"] == \
        {"env": "test", "team": "a"}
    run_aws(ep, "lambda", "add-permission", "--function-name", "tfcli", "--statement-id", "any",
            "--action", "lambda:InvokeFunction", "--principal", "*")
    policy = json.loads(json.loads(run_aws(ep, "lambda", "get-policy", "--function-name", "tfcli").stdout)["Policy"])
    assert policy["Statement"][0]["Principal"] == "*"
    r = run_aws(ep, "lambda", "add-permission", "--function-name", "tfcli", "--statement-id", "any",
                "--action", "lambda:InvokeFunction", "--principal", "*", check=False)
    assert r.returncode != 0 and "ResourceConflictException" in r.stderr
    run_aws(ep, "lambda", "delete-function", "--function-name", "tfcli")


# 3. Parameters that used to be accepted and dropped.

def zip_file(tmp_path, text=APP):
    z = tmp_path / "fn.zip"
    z.write_bytes(package(text))
    return f"fileb://{z}"


def test_stored_parameters_cli(server, tmp_path):
    ep = server.endpoint
    out = json.loads(run_aws(ep, "lambda", "create-function", "--function-name", "params", "--runtime", "python3.11",
                             "--handler", "app.handler", "--role", ROLE, "--zip-file", zip_file(tmp_path),
                             "--architectures", "arm64", "--tracing-config", "Mode=Active",
                             "--vpc-config", "SubnetIds=subnet-1,SecurityGroupIds=sg-1").stdout)
    assert out["Architectures"] == ["arm64"] and out["TracingConfig"] == {"Mode": "Active"}
    assert out["VpcConfig"]["SubnetIds"] == ["subnet-1"] and out["VpcConfig"]["SecurityGroupIds"] == ["sg-1"]
    cfg = json.loads(run_aws(ep, "lambda", "get-function-configuration", "--function-name", "params").stdout)
    assert cfg["Architectures"] == ["arm64"] and cfg["TracingConfig"]["Mode"] == "Active"
    # This host is x86_64: the arm64 function is refused at invoke, saying why.
    r = run_aws(ep, "lambda", "invoke", "--function-name", "params", str(tmp_path / "out.json"), check=False)
    assert r.returncode != 0 and "InvalidRuntimeException" in r.stderr and "built for arm64" in r.stderr
    run_aws(ep, "lambda", "update-function-code", "--function-name", "params", "--zip-file", zip_file(tmp_path),
            "--architectures", "x86_64")
    r = json.loads(run_aws(ep, "lambda", "invoke", "--function-name", "params", str(tmp_path / "out.json")).stdout)
    assert r["StatusCode"] == 200
    run_aws(ep, "lambda", "delete-function", "--function-name", "params")


def test_refused_parameters_cli(server, tmp_path):
    ep = server.endpoint
    base = ["lambda", "create-function", "--function-name", "refused", "--runtime", "python3.11", "--handler",
            "app.handler", "--role", ROLE, "--zip-file", zip_file(tmp_path)]
    for extra, says in [
        (["--dead-letter-config", "TargetArn=arn:aws:sns:us-east-1:000000000000:t"], "does not exist"),  # SQS and SNS are served
        (["--environment", "Variables={AWS_REGION=eu-west-1}"], "Reserved keys used in this request: AWS_REGION"),
        (["--environment", "Variables={BIG=" + "x" * 4100 + "}"], "exceeded the 4KB limit"),
        (["--layers", "arn:aws:lambda:us-east-1:000000000000:layer:l:1"], "Layers is not supported"),
    ]:
        r = run_aws(ep, *base, *extra, check=False)
        assert r.returncode != 0 and "InvalidParameterValueException" in r.stderr and says in r.stderr, r.stderr
    r = run_aws(ep, "lambda", "get-function", "--function-name", "refused", check=False)
    assert "ResourceNotFoundException" in r.stderr


def test_revision_and_sha_checks_boto3(lam):
    created = create(lam, "revs")
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName="revs", Timeout=5, RevisionId="stale")
    assert error_of(e)[0] == "PreconditionFailedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    updated = lam.update_function_configuration(FunctionName="revs", Timeout=5, RevisionId=created["RevisionId"])
    with pytest.raises(ClientError) as e:
        lam.publish_version(FunctionName="revs", CodeSha256="bm90IHRoZSBoYXNo")
    assert error_of(e)[0] == "InvalidParameterValueException"
    v = lam.publish_version(FunctionName="revs", CodeSha256=created["CodeSha256"], RevisionId=updated["RevisionId"])
    assert v["Version"] == "1"
    with pytest.raises(ClientError) as e:
        lam.put_function_event_invoke_config(
            FunctionName="revs",
            DestinationConfig={"OnSuccess": {"Destination": "arn:aws:events:us-east-1:000000000000:event-bus/b"}})
    assert error_of(e)[0] == "InvalidParameterValueException" and "OnSuccess" in error_of(e)[1]
    lam.delete_function(FunctionName="revs")


# 4. --publish

def test_publish_on_create_and_update_cli(server, lam, tmp_path):
    ep = server.endpoint
    out = json.loads(run_aws(ep, "lambda", "create-function", "--function-name", "pub", "--runtime", "python3.11",
                             "--handler", "app.handler", "--role", ROLE, "--zip-file", zip_file(tmp_path),
                             "--publish").stdout)
    assert out["Version"] == "1" and out["FunctionArn"].endswith(":pub:1")
    v2 = APP.replace('os.environ.get("MARK", "")', '"two"')
    out = json.loads(run_aws(ep, "lambda", "update-function-code", "--function-name", "pub", "--zip-file",
                             zip_file(tmp_path, v2), "--publish").stdout)
    assert out["Version"] == "2"
    assert versions(lam, "pub") == ["$LATEST", "1", "2"]
    r = lam.invoke(FunctionName="pub", Qualifier="2")
    assert r["ExecutedVersion"] == "2" and json.loads(r["Payload"].read())["mark"] == "two"
    r = lam.invoke(FunctionName="pub", Qualifier="1")
    assert json.loads(r["Payload"].read())["mark"] == ""
    lam.delete_function(FunctionName="pub")


# 5. Weighted aliases

def test_weighted_alias_routes_by_weight(server, lam):
    create(lam, "weighted")
    assert publish(lam, "weighted", "one") == "1"
    assert publish(lam, "weighted", "two") == "2"
    lam.create_alias(FunctionName="weighted", Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    ran = {"1": 0, "2": 0}
    for _ in range(60):
        r = lam.invoke(FunctionName="weighted", Qualifier="live")
        body = json.loads(r["Payload"].read())
        # The header says which version ran, and it is the one that answered.
        assert body["version"] == r["ExecutedVersion"]
        assert body["mark"] == {"1": "one", "2": "two"}[r["ExecutedVersion"]]
        ran[r["ExecutedVersion"]] += 1
    assert ran["1"] > 10 and ran["2"] > 10, ran
    # The CLI's shorthand, and back to one version.
    out = json.loads(run_aws(server.endpoint, "lambda", "update-alias", "--function-name", "weighted", "--name", "live",
                             "--routing-config", "AdditionalVersionWeights={}").stdout)
    assert "RoutingConfig" not in out or not out["RoutingConfig"].get("AdditionalVersionWeights")
    assert {lam.invoke(FunctionName="weighted", Qualifier="live")["ExecutedVersion"] for _ in range(10)} == {"1"}
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName="weighted", Name="live",
                         RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}})
    assert error_of(e)[0] == "InvalidParameterValueException"
    lam.delete_function(FunctionName="weighted")


# 6. Invoke's errors and async request ids

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_invoke_payload_errors(server, lam, tmp_path):
    create(lam, "payloads")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="payloads", Payload=b"not json")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_of(e)[0] == "InvalidRequestContentException"
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="payloads", InvocationType="Event", Payload=b"{broken")
    assert error_of(e)[0] == "InvalidRequestContentException"
    r = run_aws(server.endpoint, "lambda", "invoke", "--function-name", "payloads", "--cli-binary-format",
                "raw-in-base64-out", "--payload", "nope", str(tmp_path / "o.json"), check=False)
    assert r.returncode != 0 and "InvalidRequestContentException" in r.stderr
    big = json.dumps({"x": "y" * (6 * 1024 * 1024)}).encode()
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="payloads", Payload=big)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error_of(e)[0] == "RequestEntityTooLargeException"
    assert lam.invoke(FunctionName="payloads", Payload=b'"a string is JSON"')["StatusCode"] == 200
    lam.delete_function(FunctionName="payloads")


def test_async_request_ids_are_uuids(server, lam):
    create(lam, "asyncids")
    before = len(re.findall(r"END RequestId: ", server.log_text()))
    rid = lam.invoke(FunctionName="asyncids", InvocationType="Event",
                     Payload=b"{}")["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert UUID.fullmatch(rid), rid
    # A bucket event's invocation too (it was "s3-event-N").
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="ids")
    s3.put_bucket_notification_configuration(Bucket="ids", NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:asyncids",
         "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="ids", Key="k", Body=b"x")
    deadline = time.time() + 30
    ids = []
    while time.time() < deadline:
        ids = re.findall(r"END RequestId: (\S+)", server.log_text())[before:]
        if len(ids) >= 2:
            break
        time.sleep(0.2)
    assert len(ids) == 2 and all(UUID.fullmatch(i) for i in ids) and rid in ids, ids
    s3.delete_object(Bucket="ids", Key="k")
    s3.delete_bucket(Bucket="ids")
    lam.delete_function(FunctionName="asyncids")


# 7. Code from S3 past the 50 MB upload limit

def test_code_from_s3_may_be_larger_than_50mb_zipped(server, lam, tmp_path):
    import io
    import os
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("app.py", APP)
        z.writestr("blob.bin", os.urandom(55 << 20))  # incompressible: the zip stays over 50 MB
    data = buf.getvalue()
    assert len(data) > 50 << 20
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="bigcode")
    s3.put_object(Bucket="bigcode", Key="fn.zip", Body=data)
    out = create(lam, "bigcode", Code={"S3Bucket": "bigcode", "S3Key": "fn.zip"})
    assert out["CodeSize"] == len(data)
    assert lam.invoke(FunctionName="bigcode")["StatusCode"] == 200
    lam.update_function_code(FunctionName="bigcode", S3Bucket="bigcode", S3Key="fn.zip")
    lam.delete_function(FunctionName="bigcode")
    s3.delete_object(Bucket="bigcode", Key="fn.zip")
    s3.delete_bucket(Bucket="bigcode")
