"""S3 API behaviour through boto3 (Debian's 1.26), operation by operation."""
import datetime
import hashlib
import io

import pytest
from botocore.exceptions import ClientError

from conftest import boto3_client


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def status(exc_info):
    return exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_buckets(s3):
    s3.create_bucket(Bucket="alpha")
    s3.create_bucket(Bucket="beta")
    # us-east-1 answers 200 when you re-create your own bucket.
    s3.create_bucket(Bucket="alpha")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["alpha", "beta"]
    s3.head_bucket(Bucket="alpha")
    assert s3.get_bucket_location(Bucket="alpha")["LocationConstraint"] is None
    assert "Status" not in s3.get_bucket_versioning(Bucket="alpha")
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket="missing")
    assert status(e) == 404
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="Bad_Name")
    assert error_code(e) == "InvalidBucketName"
    s3.put_object(Bucket="beta", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="beta")
    assert error_code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket="beta", Key="k")
    s3.delete_bucket(Bucket="beta")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="beta")
    assert error_code(e) == "NoSuchBucket"


def test_bucket_in_other_region(nimbus):
    s3 = boto3_client(nimbus.endpoint)
    s3.create_bucket(Bucket="euro", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket="euro")["LocationConstraint"] == "eu-west-1"


def test_put_get_metadata_and_headers(s3):
    s3.create_bucket(Bucket="bkt")
    body = b"hello nimbus" * 100
    put = s3.put_object(Bucket="bkt", Key="dir/file.txt", Body=body, ContentType="text/plain",
                        ContentDisposition="attachment", ContentLanguage="en", CacheControl="max-age=60",
                        Expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                        Metadata={"owner": "alice", "Mixed-Case": "v"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket="bkt", Key="dir/file.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en"
    assert got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"owner": "alice", "mixed-case": "v"}
    assert got["ContentLength"] == len(body)
    head = s3.head_object(Bucket="bkt", Key="dir/file.txt")
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == put["ETag"]
    # Overwrite replaces bytes and metadata.
    s3.put_object(Bucket="bkt", Key="dir/file.txt", Body=b"new")
    got = s3.get_object(Bucket="bkt", Key="dir/file.txt")
    assert got["Body"].read() == b"new"
    assert got["Metadata"] == {}
    assert got["ContentType"] == "binary/octet-stream"


def test_missing_things(s3):
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="nope")
    assert error_code(e) == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="nob", Key="nope")
    assert error_code(e) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="bkt", Key="nope")
    assert status(e) == 404
    # Deleting a missing key succeeds, as in S3.
    s3.delete_object(Bucket="bkt", Key="nope")


@pytest.mark.parametrize("key", [
    "../../etc/passwd", "a/../b", "%2F%2e%2e", "plus+sign", "with space", "unicode/日本語/ファイル.txt",
    "emoji-\U0001F600", "trailing/", "//double", "semi;colon&amp=eq?q", "a" * 1024,
])
def test_keys_round_trip(s3, key):
    s3.create_bucket(Bucket="keys")
    s3.put_object(Bucket="keys", Key=key, Body=key.encode())
    assert s3.get_object(Bucket="keys", Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="keys")["Contents"]]
    assert listed == [key]
    s3.delete_object(Bucket="keys", Key=key)


def test_key_too_long(s3):
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k" * 1025, Body=b"x")
    assert error_code(e) == "KeyTooLongError"


def test_ranges(s3):
    s3.create_bucket(Bucket="bkt")
    data = bytes(range(256)) * 4
    s3.put_object(Bucket="bkt", Key="r", Body=data)
    r = s3.get_object(Bucket="bkt", Key="r", Range="bytes=10-19")
    assert r["Body"].read() == data[10:20]
    assert r["ContentRange"] == "bytes 10-19/1024"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket="bkt", Key="r", Range="bytes=-5")["Body"].read() == data[-5:]
    assert s3.get_object(Bucket="bkt", Key="r", Range="bytes=1000-")["Body"].read() == data[1000:]
    assert s3.get_object(Bucket="bkt", Key="r", Range="bytes=1000-5000")["Body"].read() == data[1000:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="r", Range="bytes=2000-3000")
    assert error_code(e) == "InvalidRange"
    assert status(e) == 416
    # A malformed range is ignored: the whole object comes back.
    assert s3.get_object(Bucket="bkt", Key="r", Range="bytes=x-y")["Body"].read() == data


def test_conditional_requests(s3):
    s3.create_bucket(Bucket="bkt")
    etag = s3.put_object(Bucket="bkt", Key="c", Body=b"data")["ETag"]
    assert s3.get_object(Bucket="bkt", Key="c", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="c", IfMatch='"0000"')
    assert status(e) == 412
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="c", IfNoneMatch=etag)
    assert status(e) == 304
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="c", IfModifiedSince=future)
    assert status(e) == 304
    assert s3.get_object(Bucket="bkt", Key="c", IfModifiedSince=past)["Body"].read() == b"data"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="c", IfUnmodifiedSince=past)
    assert status(e) == 412


def test_response_overrides(s3):
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="o", Body=b"x", ContentType="text/plain")
    r = s3.get_object(Bucket="bkt", Key="o", ResponseContentType="application/json",
                      ResponseContentDisposition="inline; filename=a.json", ResponseCacheControl="no-cache")
    assert r["ContentType"] == "application/json"
    assert r["ContentDisposition"] == "inline; filename=a.json"
    assert r["CacheControl"] == "no-cache"


def test_copy_object(s3):
    s3.create_bucket(Bucket="src")
    s3.create_bucket(Bucket="dst")
    etag = s3.put_object(Bucket="src", Key="a b", Body=b"copy me", ContentType="text/x", Metadata={"m": "1"})["ETag"]
    r = s3.copy_object(Bucket="dst", Key="c", CopySource={"Bucket": "src", "Key": "a b"})
    assert r["CopyObjectResult"]["ETag"] == etag
    got = s3.get_object(Bucket="dst", Key="c")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"m": "1"}
    assert got["ContentType"] == "text/x"
    s3.copy_object(Bucket="dst", Key="c", CopySource={"Bucket": "src", "Key": "a b"},
                   MetadataDirective="REPLACE", Metadata={"n": "2"}, ContentType="text/y")
    got = s3.get_object(Bucket="dst", Key="c")
    assert got["Metadata"] == {"n": "2"} and got["ContentType"] == "text/y"
    # The source can be overwritten without touching the copy.
    s3.put_object(Bucket="src", Key="a b", Body=b"changed")
    assert s3.get_object(Bucket="dst", Key="c")["Body"].read() == b"copy me"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="dst", Key="c", CopySource={"Bucket": "src", "Key": "a b"}, CopySourceIfMatch='"nope"')
    assert status(e) == 412
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="dst", Key="c", CopySource={"Bucket": "src", "Key": "missing"})
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="dst", Key="c", CopySource={"Bucket": "dst", "Key": "c"})
    assert error_code(e) == "InvalidRequest"


def test_delete_objects(s3):
    s3.create_bucket(Bucket="bkt")
    for k in ["a", "b", "c"]:
        s3.put_object(Bucket="bkt", Key=k, Body=b"x")
    r = s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["a", "b", "zz"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="bkt")["Contents"]] == ["c"]
    r = s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in r
    assert s3.list_objects_v2(Bucket="bkt")["KeyCount"] == 0


def make_keys(s3, bucket, keys):
    s3.create_bucket(Bucket=bucket)
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"v")


KEYS = ["a", "a/1", "a/2", "a/b/1", "b", "c/x", "c/y", "d", "é", "Z", "a+b", "a b"]


def test_list_v2_delimiter_and_pagination(s3):
    make_keys(s3, "lst", KEYS)
    r = s3.list_objects_v2(Bucket="lst", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["Z", "a", "a b", "a+b", "b", "d", "é"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "c/"]
    assert r["KeyCount"] == 9 and r["IsTruncated"] is False
    seen, token, pages = [], None, 0
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = s3.list_objects_v2(Bucket="lst", MaxKeys=5, **kw)
        pages += 1
        assert r["KeyCount"] == len(r.get("Contents", []))
        seen += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert pages == 3
    assert seen == sorted(KEYS, key=lambda k: k.encode())
    r = s3.list_objects_v2(Bucket="lst", StartAfter="c/x", Prefix="c/")
    assert [o["Key"] for o in r["Contents"]] == ["c/y"]
    assert r["StartAfter"] == "c/x"


def test_list_v1_markers_and_encoding(s3):
    make_keys(s3, "lst1", KEYS)
    r = s3.list_objects(Bucket="lst1", Delimiter="/", MaxKeys=3)
    assert r["IsTruncated"] is True
    assert r["NextMarker"] == "a b"
    r2 = s3.list_objects(Bucket="lst1", Delimiter="/", Marker=r["NextMarker"], MaxKeys=3)
    assert [o["Key"] for o in r2.get("Contents", [])] == ["a+b", "b"]
    assert [p["Prefix"] for p in r2["CommonPrefixes"]] == ["a/"]
    # Without a delimiter there is no NextMarker: clients continue from the last key.
    r3 = s3.list_objects(Bucket="lst1", MaxKeys=2)
    assert r3["IsTruncated"] and "NextMarker" not in r3
    # encoding-type=url asked for by the caller: keys come back URL-encoded.
    from urllib.parse import unquote
    r4 = s3.list_objects(Bucket="lst1", EncodingType="url")
    keys = [o["Key"] for o in r4["Contents"]]
    assert "a%20b" in keys and "a%2Bb" in keys and "%C3%A9" in keys
    assert [unquote(k) for k in keys] == sorted(KEYS, key=lambda k: k.encode())
    r5 = s3.list_objects_v2(Bucket="lst1", EncodingType="url", Prefix="a", Delimiter="/")
    assert [unquote(o["Key"]) for o in r5["Contents"]] == ["a", "a b", "a+b"]
    assert [p["Prefix"] for p in r5["CommonPrefixes"]] == ["a/"]


def test_list_object_versions_for_emptying(s3):
    make_keys(s3, "ver", ["x", "y/z"])
    r = s3.list_object_versions(Bucket="ver")
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in r["Versions"]] == [("x", "null", True), ("y/z", "null", True)]
    s3.delete_objects(Bucket="ver", Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in r["Versions"]]})
    s3.delete_bucket(Bucket="ver")


def test_multipart_lifecycle(s3):
    s3.create_bucket(Bucket="mpu")
    up = s3.create_multipart_upload(Bucket="mpu", Key="big", ContentType="video/mp4", Metadata={"a": "b"})
    uid = up["UploadId"]
    p1 = b"1" * (5 * 1024 * 1024)
    p2 = b"2" * (5 * 1024 * 1024)
    p3 = b"3" * 1000
    e1 = s3.upload_part(Bucket="mpu", Key="big", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    e2 = s3.upload_part(Bucket="mpu", Key="big", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
    e3 = s3.upload_part(Bucket="mpu", Key="big", UploadId=uid, PartNumber=3, Body=p3)["ETag"]
    parts = s3.list_parts(Bucket="mpu", Key="big", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(p1)), (2, len(p2)), (3, len(p3))]
    uploads = s3.list_multipart_uploads(Bucket="mpu")["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big", uid)]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu", Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "InvalidPartOrder"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu", Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    assert error_code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu", Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 3, "ETag": e3}, {"PartNumber": 4, "ETag": e3}]})
    assert error_code(e) in ("InvalidPart", "EntityTooSmall")
    done = s3.complete_multipart_upload(Bucket="mpu", Key="big", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e3}]})
    md5s = b"".join(hashlib.md5(p).digest() for p in (p1, p2, p3))
    assert done["ETag"] == '"%s-3"' % hashlib.md5(md5s).hexdigest()
    got = s3.get_object(Bucket="mpu", Key="big")
    assert got["ContentType"] == "video/mp4" and got["Metadata"] == {"a": "b"}
    assert hashlib.md5(got["Body"].read()).digest() == hashlib.md5(p1 + p2 + p3).digest()
    part2 = s3.get_object(Bucket="mpu", Key="big", PartNumber=2)
    assert part2["PartsCount"] == 3 and part2["ContentLength"] == len(p2)
    assert part2["Body"].read(10) == b"2" * 10
    part2["Body"].close()  # abandon the rest: the server must cope
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="mpu", Key="big", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_multipart_small_part_and_abort(s3):
    s3.create_bucket(Bucket="mp2")
    uid = s3.create_multipart_upload(Bucket="mp2", Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket="mp2", Key="k", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket="mp2", Key="k", UploadId=uid, PartNumber=2, Body=b"last")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mp2", Key="k", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_code(e) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket="mp2", Key="k", UploadId=uid)
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket="mp2", Key="k", UploadId=uid, PartNumber=3, Body=b"x")
    assert error_code(e) == "NoSuchUpload"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="mp2")


def test_upload_part_copy(s3):
    s3.create_bucket(Bucket="pcopy")
    src = bytes(range(256)) * (6 * 4096)  # 6 MiB
    s3.put_object(Bucket="pcopy", Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket="pcopy", Key="dst")["UploadId"]
    r1 = s3.upload_part_copy(Bucket="pcopy", Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": "pcopy", "Key": "src"}, CopySourceRange="bytes=0-5242879")
    r2 = s3.upload_part_copy(Bucket="pcopy", Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": "pcopy", "Key": "src"}, CopySourceRange="bytes=5242880-6291455")
    s3.complete_multipart_upload(Bucket="pcopy", Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket="pcopy", Key="dst")["Body"].read() == src


def test_content_md5_and_checksums(s3):
    import base64
    s3.create_bucket(Bucket="cks")
    body = b"checksum me"
    good = base64.b64encode(hashlib.md5(body).digest()).decode()
    s3.put_object(Bucket="cks", Key="ok", Body=body, ContentMD5=good)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="cks", Key="bad", Body=body, ContentMD5=base64.b64encode(b"0" * 16).decode())
    assert error_code(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="cks", Key="bad", Body=body, ContentMD5="notbase64")
    assert error_code(e) == "InvalidDigest"
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    r = s3.put_object(Bucket="cks", Key="sha", Body=body, ChecksumSHA256=sha)
    assert r["ChecksumSHA256"] == sha
    h = s3.head_object(Bucket="cks", Key="sha", ChecksumMode="ENABLED")
    assert h["ChecksumSHA256"] == sha
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="cks", Key="bad", Body=body, ChecksumSHA256=base64.b64encode(b"1" * 32).decode())
    assert error_code(e) == "BadDigest"
    with pytest.raises(ClientError):
        s3.head_object(Bucket="cks", Key="bad")


def test_presigned_urls_with_curl(nimbus, s3):
    import subprocess
    s3.create_bucket(Bucket="pre")
    s3.put_object(Bucket="pre", Key="file name.txt", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "pre", "Key": "file name.txt"}, ExpiresIn=60)
    out = subprocess.run(["curl", "-s", "-f", url], capture_output=True, timeout=30)
    assert out.returncode == 0 and out.stdout == b"presigned body"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "pre", "Key": "up.txt"}, ExpiresIn=60)
    body_file = nimbus.log_path.with_name("presigned-body.txt")
    body_file.write_bytes(b"via curl")
    out = subprocess.run(["curl", "-s", "-f", "-T", str(body_file), put_url], capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert s3.get_object(Bucket="pre", Key="up.txt")["Body"].read() == b"via curl"
    expired = s3.generate_presigned_url("get_object", Params={"Bucket": "pre", "Key": "up.txt"}, ExpiresIn=1)
    import time
    time.sleep(2.1)
    out = subprocess.run(["curl", "-s", "-w", "%{http_code}", expired], capture_output=True, text=True, timeout=30)
    assert out.stdout.endswith("403") and "AccessDenied" in out.stdout
    tampered = url.replace("file%20name.txt", "up.txt")
    assert tampered != url
    out = subprocess.run(["curl", "-s", "-w", "%{http_code}", tampered], capture_output=True, text=True, timeout=30)
    assert out.stdout.endswith("403") and "SignatureDoesNotMatch" in out.stdout


def test_virtual_hosted_style(nimbus, monkeypatch):
    # Resolve *.localhost to loopback as browsers and systemd-resolved do,
    # whatever this machine's resolver says.
    import socket
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    s3 = boto3_client(nimbus.endpoint.replace("127.0.0.1", "localhost"), s3={"addressing_style": "virtual"})
    s3.create_bucket(Bucket="vhost")
    s3.put_object(Bucket="vhost", Key="k/v.txt", Body=b"virtual")
    assert s3.get_object(Bucket="vhost", Key="k/v.txt")["Body"].read() == b"virtual"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="vhost")["Contents"]] == ["k/v.txt"]
    # boto3 presigns with SigV2, which signs the bucket from the Host header.
    import urllib.request
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "vhost", "Key": "k/v.txt"})
    assert "vhost.localhost" in url
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"virtual"


def test_streaming_large_object(s3):
    s3.create_bucket(Bucket="large")
    data = hashlib.sha256(b"seed").digest() * (64 * 1024)  # 2 MiB
    s3.upload_fileobj(io.BytesIO(data), "large", "blob")
    assert s3.get_object(Bucket="large", Key="blob")["Body"].read() == data
