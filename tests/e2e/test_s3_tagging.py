"""Object tagging (issue 12): Put/Get/DeleteObjectTagging (with versionId),
x-amz-tagging on PutObject, CopyObject (COPY/REPLACE directive) and
CreateMultipartUpload, x-amz-tagging-count on GET/HEAD, S3's limits."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, run_aws


def error_of(exc_info):
    r = exc_info.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def tags_of(s3, bucket, key, **kw):
    return [(t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key=key, **kw)["TagSet"]]


def test_tagging_boto3(s3):
    s3.create_bucket(Bucket="tags")
    s3.put_object(Bucket="tags", Key="k", Body=b"x", Tagging="a=1&b=two%20words&empty=")
    assert tags_of(s3, "tags", "k") == [("a", "1"), ("b", "two words"), ("empty", "")]
    assert s3.head_object(Bucket="tags", Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "3"
    assert s3.get_object(Bucket="tags", Key="k")["TagCount"] == 3

    s3.put_object_tagging(Bucket="tags", Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    assert tags_of(s3, "tags", "k") == [("only", "one")]
    # Copy keeps the source's tags by default, REPLACE takes the request's.
    s3.copy_object(Bucket="tags", Key="c1", CopySource={"Bucket": "tags", "Key": "k"})
    assert tags_of(s3, "tags", "c1") == [("only", "one")]
    s3.copy_object(Bucket="tags", Key="c2", CopySource={"Bucket": "tags", "Key": "k"}, TaggingDirective="REPLACE",
                   Tagging="new=yes")
    assert tags_of(s3, "tags", "c2") == [("new", "yes")]
    s3.copy_object(Bucket="tags", Key="c3", CopySource={"Bucket": "tags", "Key": "k"}, TaggingDirective="REPLACE")
    assert tags_of(s3, "tags", "c3") == []
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="tags", Key="c4", CopySource={"Bucket": "tags", "Key": "k"}, TaggingDirective="MERGE")
    assert error_of(e) == (400, "InvalidArgument")

    s3.delete_object_tagging(Bucket="tags", Key="k")
    assert tags_of(s3, "tags", "k") == []
    assert "x-amz-tagging-count" not in s3.head_object(Bucket="tags", Key="k")["ResponseMetadata"]["HTTPHeaders"]

    up = s3.create_multipart_upload(Bucket="tags", Key="mp", Tagging="mp=1")
    p = s3.upload_part(Bucket="tags", Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"m")
    s3.complete_multipart_upload(Bucket="tags", Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
    assert tags_of(s3, "tags", "mp") == [("mp", "1")]

    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket="tags", Key="missing")
    assert error_of(e) == (404, "NoSuchKey")


def test_tag_limits(s3):
    s3.create_bucket(Bucket="tagl")
    s3.put_object(Bucket="tagl", Key="k", Body=b"x")
    ok = [{"Key": f"k{i}", "Value": "v"} for i in range(10)]
    s3.put_object_tagging(Bucket="tagl", Key="k", Tagging={"TagSet": ok})
    for bad, code in ((ok + [{"Key": "k10", "Value": "v"}], "BadRequest"),
                      ([{"Key": "x" * 129, "Value": "v"}], "InvalidTag"),
                      ([{"Key": "k", "Value": "v" * 257}], "InvalidTag"),
                      ([{"Key": "same", "Value": "1"}, {"Key": "same", "Value": "2"}], "InvalidTag")):
        with pytest.raises(ClientError) as e:
            s3.put_object_tagging(Bucket="tagl", Key="k", Tagging={"TagSet": bad})
        assert error_of(e) == (400, code)
    s3.put_object_tagging(Bucket="tagl", Key="k", Tagging={"TagSet": [{"Key": "é" * 128, "Value": "ü" * 256}]})
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="tagl", Key="k2", Body=b"x", Tagging="&".join(f"t{i}=v" for i in range(11)))
    assert error_of(e) == (400, "BadRequest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket="tagl", Key="k2")


def test_tagging_by_version(s3):
    s3.create_bucket(Bucket="tagv")
    s3.put_bucket_versioning(Bucket="tagv", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="tagv", Key="k", Body=b"1", Tagging="gen=1")["VersionId"]
    v2 = s3.put_object(Bucket="tagv", Key="k", Body=b"2", Tagging="gen=2")["VersionId"]
    assert tags_of(s3, "tagv", "k") == [("gen", "2")]
    r = s3.put_object_tagging(Bucket="tagv", Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "gen", "Value": "old"}]})
    assert r["VersionId"] == v1
    assert tags_of(s3, "tagv", "k", VersionId=v1) == [("gen", "old")]
    assert tags_of(s3, "tagv", "k", VersionId=v2) == [("gen", "2")]


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_tagging_cli(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    ep = nimbus.endpoint
    body = tmp_path / "b"
    body.write_bytes(b"x")
    run_aws(ep, "s3api", "create-bucket", "--bucket", "tagcli", cli=cli)
    run_aws(ep, "s3api", "put-object", "--bucket", "tagcli", "--key", "k", "--body", str(body), "--tagging", "a=1",
            cli=cli)
    r = json.loads(run_aws(ep, "s3api", "get-object-tagging", "--bucket", "tagcli", "--key", "k", cli=cli).stdout)
    assert r["TagSet"] == [{"Key": "a", "Value": "1"}]
    run_aws(ep, "s3api", "put-object-tagging", "--bucket", "tagcli", "--key", "k", "--tagging",
            json.dumps({"TagSet": [{"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}]}), cli=cli)
    r = json.loads(run_aws(ep, "s3api", "head-object", "--bucket", "tagcli", "--key", "k", cli=cli).stdout)
    assert r.get("TagCount", 2) == 2
    r = json.loads(run_aws(ep, "s3api", "get-object-tagging", "--bucket", "tagcli", "--key", "k", cli=cli).stdout)
    assert r["TagSet"] == [{"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}]
    run_aws(ep, "s3api", "delete-object-tagging", "--bucket", "tagcli", "--key", "k", cli=cli)
    r = json.loads(run_aws(ep, "s3api", "get-object-tagging", "--bucket", "tagcli", "--key", "k", cli=cli).stdout)
    assert r["TagSet"] == []
