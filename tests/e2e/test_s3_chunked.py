"""aws-chunked uploads built by the test itself, in every payload mode the
newer SDKs use, including broken ones: signatures and checksums are
verified, and nothing is stored unless they hold."""
import base64
import hashlib
import zlib

import pytest

from conftest import boto3_client
from sigv4 import Signer, aws_chunked, send


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


@pytest.fixture
def bucket(nimbus):
    boto3_client(nimbus.endpoint).create_bucket(Bucket="chunky")
    return "chunky"


def put_chunked(nimbus, key, data, mode, chunk=65536, trailer=True, corrupt=None, declared=None):
    s = Signer()
    headers = {"host": f"127.0.0.1:{nimbus.port}", "content-encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data) if declared is None else declared)}
    trailer_hdr = None
    if mode != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" and trailer:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
        trailer_hdr = ("x-amz-checksum-crc32", crc32_b64(data) if corrupt != "checksum" else "AAAAAA==")
    signed = mode.startswith("STREAMING-AWS4-HMAC-SHA256")
    # Content-Length is known up front: encode with a placeholder seed, sign, re-encode.
    body = aws_chunked(data, chunk, Signer() if signed else None, "0" * 64, trailer_hdr, signed and trailer_hdr is not None)
    headers["content-length"] = str(len(body))
    seed = s.sign("PUT", f"/chunky/{key}", headers, mode)
    body = aws_chunked(data, chunk, s if signed else None, seed, trailer_hdr, signed and trailer_hdr is not None)
    if corrupt == "data":
        i = body.index(b"\r\n") + 5
        body = body[:i] + bytes([body[i] ^ 1]) + body[i + 1:]
    return send(nimbus.port, "PUT", f"/chunky/{key}", headers, body)


@pytest.mark.parametrize("mode", ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                                  "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
def test_modes_store_exact_bytes(nimbus, bucket, mode):
    data = hashlib.sha256(mode.encode()).digest() * 7000  # 224000 bytes, 4 chunks
    status, headers, body = put_chunked(nimbus, "obj", data, mode)
    assert status == 200, body
    assert headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    s3 = boto3_client(nimbus.endpoint)
    got = s3.get_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    # aws-chunked is a transfer detail: it is not stored as the object's encoding.
    assert "ContentEncoding" not in got
    if mode != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
        assert got["ChecksumCRC32"] == crc32_b64(data)


@pytest.mark.parametrize("mode", ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"])
def test_corrupted_chunk_is_refused(nimbus, bucket, mode):
    status, _, body = put_chunked(nimbus, "bad", b"x" * 100000, mode, corrupt="data")
    assert status == 403 and b"SignatureDoesNotMatch" in body
    s3 = boto3_client(nimbus.endpoint)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("mode", ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
def test_wrong_trailer_checksum_is_refused(nimbus, bucket, mode):
    status, _, body = put_chunked(nimbus, "bad", b"y" * 5000, mode, corrupt="checksum")
    assert status in (400, 403), body
    assert b"BadDigest" in body or b"SignatureDoesNotMatch" in body
    assert boto3_client(nimbus.endpoint).list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_decoded_length_is_honoured(nimbus, bucket):
    status, _, body = put_chunked(nimbus, "short", b"z" * 1000, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", declared=2000)
    assert status == 400 and b"IncompleteBody" in body
    status, _, body = put_chunked(nimbus, "long", b"z" * 1000, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", declared=10)
    assert status == 400


def test_signed_hash_mismatch(nimbus, bucket):
    s = Signer()
    headers = {"host": f"127.0.0.1:{nimbus.port}", "content-length": "5"}
    s.sign("PUT", "/chunky/h", headers, hashlib.sha256(b"other").hexdigest())
    status, _, body = send(nimbus.port, "PUT", "/chunky/h", headers, b"hello")
    assert status == 400 and b"XAmzContentSHA256Mismatch" in body
