"""Conditional writes (issue 12, data loss 3): If-None-Match: * and If-Match on
PutObject, CopyObject, CompleteMultipartUpload and DeleteObject answer 412 /
404 as S3 does, and a write that loses a race while its body is still
arriving answers 409 ConditionalRequestConflict. Terraform's S3 backend lock
(use_lockfile) is exactly this."""
import http.client
import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, run_aws, run_modern_python
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


def test_newest_boto3_if_none_match(nimbus):
    r = run_modern_python(MODERN_SCRIPT, nimbus.endpoint)
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


def test_conditions_with_a_version_id_boto3(s3):
    """If-Match with a versionId (GetObject, HeadObject, DeleteObject, CopyObject's source) is about the
    ETag of the version addressed, not the current one."""
    s3.create_bucket(Bucket="condv")
    s3.put_bucket_versioning(Bucket="condv", VersioningConfiguration={"Status": "Enabled"})
    r1 = s3.put_object(Bucket="condv", Key="k", Body=b"one")
    r2 = s3.put_object(Bucket="condv", Key="k", Body=b"two")
    (v1, e1), (v2, e2) = (r1["VersionId"], r1["ETag"]), (r2["VersionId"], r2["ETag"])
    assert s3.get_object(Bucket="condv", Key="k", VersionId=v1, IfMatch=e1)["Body"].read() == b"one"
    assert s3.head_object(Bucket="condv", Key="k", VersionId=v1, IfMatch=e1)["ETag"] == e1
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="condv", Key="k", VersionId=v1, IfMatch=e2)
    assert error_of(e) == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="condv", Key="k", VersionId=v1, IfMatch=e2)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    s3.copy_object(Bucket="condv", Key="copy", CopySource={"Bucket": "condv", "Key": "k", "VersionId": v1},
                   CopySourceIfMatch=e1)
    assert s3.get_object(Bucket="condv", Key="copy")["Body"].read() == b"one"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="condv", Key="copy", CopySource={"Bucket": "condv", "Key": "k", "VersionId": v1},
                       CopySourceIfMatch=e2)
    assert error_of(e) == (412, "PreconditionFailed")

    # DeleteObject by version: the current version's ETag does not delete an older one.
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": e2}, s3.delete_object, Bucket="condv", Key="k", VersionId=v1)
    assert error_of(e) == (412, "PreconditionFailed")
    assert s3.get_object(Bucket="condv", Key="k", VersionId=v1)["Body"].read() == b"one"
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": e1}, s3.delete_object, Bucket="condv", Key="k", VersionId="0" * 32)
    assert error_of(e) == (404, "NoSuchVersion")
    d = call_with(s3, {"If-Match": e1}, s3.delete_object, Bucket="condv", Key="k", VersionId=v1)
    assert d["VersionId"] == v1
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="condv", Key="k", VersionId=v1)
    assert error_of(e) == (404, "NoSuchVersion")
    # A delete marker has no ETag: If-Match on it, even *, does not hold.
    marker = s3.delete_object(Bucket="condv", Key="k")["VersionId"]
    with pytest.raises(ClientError) as e:
        call_with(s3, {"If-Match": "*"}, s3.delete_object, Bucket="condv", Key="k", VersionId=marker)
    assert error_of(e) == (412, "PreconditionFailed")
    call_with(s3, {"If-Match": "*"}, s3.delete_object, Bucket="condv", Key="k", VersionId=v2)
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket="condv", Prefix="k").get("Versions", [])] == []


VERSION_CONDITIONS_SCRIPT = r"""
import sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
s3.create_bucket(Bucket="modcondv")
s3.put_bucket_versioning(Bucket="modcondv", VersioningConfiguration={"Status": "Enabled"})
r1 = s3.put_object(Bucket="modcondv", Key="k", Body=b"1")
r2 = s3.put_object(Bucket="modcondv", Key="k", Body=b"2")
out = []
try:
    s3.delete_object(Bucket="modcondv", Key="k", VersionId=r1["VersionId"], IfMatch=r2["ETag"])
    out.append("ok")
except ClientError as x:
    out.append(x.response["Error"]["Code"])
r = s3.delete_objects(Bucket="modcondv", Delete={"Objects": [
    {"Key": "k", "VersionId": r1["VersionId"], "ETag": r2["ETag"]},
    {"Key": "k", "VersionId": r2["VersionId"], "ETag": r2["ETag"]}]})
out += [e["Code"] for e in r.get("Errors", [])] + [d["VersionId"] == r2["VersionId"] for d in r.get("Deleted", [])]
s3.delete_object(Bucket="modcondv", Key="k", VersionId=r1["VersionId"], IfMatch=r1["ETag"])
out.append(len(s3.list_object_versions(Bucket="modcondv").get("Versions", [])))
print(",".join(str(x) for x in out))
"""


def test_newest_boto3_conditions_with_a_version_id(nimbus):
    r = run_modern_python(VERSION_CONDITIONS_SCRIPT, nimbus.endpoint)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "PreconditionFailed,PreconditionFailed,True,0"


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_aws_cli_if_match_with_a_version_id(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    ep = nimbus.endpoint
    b = "clicondv" + str((aws_clis() or [cli]).index(cli))
    body = tmp_path / "b"
    run_aws(ep, "s3api", "create-bucket", "--bucket", b, cli=cli)
    run_aws(ep, "s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled", cli=cli)
    made = []
    for text in ("one", "two"):
        body.write_text(text)
        made.append(json.loads(run_aws(ep, "s3api", "put-object", "--bucket", b, "--key", "k", "--body", str(body),
                                       cli=cli).stdout))
    (v1, e1), e2 = (made[0]["VersionId"], made[0]["ETag"]), made[1]["ETag"]
    r = run_aws(ep, "s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", v1, "--if-match", e2,
                str(tmp_path / "out"), cli=cli, check=False)
    assert r.returncode != 0 and ("412" in r.stderr or "PreconditionFailed" in r.stderr), r.stderr
    run_aws(ep, "s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", v1, "--if-match", e1,
            str(tmp_path / "out"), cli=cli)
    assert (tmp_path / "out").read_text() == "one"
    r = run_aws(ep, "s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", v1, "--if-match", e2,
                cli=cli, check=False)
    if "Unknown options" in r.stderr:
        pytest.skip(f"{cli} predates delete-object --if-match")
    assert r.returncode != 0 and "PreconditionFailed" in r.stderr, r.stderr
    run_aws(ep, "s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", v1, "--if-match", e1, cli=cli)
    out = json.loads(run_aws(ep, "s3api", "list-object-versions", "--bucket", b, cli=cli).stdout)
    assert [v["ETag"] for v in out["Versions"]] == [e2]
