"""Version ids (issue 12, data loss 4) and bucket versioning, with boto3 and
the AWS CLI: until a bucket is versioned any version id but "null" is 400
InvalidArgument and never touches the current object; versioned buckets keep
every version, delete markers, and list them."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, run_aws


def error_of(exc_info):
    r = exc_info.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def test_version_ids_in_unversioned_bucket(s3):
    s3.create_bucket(Bucket="unv")
    s3.put_object(Bucket="unv", Key="k", Body=b"keep me")
    for call in (lambda: s3.get_object(Bucket="unv", Key="k", VersionId="abc"),
                 lambda: s3.delete_object(Bucket="unv", Key="k", VersionId="abc"),
                 lambda: s3.copy_object(Bucket="unv", Key="k2", CopySource={"Bucket": "unv", "Key": "k", "VersionId": "abc"})):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (400, "InvalidArgument")
        assert "Invalid version id specified" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="unv", Key="k", VersionId="abc")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    r = s3.delete_objects(Bucket="unv", Delete={"Objects": [{"Key": "k", "VersionId": "abc"}]})
    assert [(x["Key"], x["Code"]) for x in r["Errors"]] == [("k", "InvalidArgument")]
    assert s3.get_object(Bucket="unv", Key="k")["Body"].read() == b"keep me"
    # "null" is the one version every object has.
    assert s3.get_object(Bucket="unv", Key="k", VersionId="null")["Body"].read() == b"keep me"
    s3.copy_object(Bucket="unv", Key="k2", CopySource={"Bucket": "unv", "Key": "k", "VersionId": "null"})
    s3.delete_object(Bucket="unv", Key="k", VersionId="null")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="unv", Key="k")
    assert error_of(e) == (404, "NoSuchKey")


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_version_ids_in_unversioned_bucket_cli(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    ep = nimbus.endpoint
    body = tmp_path / "b"
    body.write_bytes(b"keep me")
    run_aws(ep, "s3api", "create-bucket", "--bucket", "unvcli", cli=cli)
    run_aws(ep, "s3api", "put-object", "--bucket", "unvcli", "--key", "k", "--body", str(body), cli=cli)
    r = run_aws(ep, "s3api", "delete-object", "--bucket", "unvcli", "--key", "k", "--version-id", "abc", cli=cli, check=False)
    assert r.returncode != 0 and "InvalidArgument" in r.stderr, r.stderr
    r = run_aws(ep, "s3api", "get-object", "--bucket", "unvcli", "--key", "k", "--version-id", "zzz",
                str(tmp_path / "out"), cli=cli, check=False)
    assert r.returncode != 0 and "InvalidArgument" in r.stderr, r.stderr
    r = run_aws(ep, "s3api", "head-object", "--bucket", "unvcli", "--key", "k", "--version-id", "zzz", cli=cli, check=False)
    assert r.returncode != 0 and "400" in r.stderr, r.stderr
    r = run_aws(ep, "s3api", "head-object", "--bucket", "unvcli", "--key", "k", cli=cli)
    assert json.loads(r.stdout)["ContentLength"] == 7
