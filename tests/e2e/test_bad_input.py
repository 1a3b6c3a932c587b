"""Bad input gets a clear S3 error and the server keeps serving: malformed
XML, oversized headers, truncated bodies, stalled clients, bad signatures,
skewed clocks, unknown keys, garbage on the wire."""
import datetime
import hashlib
import socket
import time

import pytest

from conftest import Nimbus, boto3_client, read_until_closed
from sigv4 import Signer, send


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--stall-timeout", "2", "--idle-timeout", "3"]).start()
    boto3_client(s.endpoint).create_bucket(Bucket="bad")
    yield s
    assert s.stop() == 0, s.log_text()


def still_serving(server):
    s3 = boto3_client(server.endpoint)
    s3.put_object(Bucket="bad", Key="alive", Body=b"yes")
    assert s3.get_object(Bucket="bad", Key="alive")["Body"].read() == b"yes"


def signed(server, method, path, body=b"", query="", signer=None, extra=None):
    headers = {"host": f"127.0.0.1:{server.port}", "content-length": str(len(body))}
    headers.update(extra or {})
    (signer or Signer()).sign(method, path, headers, hashlib.sha256(body).hexdigest(), query)
    return send(server.port, method, path, headers, body, query)


def raw(server, data, read_timeout=5):
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as s:
        s.sendall(data)
        return read_until_closed(s)


@pytest.mark.parametrize("body", [b"<Delete><Object><Key>a", b"not xml at all", b"<Other/>", b"<Delete></Delete>"])
def test_malformed_delete_xml(server, body):
    status, _, out = signed(server, "POST", "/bad", body, query="delete")
    assert status == 400 and b"<Code>MalformedXML</Code>" in out and b"<RequestId>" in out
    still_serving(server)


def test_malformed_complete_multipart_xml(server):
    s3 = boto3_client(server.endpoint)
    uid = s3.create_multipart_upload(Bucket="bad", Key="mp")["UploadId"]
    for body in [b"<CompleteMultipartUpload><Part>", b"<CompleteMultipartUpload/>",
                 b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>"]:
        status, _, out = signed(server, "POST", "/bad/mp", body, query=f"uploadId={uid}")
        assert status == 400 and b"MalformedXML" in out
    status, _, out = signed(server, "POST", "/bad/mp", b"<CompleteMultipartUpload/>", query="uploadId=nope")
    assert status == 404 and b"NoSuchUpload" in out
    still_serving(server)


def test_oversized_headers(server):
    out = raw(server, b"GET /bad HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431") and b"RequestHeaderSectionTooLarge" in out
    still_serving(server)


def test_garbage_on_the_wire(server):
    assert raw(server, b"\x16\x03\x01\x02\x00garbage\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert raw(server, b"GET / HTTP/1.1\r\nContent-Length: -5\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 400")
    still_serving(server)


def test_truncated_body_stores_nothing(server):
    headers = {"host": f"127.0.0.1:{server.port}", "content-length": "100000"}
    Signer().sign("PUT", "/bad/trunc", headers, "UNSIGNED-PAYLOAD")
    head = "PUT /bad/trunc HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(head.encode() + b"x" * 5000)
        s.shutdown(socket.SHUT_WR)  # the client goes away mid-body
        s.settimeout(5)
        while s.recv(65536):
            pass
    time.sleep(0.2)
    s3 = boto3_client(server.endpoint)
    assert "trunc" not in [o["Key"] for o in s3.list_objects_v2(Bucket="bad").get("Contents", [])]
    still_serving(server)


def test_stalled_clients_time_out_without_blocking_others(server):
    stalled = []
    for i in range(20):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"PUT /bad/slow HTTP/1.1\r\nHost: x\r\nContent-Len")  # never finishes its headers
        stalled.append(s)
    still_serving(server)  # others are served meanwhile
    time.sleep(3)
    for s in stalled:
        out = read_until_closed(s, timeout=2)
        # Told why (S3's RequestTimeout), then closed by the server after the stall timeout.
        assert out.startswith(b"HTTP/1.1 400") and b"<Code>RequestTimeout</Code>" in out, out
        s.close()
    still_serving(server)


def test_wrong_secret(server):
    status, _, out = signed(server, "GET", "/bad", signer=Signer(secret="wrong"))
    assert status == 403 and b"SignatureDoesNotMatch" in out


def test_unknown_access_key(server):
    status, _, out = signed(server, "GET", "/bad", signer=Signer(access="nobody"))
    assert status == 403 and b"InvalidAccessKeyId" in out


def test_skewed_clock(server):
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    status, _, out = signed(server, "GET", "/bad", signer=Signer(when=old))
    assert status == 403 and b"RequestTimeTooSkewed" in out


def test_anonymous_request(server):
    status, _, out = send(server.port, "GET", "/bad", {"host": "x"})
    assert status == 403 and b"AccessDenied" in out


def test_extra_credentials_from_flags_and_file(tmp_path):
    creds = tmp_path / "keys.txt"
    creds.write_text("# team keys\nfilekey filesecret\n")
    s = Nimbus(tmp_path / "data", ["--credentials-file", str(creds), "--access-key", "flagkey:flagsecret"]).start()
    try:
        import boto3
        for key, secret in [("filekey", "filesecret"), ("flagkey", "flagsecret"), ("test", "test")]:
            c = boto3.client("s3", endpoint_url=s.endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
                             region_name="us-east-1")
            c.list_buckets()
    finally:
        s.stop()


def _raw_put(server, path, length, send_bytes, expect_continue=False):
    headers = {"host": f"127.0.0.1:{server.port}", "content-length": str(length)}
    if expect_continue:
        headers["expect"] = "100-continue"
    Signer().sign("PUT", path, headers, "UNSIGNED-PAYLOAD")
    head = f"PUT {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    start = time.time()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(head.encode() + b"z" * send_bytes)
        out = b""
        while b"</Error>" not in out:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    return out, time.time() - start


@pytest.mark.parametrize("expect_continue", [False, True])
def test_oversized_upload_is_refused_at_once(server, expect_continue):
    out, took = _raw_put(server, "/bad/huge", 6 * 1024 ** 3, 0 if expect_continue else 100000, expect_continue)
    assert out.startswith(b"HTTP/1.1 400") and b"EntityTooLarge" in out, out[:300]
    assert took < 1.5, "the refusal waited for the body"
    still_serving(server)


def test_upload_to_missing_bucket_is_refused_without_reading_it(server):
    out, took = _raw_put(server, "/no-such-bucket/k", 50 * 1024 * 1024, 200000)
    assert out.startswith(b"HTTP/1.1 404") and b"NoSuchBucket" in out, out[:300]
    assert took < 1.5
    still_serving(server)
