"""S3 lifecycle configuration (issue 12): Put/Get/DeleteBucketLifecycleConfiguration
validated as S3 does, and applied by the sweeper — run here with a one-second
"day" (--lifecycle-day-seconds, a test-only setting) so that rules fire quickly.
Expired objects raise LifecycleExpiration:Delete notifications."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, aws_clis, boto3_client, run_aws


@pytest.fixture
def fast(tmp_path):
    server = Nimbus(tmp_path / "data", ["--lifecycle-day-seconds", "1", "--lifecycle-interval-seconds", "1"]).start()
    yield server
    assert server.stop() == 0, server.log_text()


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def wait_for(predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_configuration_round_trip_and_validation(s3):
    s3.create_bucket(Bucket="lcy")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="lcy")
    assert error_code(e) == "NoSuchLifecycleConfiguration"
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}},
        {"ID": "big-tmp", "Filter": {"And": {"Prefix": "tmp/", "ObjectSizeGreaterThan": 1024,
                                             "Tags": [{"Key": "class", "Value": "scratch"}]}},
         "Status": "Disabled", "Expiration": {"Days": 1}, "NoncurrentVersionExpiration": {"NoncurrentDays": 5}},
        {"ID": "uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket="lcy", LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket="lcy")["Rules"]
    assert [r["ID"] for r in got] == ["logs", "big-tmp", "uploads"]
    assert got[0]["Expiration"] == {"Days": 30} and got[0]["Filter"] == {"Prefix": "logs/"}
    assert got[1]["Filter"]["And"]["Tags"] == [{"Key": "class", "Value": "scratch"}]
    assert got[1]["Filter"]["And"]["ObjectSizeGreaterThan"] == 1024
    assert got[1]["Status"] == "Disabled"
    assert got[2]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}

    bad = [
        ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 0}}, "InvalidArgument"),
        ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled"}, "InvalidArgument"),
        ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
          "Expiration": {"Date": "2030-01-01T12:00:00Z"}}, "InvalidArgument"),
        ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
          "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}, "NotImplemented"),
    ]
    for rule, code in bad:
        with pytest.raises(ClientError) as e:
            s3.put_bucket_lifecycle_configuration(Bucket="lcy", LifecycleConfiguration={"Rules": [rule]})
        assert error_code(e) == code, rule
    with pytest.raises(ClientError) as e:
        s3.put_bucket_lifecycle_configuration(Bucket="lcy", LifecycleConfiguration={"Rules": [
            {"ID": "same", "Filter": {"Prefix": "a"}, "Status": "Enabled", "Expiration": {"Days": 1}},
            {"ID": "same", "Filter": {"Prefix": "b"}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
    assert error_code(e) == "InvalidArgument"
    assert len(s3.get_bucket_lifecycle_configuration(Bucket="lcy")["Rules"]) == 3  # refused puts change nothing
    s3.delete_bucket_lifecycle(Bucket="lcy")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="lcy")
    assert error_code(e) == "NoSuchLifecycleConfiguration"


def test_sweeper_expires_objects_and_aborts_uploads(fast):
    s3 = boto3_client(fast.endpoint)
    s3.create_bucket(Bucket="sweep")
    s3.put_object(Bucket="sweep", Key="logs/old", Body=b"x")
    s3.put_object(Bucket="sweep", Key="logs/big", Body=b"x" * 2048)
    s3.put_object(Bucket="sweep", Key="keep/me", Body=b"x")
    up = s3.create_multipart_upload(Bucket="sweep", Key="tmp/partial")["UploadId"]
    s3.put_bucket_lifecycle_configuration(Bucket="sweep", LifecycleConfiguration={"Rules": [
        {"ID": "small-logs", "Filter": {"And": {"Prefix": "logs/", "ObjectSizeLessThan": 1024}},
         "Status": "Enabled", "Expiration": {"Days": 2}},
        {"ID": "off", "Filter": {"Prefix": "keep/"}, "Status": "Disabled", "Expiration": {"Days": 1}},
        {"ID": "mpu", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    assert wait_for(lambda: keys(s3, "sweep") == ["keep/me", "logs/big"]), keys(s3, "sweep")
    assert wait_for(lambda: not s3.list_multipart_uploads(Bucket="sweep").get("Uploads"))
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="sweep", Key="tmp/partial", UploadId=up)
    assert error_code(e) == "NoSuchUpload"
    time.sleep(2.5)  # the disabled rule and the size filter still hold
    assert keys(s3, "sweep") == ["keep/me", "logs/big"]


def test_expiration_by_date_notifies_lifecycle_events(fast, tmp_path):
    s3 = boto3_client(fast.endpoint)
    from conftest import python_zip
    import boto3
    lam = boto3.client("lambda", endpoint_url=fast.endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                       region_name="us-east-1")
    out = tmp_path / "events.jsonl"
    code = ("import json\n"
            f"def handler(event, context):\n    open({str(out)!r}, 'a').write(json.dumps(event) + '\\n')\n")
    lam.create_function(FunctionName="watch", Runtime="python3.11", Handler="index.handler",
                        Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": python_zip({"index.py": code})})
    s3.create_bucket(Bucket="dated")
    s3.put_bucket_notification_configuration(Bucket="dated", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:watch",
            "Events": ["s3:LifecycleExpiration:*"]}]})
    s3.put_object(Bucket="dated", Key="gone", Body=b"x")
    s3.put_bucket_lifecycle_configuration(Bucket="dated", LifecycleConfiguration={"Rules": [
        {"ID": "past", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "Expiration": {"Date": "2020-01-01T00:00:00Z"}}]})
    assert wait_for(lambda: keys(s3, "dated") == [])
    assert wait_for(lambda: out.exists() and out.read_text().strip(), timeout=30)
    record = json.loads(out.read_text().splitlines()[0])["Records"][0]
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["s3"]["object"]["key"] == "gone"


@pytest.mark.parametrize("cli", aws_clis())
def test_cli_lifecycle(nimbus, tmp_path, cli):
    run_aws(nimbus.endpoint, "s3", "mb", "s3://clc", cli=cli)
    cfg = tmp_path / "lc.json"
    cfg.write_text(json.dumps({"Rules": [{"ID": "r", "Filter": {"Prefix": "x/"}, "Status": "Enabled",
                                          "Expiration": {"Days": 7}}]}))
    run_aws(nimbus.endpoint, "s3api", "put-bucket-lifecycle-configuration", "--bucket", "clc",
            "--lifecycle-configuration", f"file://{cfg}", cli=cli)
    out = json.loads(run_aws(nimbus.endpoint, "s3api", "get-bucket-lifecycle-configuration", "--bucket", "clc",
                             cli=cli).stdout)
    assert out["Rules"][0]["Expiration"] == {"Days": 7}
    run_aws(nimbus.endpoint, "s3api", "delete-bucket-lifecycle", "--bucket", "clc", cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "get-bucket-lifecycle-configuration", "--bucket", "clc", cli=cli, check=False)
    assert r.returncode != 0 and "NoSuchLifecycleConfiguration" in r.stderr


def test_sweeper_in_a_versioned_bucket(fast):
    s3 = boto3_client(fast.endpoint)
    s3.create_bucket(Bucket="vers")
    s3.put_bucket_versioning(Bucket="vers", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2", b"3", b"4"):
        s3.put_object(Bucket="vers", Key="doc", Body=body)
    s3.put_object(Bucket="vers", Key="tagged", Body=b"t", Tagging="keep=no")
    s3.put_object(Bucket="vers", Key="untagged", Body=b"u")
    s3.put_object(Bucket="vers", Key="gone", Body=b"g")
    s3.delete_object(Bucket="vers", Key="gone")                      # a marker over one version
    s3.delete_object(Bucket="vers", Key="gone", VersionId=[v for v in s3.list_object_versions(
        Bucket="vers", Prefix="gone")["Versions"]][0]["VersionId"])  # now the marker is alone
    s3.put_bucket_lifecycle_configuration(Bucket="vers", LifecycleConfiguration={"Rules": [
        {"ID": "noncurrent", "Filter": {"Prefix": "doc"}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}},
        {"ID": "markers", "Filter": {"Prefix": "gone"}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
        {"ID": "by-tag", "Filter": {"Tag": {"Key": "keep", "Value": "no"}}, "Status": "Enabled",
         "Expiration": {"Days": 1}}]})

    def doc_versions():
        return [v["VersionId"] for v in s3.list_object_versions(Bucket="vers", Prefix="doc").get("Versions", [])]
    # The current version and the newest noncurrent one stay; the two older go.
    assert wait_for(lambda: len(doc_versions()) == 2), doc_versions()
    assert s3.get_object(Bucket="vers", Key="doc")["Body"].read() == b"4"
    assert wait_for(lambda: not s3.list_object_versions(Bucket="vers", Prefix="gone").get("DeleteMarkers"))
    # The tagged object's expiry in a versioned bucket is a delete marker; the untagged one stays.
    assert wait_for(lambda: "tagged" not in keys(s3, "vers"))
    markers = s3.list_object_versions(Bucket="vers", Prefix="tagged").get("DeleteMarkers", [])
    assert len(markers) == 1 and markers[0]["IsLatest"]
    assert "untagged" in keys(s3, "vers")
