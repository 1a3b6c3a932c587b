"""Conditional writes (issue 12, data loss 3): If-None-Match: * and If-Match on
PutObject, CopyObject, CompleteMultipartUpload and DeleteObject answer 412 /
404 as S3 does, and a write that loses a race while its body is still
arriving answers 409 ConditionalRequestConflict. Terraform's S3 backend lock
(use_lockfile) is exactly this."""
import http.client
import json
import os
import shutil
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, client_env, run_aws
from sigv4 import Signer


def error_of(exc_info):
    r = exc_info.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def with_headers(s3, headers):
    """Debian's boto3 1.26 predates IfNoneMatch/IfMatch: add them on the wire."""
    def add(request, **kwargs):
        for k, v in headers.items():
            request.headers[k] = v
    s3.meta.events.register_first("before-sign.s3", add)
    return lambda: s3.meta.events.unregister("before-sign.s3", add)


def call_with(s3, headers, fn, **kwargs):
    done = with_headers(s3, headers)
    try:
        return fn(**kwargs)
    finally:
        done()


def test_put_object_conditions_boto3(s3):
    s3.create_bucket(Bucket="cond")
    etag = call_with(s3, {"If-None-Match": "*"}, s3.put_object, Bucket="cond", Key="lock", Body=b"one")["ETag"]
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-None-Match": "*"}, s3.put_object, Bucket="cond", Key="lock", Body=b"two")
    assert error_of(e) == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": '"wrong"'}, s3.put_object, Bucket="cond", Key="lock", Body=b"two")
    assert error_of(e) == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": etag}, s3.put_object, Bucket="cond", Key="absent", Body=b"two")
    assert error_of(e) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-None-Match": etag}, s3.put_object, Bucket="cond", Key="lock", Body=b"two")
    assert error_of(e) == (501, "NotImplemented")
    assert s3.get_object(Bucket="cond", Key="lock")["Body"].read() == b"one"
    etag2 = call_with(s3, {"If-Match": etag}, s3.put_object, Bucket="cond", Key="lock", Body=b"three")["ETag"]
    assert s3.get_object(Bucket="cond", Key="lock")["Body"].read() == b"three"

    # DeleteObject If-Match: only the object the client saw.
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": etag}, s3.delete_object, Bucket="cond", Key="lock")
    assert error_of(e) == (412, "PreconditionFailed")
    call_with(s3, {"If-Match": etag2}, s3.delete_object, Bucket="cond", Key="lock")
    call_with(s3, {"If-None-Match": "*"}, s3.put_object, Bucket="cond", Key="lock", Body=b"four")


def test_copy_and_complete_conditions_boto3(s3):
    s3.create_bucket(Bucket="condc")
    s3.put_object(Bucket="condc", Key="src", Body=b"source")
    s3.put_object(Bucket="condc", Key="dst", Body=b"taken")
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-None-Match": "*"}, s3.copy_object, Bucket="condc", Key="dst",
                  CopySource={"Bucket": "condc", "Key": "src"})
    assert error_of(e) == (412, "PreconditionFailed")
    call_with(s3, {"If-None-Match": "*"}, s3.copy_object, Bucket="condc", Key="new",
              CopySource={"Bucket": "condc", "Key": "src"})
    assert s3.get_object(Bucket="condc", Key="dst")["Body"].read() == b"taken"

    up = s3.create_multipart_upload(Bucket="condc", Key="dst")
    part = s3.upload_part(Bucket="condc", Key="dst", UploadId=up["UploadId"], PartNumber=1, Body=b"mp")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-None-Match": "*"}, s3.complete_multipart_upload, Bucket="condc", Key="dst",
                  UploadId=up["UploadId"], MultipartUpload=parts)
    assert error_of(e) == (412, "PreconditionFailed")
    # The upload is still there: completing it unconditionally works.
    s3.complete_multipart_upload(Bucket="condc", Key="dst", UploadId=up["UploadId"], MultipartUpload=parts)
    assert s3.get_object(Bucket="condc", Key="dst")["Body"].read() == b"mp"


def test_racing_write_is_409(nimbus, s3):
    """The condition held when the request arrived, and another write committed
    while its body was still coming: 409 ConditionalRequestConflict."""
    s3.create_bucket(Bucket="race")
    body = b"x" * 100_000
    headers = {"host": f"127.0.0.1:{nimbus.port}", "content-length": str(len(body)), "if-none-match": "*"}
    Signer().sign("PUT", "/race/lock", headers, "UNSIGNED-PAYLOAD")
    conn = http.client.HTTPConnection("127.0.0.1", nimbus.port, timeout=30)
    conn.putrequest("PUT", "/race/lock", skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    conn.send(body[:50_000])
    s3.put_object(Bucket="race", Key="lock", Body=b"the other writer")
    conn.send(body[50_000:])
    r = conn.getresponse()
    text = r.read().decode()
    assert r.status == 409, text
    assert "<Code>ConditionalRequestConflict</Code>" in text
    assert s3.get_object(Bucket="race", Key="lock")["Body"].read() == b"the other writer"


MODERN_SCRIPT = r"""
import sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
s3.create_bucket(Bucket="modcond")
e = s3.put_object(Bucket="modcond", Key="lock", Body=b"1", IfNoneMatch="*")["ETag"]
codes = []
for kw in ({"IfNoneMatch": "*"}, {"IfMatch": '"wrong"'}):
    try:
        s3.put_object(Bucket="modcond", Key="lock", Body=b"2", **kw)
        codes.append("ok")
    except ClientError as x:
        codes.append(x.response["Error"]["Code"])
s3.put_object(Bucket="modcond", Key="lock", Body=b"3", IfMatch=e)
try:
    s3.copy_object(Bucket="modcond", Key="lock", CopySource="modcond/lock", IfNoneMatch="*",
                   MetadataDirective="REPLACE")
    codes.append("ok")
except ClientError as x:
    codes.append(x.response["Error"]["Code"])
print(",".join(codes))
"""


def modern_python():
    py = shutil.which("python3")
    if not py or os.path.realpath(py) == os.path.realpath("/usr/bin/python3"):
        return None
    r = subprocess.run([py, "-c", "import botocore.session as s; m = s.get_session().get_service_model('s3');"
                        "print('IfNoneMatch' in m.operation_model('PutObject').input_shape.members)"],
                       capture_output=True, text=True)
    return py if r.stdout.strip() == "True" else None


def test_newest_boto3_if_none_match(nimbus):
    py = modern_python()
    if not py:
        pytest.skip("no boto3 with IfNoneMatch on this machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    r = subprocess.run([py, "-c", MODERN_SCRIPT, nimbus.endpoint], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "PreconditionFailed,PreconditionFailed,PreconditionFailed"


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_aws_cli_if_none_match(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    body = tmp_path / "b"
    body.write_bytes(b"state lock")
    run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "clicond", cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "put-object", "--bucket", "clicond", "--key", "lock", "--body", str(body),
                "--if-none-match", "*", cli=cli, check=False)
    if "Unknown options" in r.stderr:
        pytest.skip(f"{cli} predates --if-none-match")
    assert r.returncode == 0, r.stderr
    r = run_aws(nimbus.endpoint, "s3api", "put-object", "--bucket", "clicond", "--key", "lock", "--body", str(body),
                "--if-none-match", "*", cli=cli, check=False)
    assert r.returncode != 0 and "PreconditionFailed" in r.stderr, r.stderr
    r = run_aws(nimbus.endpoint, "s3api", "put-object", "--bucket", "clicond", "--key", "lock", "--body", str(body),
                "--if-match", '"wrong"', cli=cli, check=False)
    assert r.returncode != 0 and "PreconditionFailed" in r.stderr, r.stderr
