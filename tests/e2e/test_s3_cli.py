"""The AWS CLI v2 from Debian (`aws s3`, `aws s3api`) against nimbus, and
the newest botocore on this machine (if any) for its default aws-chunked
uploads with trailing CRC32 checksums."""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import client_env, run_aws, run_modern_python


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def test_cp_ls_rm_rb(nimbus, tmp_path):
    ep = nimbus.endpoint
    run_aws(ep, "s3", "mb", "s3://cli-bucket")
    src = tmp_path / "hello world.txt"
    src.write_text("hello from the aws cli\n")
    run_aws(ep, "s3", "cp", str(src), "s3://cli-bucket/input/hello world.txt")
    out = run_aws(ep, "s3", "ls", "s3://cli-bucket/input/").stdout
    assert "hello world.txt" in out
    got = run_aws(ep, "s3", "cp", "s3://cli-bucket/input/hello world.txt", "-").stdout
    assert got == "hello from the aws cli\n"
    run_aws(ep, "s3", "rm", "s3://cli-bucket/input/hello world.txt")
    assert run_aws(ep, "s3", "ls", "s3://cli-bucket/", check=False).stdout.strip() == ""
    run_aws(ep, "s3", "rb", "s3://cli-bucket")
    r = run_aws(ep, "s3api", "head-bucket", "--bucket", "cli-bucket", check=False)
    assert r.returncode != 0


def test_multipart_upload_100mb(nimbus, tmp_path):
    ep = nimbus.endpoint
    run_aws(ep, "s3", "mb", "s3://big")
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(100):
            f.write(hashlib.sha256(block + bytes([i])).digest() * 32768)
    run_aws(ep, "s3", "cp", str(src), "s3://big/big.bin")
    head = json.loads(run_aws(ep, "s3api", "head-object", "--bucket", "big", "--key", "big.bin").stdout)
    assert head["ContentLength"] == 100 * (1 << 20)
    assert head["ETag"].endswith('-13"')  # 8 MiB parts, the CLI's default chunk size
    dst = tmp_path / "back.bin"
    run_aws(ep, "s3", "cp", "s3://big/big.bin", str(dst))
    assert md5_file(dst) == md5_file(src)


def test_sync_both_ways(nimbus, tmp_path):
    ep = nimbus.endpoint
    run_aws(ep, "s3", "mb", "s3://sync")
    local = tmp_path / "local"
    (local / "sub" / "deeper").mkdir(parents=True)
    files = {"a.txt": b"a", "sub/b.txt": b"bb", "sub/deeper/c d.txt": b"ccc", "unicode-é.txt": "é".encode()}
    for name, data in files.items():
        (local / name).write_bytes(data)
    run_aws(ep, "s3", "sync", str(local), "s3://sync/mirror")
    listed = run_aws(ep, "s3", "ls", "--recursive", "s3://sync/mirror").stdout
    for name in files:
        assert name in listed
    # A second sync has nothing to do.
    again = run_aws(ep, "s3", "sync", str(local), "s3://sync/mirror").stdout
    assert "upload:" not in again
    back = tmp_path / "back"
    run_aws(ep, "s3", "sync", "s3://sync/mirror", str(back))
    for name, data in files.items():
        assert (back / name).read_bytes() == data
    (local / "a.txt").unlink()
    run_aws(ep, "s3", "sync", "--delete", str(local), "s3://sync/mirror")
    assert "a.txt" not in run_aws(ep, "s3", "ls", "--recursive", "s3://sync/mirror").stdout.split()


def test_presign_with_curl(nimbus):
    ep = nimbus.endpoint
    run_aws(ep, "s3", "mb", "s3://pres")
    run_aws(ep, "s3", "cp", "-", "s3://pres/doc.txt", input="presigned by the cli")
    url = run_aws(ep, "s3", "presign", "s3://pres/doc.txt", "--expires-in", "120").stdout.strip()
    out = subprocess.run(["curl", "-s", "-f", url], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout == "presigned by the cli"


def test_s3api_errors_are_s3_shaped(nimbus):
    ep = nimbus.endpoint
    r = run_aws(ep, "s3api", "get-object", "--bucket", "nope", "--key", "k", "/dev/null", check=False)
    assert r.returncode != 0 and "NoSuchBucket" in r.stderr
    run_aws(ep, "s3", "mb", "s3://errs")
    r = run_aws(ep, "s3api", "get-object", "--bucket", "errs", "--key", "k", "/dev/null", check=False)
    assert "NoSuchKey" in r.stderr


NEW_BOTOCORE_SCRIPT = r"""
import sys, hashlib, boto3
from botocore.config import Config
import botocore.httpchecksum as hc
from urllib.parse import urlparse

# botocore sends trailer checksums (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER)
# only over TLS; nimbus listens on plain HTTP here, so tell botocore's checksum
# resolver the URL is https. The bytes on the wire are then what it sends to AWS.
class _AsHttps:
    def __init__(self, parsed):
        self._parsed = parsed
    scheme = "https"
    def __getattr__(self, name):
        return getattr(self._parsed, name)
hc.urlparse = lambda url: _AsHttps(urlparse(url))
ep = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=ep, aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
seen = []
s3.meta.events.register("before-send.s3.*", lambda request, **kw: seen.append(
    (request.headers.get("x-amz-content-sha256", b""), request.headers.get("x-amz-trailer", b""))))
s3.create_bucket(Bucket="modern")
body = b"modern sdk body " * 5000
r = s3.put_object(Bucket="modern", Key="k", Body=body)
print(seen[-1])
assert s3.get_object(Bucket="modern", Key="k")["Body"].read() == body
print(r.get("ChecksumCRC32", ""))
up = s3.create_multipart_upload(Bucket="modern", Key="mp")
e = s3.upload_part(Bucket="modern", Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=body)["ETag"]
s3.complete_multipart_upload(Bucket="modern", Key="mp", UploadId=up["UploadId"],
                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
assert s3.get_object(Bucket="modern", Key="mp")["Body"].read() == body
"""


def test_newest_botocore_sends_aws_chunked_with_crc_trailer(nimbus):
    r = run_modern_python(NEW_BOTOCORE_SCRIPT, nimbus.endpoint)
    assert r.returncode == 0, r.stderr
    sent, crc = r.stdout.splitlines()[:2]
    assert "STREAMING-UNSIGNED-PAYLOAD-TRAILER" in sent and "x-amz-checksum-crc32" in sent
    assert crc


def test_newest_aws_cli_if_present(nimbus, tmp_path):
    """The `aws` on PATH when it is not Debian's (e.g. a pip-installed CLI v1 with a new botocore)."""
    cli = shutil.which("aws")
    if not cli or os.path.realpath(cli) == os.path.realpath("/usr/bin/aws"):
        pytest.skip("only Debian's aws CLI is installed")
    env = {k: v for k, v in client_env().items() if not k.startswith("PYTHON")}
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 17))

    def aws(*args):
        r = subprocess.run([cli, "--endpoint-url", nimbus.endpoint, *args], env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return r.stdout
    aws("s3", "mb", "s3://pathcli")
    aws("s3", "cp", str(src), "s3://pathcli/f.bin")
    aws("s3", "cp", "s3://pathcli/f.bin", str(tmp_path / "g.bin"))
    assert (tmp_path / "g.bin").read_bytes() == src.read_bytes()
