"""Browser form uploads (S3 POST Object) with real clients: boto3's
generate_presigned_post (SigV4 and V2 policies) posted with requests and
curl -F, the policy's expiry and conditions, success_action_status /
success_action_redirect, metadata, ACLs, hostile forms, and the
ObjectCreated:Post event."""
import json
import socket
import subprocess
import time

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import boto3_client
from test_notifications import configure, server  # noqa: F401  (the fixture)


@pytest.fixture
def s3(nimbus):
    c = boto3_client(nimbus.endpoint)
    c.create_bucket(Bucket="forms")
    return c


def post(url, fields, data=b"file body", filename="photo.jpg", content_type="image/jpeg", **kw):
    return requests.post(url, data=fields, files={"file": (filename, data, content_type)}, timeout=30, **kw)


def code(r):
    import re
    m = re.search(rb"<Code>([^<]+)</Code>", r.content)
    return m.group(1).decode() if m else None


def test_presigned_post_sigv4(nimbus, s3):
    v4 = boto3_client(nimbus.endpoint, signature_version="s3v4")
    p = v4.generate_presigned_post("forms", "uploads/${filename}",
                                   Fields={"Content-Type": "image/jpeg", "x-amz-meta-owner": "ana"},
                                   Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "image/jpeg"},
                                               {"x-amz-meta-owner": "ana"}, ["content-length-range", 1, 1000]],
                                   ExpiresIn=600)
    assert "x-amz-signature" in p["fields"]
    r = post(p["url"], p["fields"])
    assert r.status_code == 204, r.text
    head = s3.head_object(Bucket="forms", Key="uploads/photo.jpg")
    assert head["ContentType"] == "image/jpeg" and head["Metadata"] == {"owner": "ana"}
    assert r.headers["ETag"] == head["ETag"]
    assert s3.get_object(Bucket="forms", Key="uploads/photo.jpg")["Body"].read() == b"file body"

    # The conditions are enforced.
    r = post(p["url"], p["fields"], data=b"x" * 1001)
    assert r.status_code == 400 and code(r) == "EntityTooLarge"
    r = post(p["url"], p["fields"], data=b"")
    assert r.status_code == 400 and code(r) == "EntityTooSmall"
    r = post(p["url"], {**p["fields"], "Content-Type": "text/html"})
    assert r.status_code == 403 and b"Policy Condition failed" in r.content
    r = post(p["url"], {**p["fields"], "key": "elsewhere/x"})
    assert r.status_code == 403 and b"Policy Condition failed" in r.content
    r = post(p["url"], {**p["fields"], "x-amz-meta-extra": "1"})
    assert r.status_code == 403 and b"Extra input fields: x-amz-meta-extra" in r.content
    r = post(p["url"], {**p["fields"], "x-amz-signature": "0" * 64})
    assert r.status_code == 403 and code(r) == "SignatureDoesNotMatch"
    assert s3.list_objects_v2(Bucket="forms")["KeyCount"] == 1  # nothing else was stored


def test_presigned_post_v2_and_status_codes(nimbus, s3):
    v2 = boto3_client(nimbus.endpoint, signature_version="s3")
    p = v2.generate_presigned_post("forms", "v2/doc.txt",
                                   Fields={"success_action_status": "201"},
                                   Conditions=[{"success_action_status": "201"}])
    assert "signature" in p["fields"] and "AWSAccessKeyId" in p["fields"]
    r = post(p["url"], p["fields"], data=b"v2 body", content_type="text/plain")
    assert r.status_code == 201, r.text
    assert b"<PostResponse>" in r.content and b"<Key>v2/doc.txt</Key>" in r.content and b"<Bucket>forms</Bucket>" in r.content
    assert s3.get_object(Bucket="forms", Key="v2/doc.txt")["Body"].read() == b"v2 body"
    # Without a Content-Type field, the file part's type is stored.
    assert s3.head_object(Bucket="forms", Key="v2/doc.txt")["ContentType"] == "text/plain"

    p = s3.generate_presigned_post("forms", "s200", Fields={"success_action_status": "200"},
                                   Conditions=[{"success_action_status": "200"}])
    assert post(p["url"], p["fields"]).status_code == 200
    p = s3.generate_presigned_post("forms", "redirected",
                                   Fields={"success_action_redirect": "http://example.com/done"},
                                   Conditions=[{"success_action_redirect": "http://example.com/done"}])
    r = post(p["url"], p["fields"], allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("http://example.com/done?bucket=forms&key=redirected&etag=")


def test_expired_policy_and_bad_policies(nimbus, s3):
    p = s3.generate_presigned_post("forms", "late", ExpiresIn=1)
    time.sleep(2)
    r = post(p["url"], p["fields"])
    assert r.status_code == 403 and b"Policy expired" in r.content
    p = s3.generate_presigned_post("forms", "k")
    r = post(p["url"], {**p["fields"], "policy": "bm90IGpzb24="})  # "not json": the signature fails first
    assert r.status_code == 403 and code(r) == "SignatureDoesNotMatch"
    # No key field; no file; an unknown field.
    fields = {k: v for k, v in p["fields"].items() if k != "key"}
    r = post(p["url"], fields)
    assert r.status_code == 400 and code(r) == "InvalidArgument"
    r = requests.post(p["url"], files={k: (None, v) for k, v in p["fields"].items()}, timeout=10)
    assert r.status_code == 400 and b"exactly one file" in r.content
    r = post(p["url"], {**p["fields"], "tagging": "<Tagging/>"})
    assert r.status_code == 501 and code(r) == "NotImplemented"


def test_unsigned_form_needs_a_public_bucket_and_acl_field(nimbus, s3):
    url = f"{nimbus.endpoint}/forms"
    r = post(url, {"key": "anon.txt"})
    assert r.status_code == 403 and code(r) == "AccessDenied"
    r = post(f"{nimbus.endpoint}/no-such-bucket", {"key": "anon.txt"})
    assert r.status_code == 404 and code(r) == "NoSuchBucket"
    s3.put_bucket_acl(Bucket="forms", ACL="public-read-write")
    r = post(url, {"key": "anon.txt"})
    assert r.status_code == 204
    # An acl field makes the object public; the policy must allow it.
    p = s3.generate_presigned_post("forms", "public.jpg", Fields={"acl": "public-read"},
                                   Conditions=[{"acl": "public-read"}])
    assert post(p["url"], p["fields"]).status_code == 204
    assert requests.get(f"{nimbus.endpoint}/forms/public.jpg", timeout=10).content == b"file body"
    p = s3.generate_presigned_post("forms", "x", Fields={"acl": "open"}, Conditions=[{"acl": "open"}])
    r = post(p["url"], p["fields"])
    assert r.status_code == 400 and code(r) == "InvalidArgument"


def test_curl_form_upload(nimbus, s3, tmp_path):
    p = s3.generate_presigned_post("forms", "curl/${filename}", Conditions=[["starts-with", "$key", "curl/"]])
    src = tmp_path / "report.csv"
    src.write_bytes(b"a,b\n1,2\n" * 10000)
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"]
    for k, v in p["fields"].items():
        args += ["-F", f"{k}={v}"]
    args += ["-F", f"file=@{src}", p["url"]]
    assert subprocess.run(args, capture_output=True, text=True, check=True).stdout == "204"
    assert s3.get_object(Bucket="forms", Key="curl/report.csv")["Body"].read() == src.read_bytes()


def test_hostile_forms_are_refused_cleanly(nimbus, s3):
    url = f"{nimbus.endpoint}/forms"
    bad = [
        ("multipart/form-data", b"--x\r\n"),                                   # no boundary parameter
        ("multipart/form-data; boundary=x", b"garbage without boundary"),
        ("multipart/form-data; boundary=x", b"--x\r\nNo-Colon\r\n\r\nv\r\n--x--"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk"),
        ("multipart/form-data; boundary=x", b"--x\r\n" + b"H: " + b"a" * 20000 + b"\r\n\r\n"),
        ("multipart/form-data; boundary=x",
         b"--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" + b"k" * 200000 + b"\r\n--x--"),
    ]
    for ctype, body in bad:
        r = requests.post(url, data=body, headers={"Content-Type": ctype}, timeout=10)
        assert r.status_code == 400, (body[:60], r.status_code, r.text)
        assert code(r) in ("MalformedPOSTRequest", "MaxPostPreDataLengthExceededError", "InvalidArgument"), r.text
    # A form that stops mid-file (the client goes away) stores nothing.
    p = s3.generate_presigned_post("forms", "cut")
    body = b"".join(b"--B\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (k.encode(), v.encode())
                    for k, v in p["fields"].items())
    body += b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n" + b"z" * 1000
    with socket.create_connection(("127.0.0.1", nimbus.port)) as sock:
        sock.sendall(b"POST /forms HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n"
                     b"Content-Length: %d\r\n\r\n" % (len(body) + 100) + body)
    time.sleep(0.5)
    with pytest.raises(ClientError):
        s3.head_object(Bucket="forms", Key="cut")
    assert requests.get(f"{nimbus.endpoint}/_nimbus/health", timeout=5).status_code == 200


def test_post_raises_the_object_created_post_event(server):  # noqa: F811
    s3, _ = configure(server)
    p = s3.generate_presigned_post("photos", "input/form.jpg")
    assert post(p["url"], p["fields"], data=b"12345").status_code == 204
    from test_lambda import wait_for
    wait_for(lambda: "EVENT ObjectCreated:Post photos input/form.jpg 5 thumbs" in server.log_text(),
             what="the Post event")


def test_post_storage_class_and_encryption_fields(nimbus, s3):
    v4 = boto3_client(nimbus.endpoint, signature_version="s3v4")
    p = v4.generate_presigned_post("forms", "cold.bin",
                                   Fields={"x-amz-storage-class": "GLACIER_IR", "x-amz-server-side-encryption": "AES256"},
                                   Conditions=[{"x-amz-storage-class": "GLACIER_IR"},
                                               {"x-amz-server-side-encryption": "AES256"}], ExpiresIn=600)
    r = post(p["url"], p["fields"])
    assert r.status_code == 204, r.text
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    assert s3.head_object(Bucket="forms", Key="cold.bin")["StorageClass"] == "GLACIER_IR"
    p = v4.generate_presigned_post("forms", "kms.bin", Fields={"x-amz-server-side-encryption": "aws:kms"},
                                   Conditions=[{"x-amz-server-side-encryption": "aws:kms"}], ExpiresIn=600)
    r = post(p["url"], p["fields"])
    assert r.status_code == 400 and code(r) == "InvalidArgument" and b"KMS" in r.content
    with pytest.raises(ClientError):
        s3.head_object(Bucket="forms", Key="kms.bin")
