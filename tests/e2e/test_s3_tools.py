"""s3cmd and rclone, from Debian, against nimbus: put, list, get, sync,
multipart, delete."""
import hashlib
import os
import subprocess

import pytest

from conftest import which


def run(cmd, env=None, timeout=300):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(cmd)}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture
def s3cmd(nimbus, tmp_path):
    if not which("s3cmd"):
        pytest.skip("s3cmd is not installed")
    cfg = tmp_path / "s3cfg"
    cfg.write_text(f"""[default]
access_key = test
secret_key = test
host_base = 127.0.0.1:{nimbus.port}
host_bucket = 127.0.0.1:{nimbus.port}
use_https = False
signature_v2 = False
bucket_location = us-east-1
multipart_chunk_size_mb = 5
""")
    return lambda *args: run(["s3cmd", "-c", str(cfg), *args])


@pytest.fixture
def rclone(nimbus, tmp_path):
    if not which("rclone"):
        pytest.skip("rclone is not installed")
    # rclone's AWS SDK refuses a custom CA bundle on plain HTTP endpoints.
    base = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    env = dict(base, RCLONE_CONFIG=str(tmp_path / "rclone.conf"),
               RCLONE_CONFIG_NIMBUS_TYPE="s3", RCLONE_CONFIG_NIMBUS_PROVIDER="Other",
               RCLONE_CONFIG_NIMBUS_ACCESS_KEY_ID="test", RCLONE_CONFIG_NIMBUS_SECRET_ACCESS_KEY="test",
               RCLONE_CONFIG_NIMBUS_ENDPOINT=nimbus.endpoint, RCLONE_CONFIG_NIMBUS_REGION="us-east-1",
               RCLONE_CONFIG_NIMBUS_FORCE_PATH_STYLE="true")
    return lambda *args: run(["rclone", *args], env=env)


def tree(root, files):
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


FILES = {"a.txt": b"alpha", "dir/b.bin": os.urandom(70000), "dir/sub/c d.txt": b"spaced", "ü.txt": b"umlaut"}


def test_s3cmd(s3cmd, tmp_path):
    s3cmd("mb", "s3://tools")
    src = tmp_path / "src"
    tree(src, FILES)
    s3cmd("put", str(src / "a.txt"), "s3://tools/a.txt")
    assert "s3://tools/a.txt" in s3cmd("ls", "s3://tools/")
    s3cmd("get", "s3://tools/a.txt", str(tmp_path / "a.copy"))
    assert (tmp_path / "a.copy").read_bytes() == b"alpha"
    s3cmd("sync", str(src) + "/", "s3://tools/synced/")
    listing = s3cmd("ls", "--recursive", "s3://tools/synced/")
    for name in FILES:
        assert f"s3://tools/synced/{name}" in listing
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * 1024 * 1024))
    s3cmd("put", str(big), "s3://tools/big.bin")  # 5 MB parts: multipart
    s3cmd("get", "s3://tools/big.bin", str(tmp_path / "big.back"))
    assert hashlib.md5((tmp_path / "big.back").read_bytes()).digest() == hashlib.md5(big.read_bytes()).digest()
    s3cmd("del", "--recursive", "--force", "s3://tools/")
    s3cmd("rb", "s3://tools")


def test_rclone(rclone, tmp_path):
    rclone("mkdir", "nimbus:rclone-bkt")
    src = tmp_path / "src"
    tree(src, FILES)
    rclone("copy", str(src), "nimbus:rclone-bkt/data")
    listing = rclone("ls", "nimbus:rclone-bkt/data")
    for name in FILES:
        assert name in listing
    rclone("check", str(src), "nimbus:rclone-bkt/data")
    back = tmp_path / "back"
    rclone("sync", "nimbus:rclone-bkt/data", str(back))
    for name, data in FILES.items():
        assert (back / name).read_bytes() == data
    big = tmp_path / "big" / "big.bin"
    big.parent.mkdir()
    big.write_bytes(os.urandom(20 * 1024 * 1024))
    rclone("copy", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", str(big.parent), "nimbus:rclone-bkt/big")
    rclone("check", str(big.parent), "nimbus:rclone-bkt/big")
    rclone("purge", "nimbus:rclone-bkt")
