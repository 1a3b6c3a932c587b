"""Parameters S3 clients send that nimbus once answered 200 and ignored
(issue 13's audit): Object Lock, which nimbus does not implement, is refused
by header name on CreateBucket, PutObject, CopyObject and
CreateMultipartUpload; x-amz-expected-bucket-owner (and CopyObject's
x-amz-source-expected-bucket-owner) is checked against nimbus's one account.
boto3 and the AWS CLIs."""
import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, run_aws

ACCOUNT = "000000000000"
OTHER = "111122223333"


def error_of(exc_info):
    r = exc_info.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"].get("Message", "")


def test_object_lock_bucket_refused(s3):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    status, code, message = error_of(e)
    assert (status, code) == (501, "NotImplemented")
    assert "x-amz-bucket-object-lock-enabled" in message and "Object Lock" in message
    assert "locked" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # false is what every nimbus bucket is.
    s3.create_bucket(Bucket="unlocked", ObjectLockEnabledForBucket=False)
    s3.head_bucket(Bucket="unlocked")


def test_object_lock_writes_refused(s3):
    s3.create_bucket(Bucket="lockw")
    s3.put_object(Bucket="lockw", Key="src", Body=b"x")
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    asks = [({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": until}, "x-amz-object-lock-mode"),
            ({"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until}, "x-amz-object-lock-mode"),
            ({"ObjectLockRetainUntilDate": until}, "x-amz-object-lock-retain-until-date"),
            ({"ObjectLockLegalHoldStatus": "ON"}, "x-amz-object-lock-legal-hold")]
    for args, header in asks:
        for call in (lambda: s3.put_object(Bucket="lockw", Key="k", Body=b"x", **args),
                     lambda: s3.copy_object(Bucket="lockw", Key="k", CopySource="lockw/src", **args),
                     lambda: s3.create_multipart_upload(Bucket="lockw", Key="k", **args)):
            with pytest.raises(ClientError) as e:
                call()
            status, code, message = error_of(e)
            assert (status, code) == (501, "NotImplemented"), args
            assert header in message and "Object Lock" in message
    # Nothing was written, and no upload was left behind.
    with pytest.raises(ClientError):
        s3.head_object(Bucket="lockw", Key="k")
    assert not s3.list_multipart_uploads(Bucket="lockw").get("Uploads")


@pytest.mark.parametrize("cli", aws_clis())
def test_object_lock_cli(nimbus, tmp_path, cli):
    r = run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "clilock",
                "--object-lock-enabled-for-bucket", cli=cli, check=False)
    assert r.returncode != 0 and "NotImplemented" in r.stderr and "Object Lock" in r.stderr
    run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "clilock", cli=cli)
    f = tmp_path / "f"
    f.write_bytes(b"x")
    r = run_aws(nimbus.endpoint, "s3api", "put-object", "--bucket", "clilock", "--key", "k", "--body", str(f),
                "--object-lock-legal-hold-status", "ON", cli=cli, check=False)
    assert r.returncode != 0 and "x-amz-object-lock-legal-hold" in r.stderr


def test_expected_bucket_owner(s3):
    s3.create_bucket(Bucket="owned")
    s3.put_object(Bucket="owned", Key="k", Body=b"mine", ExpectedBucketOwner=ACCOUNT)
    assert s3.get_object(Bucket="owned", Key="k", ExpectedBucketOwner=ACCOUNT)["Body"].read() == b"mine"
    s3.list_objects_v2(Bucket="owned", ExpectedBucketOwner=ACCOUNT)
    s3.head_bucket(Bucket="owned", ExpectedBucketOwner=ACCOUNT)
    s3.copy_object(Bucket="owned", Key="c", CopySource="owned/k",
                   ExpectedBucketOwner=ACCOUNT, ExpectedSourceBucketOwner=ACCOUNT)

    denied = [lambda: s3.put_object(Bucket="owned", Key="k", Body=b"theirs", ExpectedBucketOwner=OTHER),
              lambda: s3.get_object(Bucket="owned", Key="k", ExpectedBucketOwner=OTHER),
              lambda: s3.list_objects_v2(Bucket="owned", ExpectedBucketOwner=OTHER),
              lambda: s3.delete_object(Bucket="owned", Key="k", ExpectedBucketOwner=OTHER),
              lambda: s3.get_bucket_versioning(Bucket="owned", ExpectedBucketOwner=OTHER),
              lambda: s3.put_bucket_tagging(Bucket="owned", Tagging={"TagSet": []}, ExpectedBucketOwner=OTHER),
              lambda: s3.delete_bucket(Bucket="owned", ExpectedBucketOwner=OTHER),
              lambda: s3.copy_object(Bucket="owned", Key="c2", CopySource="owned/k", ExpectedSourceBucketOwner=OTHER),
              lambda: s3.create_multipart_upload(Bucket="owned", Key="m", ExpectedBucketOwner=OTHER)]
    for call in denied:
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e)[:2] == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="owned", Key="k", ExpectedBucketOwner=OTHER)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # None of the refused requests did anything.
    assert s3.get_object(Bucket="owned", Key="k")["Body"].read() == b"mine"
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="owned")["Contents"]) == ["c", "k"]
    assert not s3.list_multipart_uploads(Bucket="owned").get("Uploads")


@pytest.mark.parametrize("cli", aws_clis())
def test_expected_bucket_owner_cli(nimbus, cli):
    run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "cliowner", cli=cli)
    run_aws(nimbus.endpoint, "s3api", "list-objects-v2", "--bucket", "cliowner", "--expected-bucket-owner", ACCOUNT, cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "list-objects-v2", "--bucket", "cliowner", "--expected-bucket-owner", OTHER,
                cli=cli, check=False)
    assert r.returncode != 0 and "AccessDenied" in r.stderr
