"""Version ids (issue 12, data loss 4) and bucket versioning, with boto3 and
the AWS CLI: until a bucket is versioned any version id but "null" is 400
InvalidArgument and never touches the current object; versioned buckets keep
every version, delete markers, and list them."""
import json
from urllib.parse import unquote

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


def versions_of(s3, bucket, **kw):
    r = s3.list_object_versions(Bucket=bucket, **kw)
    return ([(v["Key"], v["VersionId"], v["IsLatest"]) for v in r.get("Versions", [])],
            [(m["Key"], m["VersionId"], m["IsLatest"]) for m in r.get("DeleteMarkers", [])])


def test_versioning_lifecycle_boto3(s3):
    s3.create_bucket(Bucket="ver1")
    assert "Status" not in s3.get_bucket_versioning(Bucket="ver1")
    s3.put_object(Bucket="ver1", Key="k", Body=b"v0")  # written before versioning: the "null" version
    s3.put_bucket_versioning(Bucket="ver1", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="ver1")["Status"] == "Enabled"
    v1 = s3.put_object(Bucket="ver1", Key="k", Body=b"v1")["VersionId"]
    v2 = s3.put_object(Bucket="ver1", Key="k", Body=b"v2")["VersionId"]
    assert v1 != v2 and "null" not in (v1, v2)
    got = s3.get_object(Bucket="ver1", Key="k")
    assert got["Body"].read() == b"v2" and got["VersionId"] == v2
    assert s3.get_object(Bucket="ver1", Key="k", VersionId=v1)["Body"].read() == b"v1"
    assert s3.get_object(Bucket="ver1", Key="k", VersionId="null")["Body"].read() == b"v0"
    assert s3.head_object(Bucket="ver1", Key="k", VersionId=v1)["VersionId"] == v1

    d = s3.delete_object(Bucket="ver1", Key="k")
    assert d["DeleteMarker"] is True
    marker = d["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver1", Key="k")
    assert error_of(e) == (404, "NoSuchKey")
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver1", Key="k", VersionId=marker)
    assert error_of(e) == (405, "MethodNotAllowed")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="ver1", Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert versions_of(s3, "ver1") == ([("k", v2, False), ("k", v1, False), ("k", "null", False)],
                                       [("k", marker, True)])
    assert s3.list_objects_v2(Bucket="ver1")["KeyCount"] == 0
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="ver1")
    assert error_of(e) == (409, "BucketNotEmpty")

    # Removing the marker makes v2 current again.
    d = s3.delete_object(Bucket="ver1", Key="k", VersionId=marker)
    assert d["DeleteMarker"] is True and d["VersionId"] == marker
    assert s3.get_object(Bucket="ver1", Key="k")["Body"].read() == b"v2"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver1", Key="k", VersionId="0" * 32)
    assert error_of(e) == (404, "NoSuchVersion")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver1", Key="k", VersionId="abc")
    assert error_of(e) == (400, "InvalidArgument")

    # Copy an old version over the current one: a new version with v1's bytes.
    r = s3.copy_object(Bucket="ver1", Key="k", CopySource={"Bucket": "ver1", "Key": "k", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1 and r["VersionId"] not in (v1, v2)
    assert s3.get_object(Bucket="ver1", Key="k")["Body"].read() == b"v1"
    # Deleting the current version for good makes the previous one current.
    s3.delete_object(Bucket="ver1", Key="k", VersionId=r["VersionId"])
    assert s3.get_object(Bucket="ver1", Key="k")["Body"].read() == b"v2"

    # Suspended: new writes are the "null" version, replacing it; other versions stay.
    s3.put_bucket_versioning(Bucket="ver1", VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket="ver1")["Status"] == "Suspended"
    s3.put_object(Bucket="ver1", Key="k", Body=b"s1")
    s3.put_object(Bucket="ver1", Key="k", Body=b"s2")
    assert versions_of(s3, "ver1") == ([("k", "null", True), ("k", v2, False), ("k", v1, False)], [])
    assert s3.get_object(Bucket="ver1", Key="k", VersionId="null")["Body"].read() == b"s2"
    d = s3.delete_object(Bucket="ver1", Key="k")
    assert d["DeleteMarker"] is True and d["VersionId"] == "null"
    assert versions_of(s3, "ver1") == ([("k", v2, False), ("k", v1, False)], [("k", "null", True)])

    # Empty it version by version, as `aws s3 rb --force` cannot: then it can go.
    r = s3.list_object_versions(Bucket="ver1")
    targets = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in r.get("Versions", []) + r.get("DeleteMarkers", [])]
    r = s3.delete_objects(Bucket="ver1", Delete={"Objects": targets})
    assert len(r["Deleted"]) == 3 and "Errors" not in r
    assert [d.get("DeleteMarker", False) for d in r["Deleted"]].count(True) == 1
    s3.delete_bucket(Bucket="ver1")


def test_delete_objects_makes_markers(s3):
    s3.create_bucket(Bucket="ver2")
    s3.put_bucket_versioning(Bucket="ver2", VersioningConfiguration={"Status": "Enabled"})
    v = s3.put_object(Bucket="ver2", Key="a", Body=b"1")["VersionId"]
    r = s3.delete_objects(Bucket="ver2", Delete={"Objects": [{"Key": "a"}, {"Key": "never"}]})
    assert sorted((d["Key"], d["DeleteMarker"]) for d in r["Deleted"]) == [("a", True), ("never", True)]
    assert all(d["DeleteMarkerVersionId"] for d in r["Deleted"])
    assert s3.get_object(Bucket="ver2", Key="a", VersionId=v)["Body"].read() == b"1"


def test_mfa_delete_is_refused(s3):
    s3.create_bucket(Bucket="ver3")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket="ver3", VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
                                 MFA="serial 123456")
    assert error_of(e) == (501, "NotImplemented")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket="ver3", VersioningConfiguration={"Status": "Sideways"})
    assert error_of(e) == (400, "MalformedXML")
    assert "Status" not in s3.get_bucket_versioning(Bucket="ver3")


def test_list_versions_paging_prefix_delimiter(s3):
    s3.create_bucket(Bucket="ver4")
    s3.put_bucket_versioning(Bucket="ver4", VersioningConfiguration={"Status": "Enabled"})
    made = []
    for key in ["a", "b/1", "b/2", "c", "d\n"]:
        for i in range(3):
            made.append((key, s3.put_object(Bucket="ver4", Key=key, Body=str(i).encode())["VersionId"]))
    s3.delete_object(Bucket="ver4", Key="c")
    full, markers = versions_of(s3, "ver4")
    assert len(full) == 15 and len(markers) == 1
    # Newest first within a key.
    assert [v for k, v, _ in full if k == "a"] == [v for k, v in reversed(made) if k == "a"]
    assert [latest for k, _, latest in full if k == "c"] == [False, False, False]

    # Page two at a time by KeyMarker/VersionIdMarker: the same entries, in order.
    seen, kw = [], {}
    while True:
        r = s3.list_object_versions(Bucket="ver4", MaxKeys=2, **kw)
        page = [(v["Key"], v["VersionId"]) for v in r.get("Versions", [])] + \
               [(m["Key"], m["VersionId"]) for m in r.get("DeleteMarkers", [])]
        assert len(page) <= 2
        seen += page
        if not r["IsTruncated"]:
            break
        kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
    assert sorted(seen) == sorted([(k, v) for k, v, _ in full] + [(k, v) for k, v, _ in markers])
    # boto3's paginator agrees.
    pages = s3.get_paginator("list_object_versions").paginate(Bucket="ver4", PaginationConfig={"PageSize": 4})
    assert sum(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) for p in pages) == 16

    r = s3.list_object_versions(Bucket="ver4", Prefix="b/")
    assert {v["Key"] for v in r["Versions"]} == {"b/1", "b/2"}
    r = s3.list_object_versions(Bucket="ver4", Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in r["Versions"]} == {"a", "c", "d\n"}
    # encoding-type=url: keys come URL-encoded (Debian's boto3 does not decode them for this operation).
    r = s3.list_object_versions(Bucket="ver4", Prefix="d", EncodingType="url")
    assert [unquote(v["Key"]) for v in r["Versions"]] == ["d\n"] * 3
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket="ver4", VersionIdMarker=made[0][1])
    assert error_of(e) == (400, "InvalidArgument")


def test_multipart_and_copy_make_versions(s3):
    s3.create_bucket(Bucket="ver5")
    s3.put_bucket_versioning(Bucket="ver5", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="ver5", Key="m", Body=b"first")["VersionId"]
    up = s3.create_multipart_upload(Bucket="ver5", Key="m")
    p = s3.upload_part(Bucket="ver5", Key="m", UploadId=up["UploadId"], PartNumber=1, Body=b"second")
    r = s3.complete_multipart_upload(Bucket="ver5", Key="m", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
    assert r["VersionId"] not in (None, v1)
    up = s3.create_multipart_upload(Bucket="ver5", Key="n")
    p = s3.upload_part_copy(Bucket="ver5", Key="n", UploadId=up["UploadId"], PartNumber=1,
                            CopySource={"Bucket": "ver5", "Key": "m", "VersionId": v1})
    assert p["CopySourceVersionId"] == v1
    s3.complete_multipart_upload(Bucket="ver5", Key="n", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket="ver5", Key="n")["Body"].read() == b"first"
    assert s3.get_object(Bucket="ver5", Key="m")["Body"].read() == b"second"


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_versioning_cli(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    ep = nimbus.endpoint

    def aws(*args, check=True):
        r = run_aws(ep, *args, cli=cli, check=check)
        return json.loads(r.stdout) if r.stdout.strip() else {}
    body = tmp_path / "b"
    aws("s3api", "create-bucket", "--bucket", "vercli")
    aws("s3api", "put-bucket-versioning", "--bucket", "vercli", "--versioning-configuration", "Status=Enabled")
    assert aws("s3api", "get-bucket-versioning", "--bucket", "vercli")["Status"] == "Enabled"
    ids = []
    for text in (b"one", b"two"):
        body.write_bytes(text)
        ids.append(aws("s3api", "put-object", "--bucket", "vercli", "--key", "k", "--body", str(body))["VersionId"])
    aws("s3api", "get-object", "--bucket", "vercli", "--key", "k", "--version-id", ids[0], str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes() == b"one"
    r = aws("s3api", "list-object-versions", "--bucket", "vercli")
    assert [v["VersionId"] for v in r["Versions"]] == [ids[1], ids[0]]
    r = aws("s3api", "delete-object", "--bucket", "vercli", "--key", "k", "--version-id", ids[1])
    assert r["VersionId"] == ids[1]
    aws("s3api", "get-object", "--bucket", "vercli", "--key", "k", str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes() == b"one"
    r = aws("s3api", "delete-object", "--bucket", "vercli", "--key", "k")
    assert r["DeleteMarker"] is True
    r = run_aws(ep, "s3api", "head-object", "--bucket", "vercli", "--key", "k", cli=cli, check=False)
    assert r.returncode != 0 and "404" in r.stderr
