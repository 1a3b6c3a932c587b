"""Smaller S3 behaviours clients rely on (issue 12): listing tokens and URL
encoding, ListBuckets paging, digests, presigned URL lifetimes, copy ranges,
storage classes and server-side encryption. boto3 (the Python running the
tests), the AWS CLIs, and hand-signed requests where a client will not send
the request in question."""
import datetime
import time
import urllib.request
from urllib.parse import quote
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import aws_clis, boto3_client, run_aws
from sigv4 import EMPTY_SHA256, Signer, send

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def status(exc_info):
    return exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def signed(nimbus, method, path, params=(), headers=None, body=b""):
    """A hand-signed request; params are (name, value) pairs, unencoded."""
    import hashlib
    headers = dict(headers or {})
    headers["host"] = f"127.0.0.1:{nimbus.port}"
    raw = "&".join(f"{k}={v}" for k, v in params)
    Signer().sign(method, path, headers, hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256, raw)
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in params)
    return send(nimbus.port, method, path, headers, body, query)


def presigned(endpoint, method, path, expires):
    """A SigV4 presigned URL with any lifetime (boto3's own presigner refuses some, as it should)."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=endpoint + path)
    S3SigV4QueryAuth(Credentials("test", "test"), "s3", "us-east-1", expires=expires).add_auth(req)
    return req.url


def test_empty_continuation_token_lists_from_the_start(nimbus, s3):
    s3.create_bucket(Bucket="tok")
    for k in ("a", "b", "c"):
        s3.put_object(Bucket="tok", Key=k, Body=b"x")
    code, _, body = signed(nimbus, "GET", "/tok", [("list-type", "2"), ("continuation-token", "")])
    assert code == 200, body
    root = ET.fromstring(body)
    assert [e.text for e in root.iter(NS + "Key")] == ["a", "b", "c"]
    token = root.find(NS + "ContinuationToken")
    assert token is not None and (token.text or "") == ""
    # boto3 sends the same when a paginator is started with an empty token.
    r = s3.list_objects_v2(Bucket="tok", ContinuationToken="", MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == ["a", "b"]
    r = s3.list_objects_v2(Bucket="tok", ContinuationToken=r["NextContinuationToken"])
    assert [o["Key"] for o in r["Contents"]] == ["c"]
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket="tok", ContinuationToken="!!not-a-token")
    assert error_code(e) == "InvalidArgument"


AWKWARD = ["\n", "line\nbreak/x", "a b/c", "plus+sign/d", "caf\u00e9/e", "amp&lt<gt>/f", "pct%20/g", "tab\there/h"]


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2", "list_object_versions"])
def test_url_encoding_round_trips_through_boto3(s3, operation):
    s3.create_bucket(Bucket="enc")
    for k in AWKWARD:
        s3.put_object(Bucket="enc", Key=k, Body=b"x")
    list_op = getattr(s3, operation)
    items = "Versions" if operation == "list_object_versions" else "Contents"
    everything = list_op(Bucket="enc")
    assert sorted(o["Key"] for o in everything[items]) == sorted(AWKWARD)
    # A prefix of "\n" and a delimiter: boto3 asks for encoding-type=url and decodes each field.
    r = list_op(Bucket="enc", Prefix="\n")
    assert r["Prefix"] == "\n"
    assert [o["Key"] for o in r[items]] == ["\n"]
    r = list_op(Bucket="enc", Delimiter="/")
    assert sorted(p["Prefix"] for p in r["CommonPrefixes"]) == sorted(k.split("/")[0] + "/" for k in AWKWARD if "/" in k)
    assert r["Delimiter"] == "/"
    # Paging with markers made of awkward keys.
    paginator = s3.get_paginator(operation)
    seen = [o["Key"] for page in paginator.paginate(Bucket="enc", PaginationConfig={"PageSize": 2}) for o in page.get(items, [])]
    assert sorted(seen) == sorted(AWKWARD)
    if operation == "list_objects_v2":
        r = s3.list_objects_v2(Bucket="enc", StartAfter="a b/c")
        assert r["StartAfter"] == "a b/c"
    if operation == "list_objects":
        r = s3.list_objects(Bucket="enc", Marker="caf\u00e9/e", Delimiter="/", MaxKeys=1)
        assert r["Marker"] == "caf\u00e9/e"
        assert r["IsTruncated"] and r["NextMarker"] in ("line\nbreak/", "pct%20/", "plus+sign/")


def test_url_encoding_on_the_wire(s3):
    # Asking for EncodingType ourselves turns botocore's decoding off: the fields arrive as S3 sent them.
    s3.create_bucket(Bucket="wire")
    s3.put_object(Bucket="wire", Key="a b+c/\n", Body=b"x")
    r = s3.list_objects_v2(Bucket="wire", Prefix="a ", StartAfter="a ", Delimiter="/", EncodingType="url")
    # Percent-encoding with '/' kept: a space is %20, a '+' is %2B.
    assert (r["Prefix"], r["StartAfter"], r["Delimiter"], r["EncodingType"]) == ("a%20", "a%20", "/", "url")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a%20b%2Bc/"]
    r = s3.list_objects(Bucket="wire", Prefix="a ", Marker="a ", EncodingType="url")
    assert r["Prefix"] == "a "  # ListObjects v1 sends its Prefix unencoded, as S3 does
    assert r["Marker"] == "a%20" and [o["Key"] for o in r["Contents"]] == ["a%20b%2Bc/%0A"]
    r = s3.list_object_versions(Bucket="wire", Prefix="a ", KeyMarker="a ", EncodingType="url")
    assert (r["Prefix"], r["KeyMarker"]) == ("a%20", "a%20")
    assert [v["Key"] for v in r["Versions"]] == ["a%20b%2Bc/%0A"]


def test_list_buckets_pages(nimbus, s3):
    names = [f"page-{i:02d}" for i in range(7)]
    for n in names:
        s3.create_bucket(Bucket=n)
    seen, token = [], None
    while True:
        code, _, body = signed(nimbus, "GET", "/", [("max-buckets", "3")] + ([("continuation-token", token)] if token else []))
        assert code == 200, body
        root = ET.fromstring(body)
        page = [b.find(NS + "Name").text for b in root.iter(NS + "Bucket")]
        assert len(page) <= 3
        seen += page
        t = root.find(NS + "ContinuationToken")
        if t is None:
            break
        token = t.text
    assert seen == names
    code, _, body = signed(nimbus, "GET", "/", [("prefix", "page-0"), ("max-buckets", "100")])
    assert [b.find(NS + "Name").text for b in ET.fromstring(body).iter(NS + "Bucket")] == names
    code, _, body = signed(nimbus, "GET", "/", [("max-buckets", "0")])
    assert code == 400 and b"InvalidArgument" in body
    # The newer AWS CLI pages ListBuckets itself (Debian's v2.9 predates max-buckets).
    for cli in aws_clis():
        r = run_aws(nimbus.endpoint, "s3api", "list-buckets", "--max-buckets", "2", "--output", "json", cli=cli, check=False)
        if r.returncode == 0:
            import json
            assert [b["Name"] for b in json.loads(r.stdout)["Buckets"]][:2] == names[:2]


def test_empty_content_md5_is_an_invalid_digest(nimbus, s3):
    s3.create_bucket(Bucket="md5")
    code, _, body = signed(nimbus, "PUT", "/md5/k", headers={"content-md5": ""}, body=b"data")
    assert code == 400 and b"<Code>InvalidDigest</Code>" in body
    with pytest.raises(ClientError):
        s3.head_object(Bucket="md5", Key="k")


def test_presigned_url_lifetimes(nimbus, s3):
    s3.create_bucket(Bucket="pre")
    s3.put_object(Bucket="pre", Key="k", Body=b"data")
    assert requests.get(presigned(nimbus.endpoint, "GET", "/pre/k", 604800)).content == b"data"
    r = requests.get(presigned(nimbus.endpoint, "GET", "/pre/k", 604801))
    assert r.status_code == 400 and b"AuthorizationQueryParametersError" in r.content
    r = requests.get(presigned(nimbus.endpoint, "GET", "/pre/k", 0))
    assert r.status_code == 403 and b"Request has expired" in r.content
    put = presigned(nimbus.endpoint, "PUT", "/pre/late", 1)
    time.sleep(2.1)
    r = requests.put(put, data=b"too late")
    assert r.status_code == 403 and b"Request has expired" in r.content
    with pytest.raises(ClientError):
        s3.head_object(Bucket="pre", Key="late")
    r = requests.put(presigned(nimbus.endpoint, "PUT", "/pre/ok", 60), data=b"in time")
    assert r.status_code == 200
    assert s3.get_object(Bucket="pre", Key="ok")["Body"].read() == b"in time"


def test_upload_part_copy_range_past_the_source(s3):
    s3.create_bucket(Bucket="upc")
    s3.put_object(Bucket="upc", Key="src", Body=b"0123456789")
    up = s3.create_multipart_upload(Bucket="upc", Key="dst")["UploadId"]
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket="upc", Key="dst", UploadId=up, PartNumber=1,
                            CopySource={"Bucket": "upc", "Key": "src"}, CopySourceRange="bytes=5-10")
    assert error_code(e) == "InvalidRange" and status(e) == 416
    r = s3.upload_part_copy(Bucket="upc", Key="dst", UploadId=up, PartNumber=1,
                            CopySource={"Bucket": "upc", "Key": "src"}, CopySourceRange="bytes=5-9")
    s3.complete_multipart_upload(Bucket="upc", Key="dst", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket="upc", Key="dst")["Body"].read() == b"56789"


def test_storage_class_is_kept_and_reported(s3):
    s3.create_bucket(Bucket="scl")
    s3.put_object(Bucket="scl", Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.put_object(Bucket="scl", Key="plain", Body=b"x")
    assert s3.head_object(Bucket="scl", Key="ia")["StorageClass"] == "STANDARD_IA"
    assert "StorageClass" not in s3.head_object(Bucket="scl", Key="plain")  # S3 omits STANDARD
    assert s3.get_object(Bucket="scl", Key="ia")["StorageClass"] == "STANDARD_IA"
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket="scl")["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "plain": "STANDARD"}
    assert {o["Key"]: o["StorageClass"] for o in s3.list_objects(Bucket="scl")["Contents"]}["ia"] == "STANDARD_IA"
    # A copy lands in STANDARD unless it names a class; an in-place copy may change only the class.
    s3.copy_object(Bucket="scl", Key="copy", CopySource={"Bucket": "scl", "Key": "ia"})
    assert "StorageClass" not in s3.head_object(Bucket="scl", Key="copy")
    s3.copy_object(Bucket="scl", Key="ia", CopySource={"Bucket": "scl", "Key": "ia"}, StorageClass="GLACIER")
    assert s3.head_object(Bucket="scl", Key="ia")["StorageClass"] == "GLACIER"
    assert s3.get_object(Bucket="scl", Key="ia")["Body"].read() == b"x"  # a label: no restore needed
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="scl", Key="bad", Body=b"x", StorageClass="COLD_STORAGE_XL")
    assert error_code(e) == "InvalidStorageClass"
    up = s3.create_multipart_upload(Bucket="scl", Key="mp", StorageClass="ONEZONE_IA")["UploadId"]
    assert s3.list_multipart_uploads(Bucket="scl")["Uploads"][0]["StorageClass"] == "ONEZONE_IA"
    part = s3.upload_part(Bucket="scl", Key="mp", UploadId=up, PartNumber=1, Body=b"y")
    assert s3.list_parts(Bucket="scl", Key="mp", UploadId=up)["StorageClass"] == "ONEZONE_IA"
    s3.complete_multipart_upload(Bucket="scl", Key="mp", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket="scl", Key="mp")["StorageClass"] == "ONEZONE_IA"


def test_server_side_encryption(s3):
    s3.create_bucket(Bucket="sse")
    r = s3.put_object(Bucket="sse", Key="k", Body=b"x", ServerSideEncryption="AES256")
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.put_object(Bucket="sse", Key="plain", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket="sse", Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket="sse", Key="plain")["ServerSideEncryption"] == "AES256"
    assert s3.copy_object(Bucket="sse", Key="c", CopySource="sse/k")["ServerSideEncryption"] == "AES256"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="sse", Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
    assert error_code(e) == "InvalidArgument" and "KMS" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="sse", Key="ssec", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32)
    assert error_code(e) == "InvalidArgument" and "SSE-C" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        s3.head_object(Bucket="sse", Key="kms")

    default = s3.get_bucket_encryption(Bucket="sse")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert default["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    s3.put_bucket_encryption(Bucket="sse", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket="sse")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["BucketKeyEnabled"] is True
    with pytest.raises(ClientError) as e:
        s3.put_bucket_encryption(Bucket="sse", ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/x"}}]})
    assert error_code(e) == "InvalidArgument"
    s3.delete_bucket_encryption(Bucket="sse")
    rule = s3.get_bucket_encryption(Bucket="sse")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule.get("BucketKeyEnabled", False) is False
    with pytest.raises(ClientError) as e:
        s3.get_bucket_encryption(Bucket="no-such-bucket")
    assert error_code(e) == "NoSuchBucket"


@pytest.mark.parametrize("cli", aws_clis())
def test_cli_storage_class_and_encryption(nimbus, tmp_path, cli):
    run_aws(nimbus.endpoint, "s3", "mb", "s3://cli", cli=cli)
    f = tmp_path / "f.txt"
    f.write_text("hello")
    run_aws(nimbus.endpoint, "s3", "cp", str(f), "s3://cli/f.txt", "--storage-class", "STANDARD_IA", "--sse", "AES256", cli=cli)
    head = run_aws(nimbus.endpoint, "s3api", "head-object", "--bucket", "cli", "--key", "f.txt", cli=cli).stdout
    assert '"StorageClass": "STANDARD_IA"' in head and '"ServerSideEncryption": "AES256"' in head
    listing = run_aws(nimbus.endpoint, "s3api", "list-objects-v2", "--bucket", "cli", cli=cli).stdout
    assert '"StorageClass": "STANDARD_IA"' in listing
    r = run_aws(nimbus.endpoint, "s3", "cp", str(f), "s3://cli/kms.txt", "--sse", "aws:kms", cli=cli, check=False)
    assert r.returncode != 0 and "KMS" in r.stderr
    out = run_aws(nimbus.endpoint, "s3api", "get-bucket-encryption", "--bucket", "cli", cli=cli).stdout
    assert '"SSEAlgorithm": "AES256"' in out
