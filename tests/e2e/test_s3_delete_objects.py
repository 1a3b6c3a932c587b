"""DeleteObjects with keys that are only whitespace (issue 12, data loss 5):
each is deleted for real, so the bucket can be emptied and deleted."""
import json

import pytest

from conftest import aws_clis, run_aws

KEYS = [" ", "  ", "\t", " a ", "b"]


def test_whitespace_keys_boto3(s3):
    s3.create_bucket(Bucket="wsb")
    for k in KEYS:
        s3.put_object(Bucket="wsb", Key=k, Body=b"x")
    r = s3.delete_objects(Bucket="wsb", Delete={"Objects": [{"Key": k} for k in KEYS]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(KEYS)
    assert "Errors" not in r
    assert s3.list_objects_v2(Bucket="wsb")["KeyCount"] == 0
    s3.delete_bucket(Bucket="wsb")


@pytest.mark.parametrize("cli", aws_clis() or ["missing"])
def test_whitespace_keys_aws_cli(nimbus, cli, tmp_path):
    if cli == "missing":
        pytest.skip("no AWS CLI installed")
    run_aws(nimbus.endpoint, "s3api", "create-bucket", "--bucket", "wscli", cli=cli)
    body = tmp_path / "b"
    body.write_bytes(b"x")
    for k in [" ", "  "]:
        run_aws(nimbus.endpoint, "s3api", "put-object", "--bucket", "wscli", "--key", k, "--body", str(body), cli=cli)
    r = run_aws(nimbus.endpoint, "s3api", "delete-objects", "--bucket", "wscli", "--delete",
                json.dumps({"Objects": [{"Key": " "}, {"Key": "  "}]}), cli=cli)
    assert sorted(d["Key"] for d in json.loads(r.stdout)["Deleted"]) == [" ", "  "]
    r = run_aws(nimbus.endpoint, "s3api", "list-objects-v2", "--bucket", "wscli", cli=cli)
    assert json.loads(r.stdout or "{}").get("KeyCount", 0) == 0
    run_aws(nimbus.endpoint, "s3api", "delete-bucket", "--bucket", "wscli", cli=cli)
