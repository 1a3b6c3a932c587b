"""A full disk, on a small filesystem the test mounts (tmpfs; skipped where
it cannot): uploads get a 507 SDKs do not retry, with no internal detail,
while deletes and metadata updates still work (nimbus keeps a reserve), so
space can be freed through the API; free space is in `nimbus status` and
the metrics."""
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, nimbus_bin


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_refuses_uploads_and_still_deletes(small_disk):
    s = Nimbus(small_disk / "data", ["--min-free-mb", "8"]).start()
    try:
        s3 = boto3_client(s.endpoint)
        s3.create_bucket(Bucket="full")
        blob = os.urandom(4 << 20)
        stored = []
        with pytest.raises(ClientError) as e:
            for i in range(40):  # 160 MB into 48 MB
                s3.put_object(Bucket="full", Key=f"big/{i}", Body=blob)
                stored.append(f"big/{i}")
        err = e.value.response
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 507, err
        assert err["Error"]["Code"] == "XNimbusStorageFull"
        assert "sqlite" not in err["Error"]["Message"] and "/" not in err["Error"]["Message"].split("(")[0]
        assert len(stored) >= 5
        # Small writes are refused too, not half-done.
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket="full", Key="small", Body=b"x")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
        # Metadata updates and deletes work on the full disk.
        s3.create_bucket(Bucket="meta-only")
        s3.delete_bucket(Bucket="meta-only")
        for k in stored[: len(stored) // 2]:
            s3.delete_object(Bucket="full", Key=k)
        s3.delete_objects(Bucket="full", Delete={"Objects": [{"Key": k} for k in stored[len(stored) // 2:-1]]})
        # With room again, uploads work, and every object left is intact.
        s3.put_object(Bucket="full", Key="after", Body=b"room again")
        assert s3.get_object(Bucket="full", Key="after")["Body"].read() == b"room again"
        assert s3.get_object(Bucket="full", Key=stored[-1])["Body"].read() == blob
        # Free space is reported.
        env = dict(os.environ, NIMBUS_ENDPOINT=s.endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        out = subprocess.run([nimbus_bin(), "status"], env=env, capture_output=True, text=True, timeout=30)
        assert "storage:" in out.stdout and "free of" in out.stdout, out.stdout + out.stderr
        import urllib.request
        metrics = urllib.request.urlopen(s.endpoint + "/metrics").read().decode()
        assert "nimbus_storage_free_bytes " in metrics
    finally:
        assert s.stop() == 0, s.log_text()[-3000:]
