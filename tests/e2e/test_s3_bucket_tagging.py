"""S3 bucket tagging (issue 12; Terraform's aws_s3_bucket reads it back):
Put/Get/DeleteBucketTagging with S3's Tagging XML, NoSuchTagSet when there are
none, and S3's InvalidTag limits (50 tags, keys of 1..128 characters, values of
0..256, no duplicates, no aws: keys), with boto3 and both AWS CLIs."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, run_aws


def error_of(exc_info):
    return exc_info.value.response["Error"]["Code"], exc_info.value.response["Error"]["Message"]


def test_round_trip_boto3(s3):
    s3.create_bucket(Bucket="tagged")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="tagged")
    assert error_of(e) == ("NoSuchTagSet", "The TagSet does not exist")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    tags = [{"Key": "project", "Value": "nimbus"}, {"Key": "empty", "Value": ""},
            {"Key": " ", "Value": " "}, {"Key": "k" * 128, "Value": "v" * 256},
            {"Key": "sym_.:/=+-@", "Value": "Grüße 1"}]
    r = s3.put_bucket_tagging(Bucket="tagged", Tagging={"TagSet": tags})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket="tagged")["TagSet"] == tags

    # Put replaces the whole set.
    s3.put_bucket_tagging(Bucket="tagged", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    assert s3.get_bucket_tagging(Bucket="tagged")["TagSet"] == [{"Key": "only", "Value": "one"}]

    assert s3.delete_bucket_tagging(Bucket="tagged")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="tagged")
    assert error_of(e)[0] == "NoSuchTagSet"
    s3.delete_bucket_tagging(Bucket="tagged")  # deleting none is fine, as on S3

    # An empty set leaves the bucket without tags.
    s3.put_bucket_tagging(Bucket="tagged", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.put_bucket_tagging(Bucket="tagged", Tagging={"TagSet": []})
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="tagged")
    assert error_of(e)[0] == "NoSuchTagSet"

    # The tags go with the bucket.
    s3.put_bucket_tagging(Bucket="tagged", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_bucket(Bucket="tagged")
    s3.create_bucket(Bucket="tagged")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="tagged")
    assert error_of(e)[0] == "NoSuchTagSet"


def test_missing_bucket(s3):
    for call in (lambda: s3.get_bucket_tagging(Bucket="nowhere"),
                 lambda: s3.delete_bucket_tagging(Bucket="nowhere"),
                 lambda: s3.put_bucket_tagging(Bucket="nowhere", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e)[0] == "NoSuchBucket"


@pytest.mark.parametrize("tag_set, message", [
    ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "Bucket tag count cannot be greater than 50"),
    ([{"Key": "k" * 129, "Value": "v"}], "The TagKey you have provided is too long, max 128"),
    ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is too long, max 256"),
    ([{"Key": "a|b", "Value": "v"}], "The TagKey you have provided is invalid"),
    ([{"Key": "k", "Value": "line\nbreak"}], "The TagValue you have provided is invalid"),
    ([{"Key": "aws:cloudformation:stack", "Value": "v"}], "System tags cannot be added/updated by requester"),
    ([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}], "Cannot provide multiple Tags with the same key"),
])
def test_invalid_tags(s3, tag_set, message):
    s3.create_bucket(Bucket="bad-tags")
    s3.put_bucket_tagging(Bucket="bad-tags", Tagging={"TagSet": [{"Key": "kept", "Value": "yes"}]})
    with pytest.raises(ClientError) as e:
        s3.put_bucket_tagging(Bucket="bad-tags", Tagging={"TagSet": tag_set})
    assert error_of(e) == ("InvalidTag", message)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # A refused Put changes nothing.
    assert s3.get_bucket_tagging(Bucket="bad-tags")["TagSet"] == [{"Key": "kept", "Value": "yes"}]


def test_malformed_documents(nimbus, s3):
    """Bodies boto3 would not send: a Tag without its Value, no TagSet, not XML, an empty key."""
    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    s3.create_bucket(Bucket="raw-tags")
    for body in [b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", b"<Tagging/>",
                 b"<Tagging><TagSet><Other/></TagSet></Tagging>", b"not xml"]:
        req = AWSRequest(method="PUT", url=f"{nimbus.endpoint}/raw-tags?tagging", data=body)
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
        r = requests.put(req.url, data=body, headers=dict(req.headers))
        assert r.status_code == 400 and "<Code>MalformedXML</Code>" in r.text, (body, r.text)
    body = b"<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>"
    req = AWSRequest(method="PUT", url=f"{nimbus.endpoint}/raw-tags?tagging", data=body)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
    r = requests.put(req.url, data=body, headers=dict(req.headers))
    assert r.status_code == 400 and "<Code>InvalidTag</Code>" in r.text, r.text
    assert "The TagKey you have provided is invalid" in r.text


def test_object_tagging_is_not_bucket_tagging(s3):
    """?tagging on a key is the object's, a separate family of calls."""
    s3.create_bucket(Bucket="obj-tags")
    s3.put_object(Bucket="obj-tags", Key="k", Body=b"x")
    s3.put_bucket_tagging(Bucket="obj-tags", Tagging={"TagSet": [{"Key": "bucket", "Value": "yes"}]})
    try:
        got = s3.get_object_tagging(Bucket="obj-tags", Key="k")["TagSet"]
        assert got == []
    except ClientError as e:
        assert e.response["Error"]["Code"] == "NotImplemented"


@pytest.mark.parametrize("cli", aws_clis())
def test_both_clis(nimbus, cli):
    run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "cli-tags", cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "get-bucket-tagging", "--bucket", "cli-tags", cli=cli, check=False)
    assert r.returncode != 0 and "NoSuchTagSet" in r.stderr
    run_aws(nimbus.endpoint, "s3api", "put-bucket-tagging", "--bucket", "cli-tags", "--tagging",
            "TagSet=[{Key=team,Value=storage},{Key=cost center,Value=42}]", cli=cli)
    got = json.loads(run_aws(nimbus.endpoint, "s3api", "get-bucket-tagging", "--bucket", "cli-tags", cli=cli).stdout)
    assert got["TagSet"] == [{"Key": "team", "Value": "storage"}, {"Key": "cost center", "Value": "42"}]
    r = run_aws(nimbus.endpoint, "s3api", "put-bucket-tagging", "--bucket", "cli-tags", "--tagging",
                "TagSet=[{Key=aws:x,Value=1}]", cli=cli, check=False)
    assert r.returncode != 0 and "InvalidTag" in r.stderr
    run_aws(nimbus.endpoint, "s3api", "delete-bucket-tagging", "--bucket", "cli-tags", cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "get-bucket-tagging", "--bucket", "cli-tags", cli=cli, check=False)
    assert "NoSuchTagSet" in r.stderr
