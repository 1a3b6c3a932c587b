"""Terraform against nimbus (issue 12): the configuration in terraform/ (an
S3 bucket whose uploads run a Python function, with its permission, alias,
event invoke config, lifecycle rules and public access block) applies, a
second plan finds nothing to change, the resources are there as boto3 sees
them (an upload runs the function), and destroy removes them.

It runs where /usr/local/bin/terraform and the hashicorp/aws provider under
/opt/tf-plugins exist, offline: the provider comes from that filesystem mirror,
the function's zip is built here (there is no hashicorp/archive provider to
fetch), and every endpoint points at nimbus. Elsewhere it skips, saying why.

terraform/versioning.tf and terraform/cors.tf are copied in only when nimbus
answers PutBucketVersioning and PutBucketCors (probed with boto3 first); when
one is left out the test says so with a warning. Every terraform command logs
at TF_LOG=DEBUG to a file whose tail a failure shows: it names the API call
that failed.
"""
import json
import os
import shutil
import subprocess
import time
import warnings
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, client_env, python_zip
from test_lambda import lambda_client

TERRAFORM = "/usr/local/bin/terraform"
MIRROR = Path("/opt/tf-plugins")
PROVIDER_VERSION = "5.100.0"  # pinned in terraform/main.tf
PROVIDER_DIR = MIRROR / "registry.terraform.io" / "hashicorp" / "aws" / PROVIDER_VERSION
CONFIG_DIR = Path(__file__).resolve().parent / "terraform"
BUCKET = "tf-uploads"
FUNCTION = "tf-on-upload"

if not os.access(TERRAFORM, os.X_OK):
    pytest.skip(f"Terraform e2e: {TERRAFORM} is not installed", allow_module_level=True)
if not PROVIDER_DIR.is_dir():
    found = sorted(p.name for p in (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").glob("*"))
    pytest.skip(f"Terraform e2e: hashicorp/aws {PROVIDER_VERSION} is not in the mirror {MIRROR} "
                f"(found: {found or 'nothing'})", allow_module_level=True)

# Writes each upload under incoming/ back as processed/<name>, so the test
# sees that the notification ran the function (and with its environment).
HANDLER = r'''
import os
import urllib.parse

import boto3


def handler(event, context):
    s3 = boto3.client("s3")
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        name = key.split("/", 1)[1]
        s3.put_object(Bucket=bucket, Key="processed/" + name,
                      Body=(os.environ["MARK"] + " " + record["eventName"] + " " + key).encode())
    return "ok"
'''


class Terraform:
    """terraform in a working directory of its own, offline, logging to a file."""

    def __init__(self, work, endpoint):
        self.work = work
        self.log = work / "terraform-debug.log"
        cli_config = work / "terraform.rc"
        cli_config.write_text('provider_installation {\n'
                              f'  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n'
                              '}\n')
        self.env = client_env({
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",  # no version check against checkpoint-api.hashicorp.com
            "TF_DATA_DIR": str(work / ".terraform"),
            "TF_LOG": "DEBUG",
            "TF_LOG_PATH": str(self.log),
            "TF_VAR_endpoint": endpoint,
            "TF_VAR_bucket": BUCKET,
            "TF_VAR_function_zip": str(work / "function.zip"),
        })
        self.env.pop("TF_PLUGIN_CACHE_DIR", None)

    def run(self, *args, ok=(0,), timeout=600):
        self.log.unlink(missing_ok=True)
        r = subprocess.run([TERRAFORM, *args, "-no-color"], cwd=self.work, env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if r.returncode not in ok:
            raise AssertionError(f"terraform {' '.join(args)} exited {r.returncode}:\n{r.stdout[-6000:]}\n"
                                 f"{r.stderr[-6000:]}\n--- the debug log's failed calls ---\n{self.failures()}")
        return r

    def failures(self):
        """The debug log's errors (each names the API call and its answer), and its last lines."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        errors = [line[:1000] for line in lines if "[ERROR]" in line]
        return "\n".join(errors[-15:] + ["--- last lines ---"] + [line[:400] for line in lines[-15:]])


def probe(s3, name, call):
    """Whether nimbus serves a bucket call: it answers it without error on a scratch bucket."""
    try:
        call(s3)
        return True
    except ClientError as e:
        warnings.warn(f"nimbus does not serve {name} yet ({e.response['Error']['Code']}): "
                      f"the Terraform test runs without it")
        print(f"terraform e2e: {name} left out ({e.response['Error']['Code']})")
        return False


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def optional_files(s3):
    s3.create_bucket(Bucket="tf-probe")
    files = []
    if probe(s3, "PutBucketVersioning", lambda c: c.put_bucket_versioning(
            Bucket="tf-probe", VersioningConfiguration={"Status": "Enabled"})):
        files.append("versioning.tf")
    if probe(s3, "PutBucketCors", lambda c: c.put_bucket_cors(Bucket="tf-probe", CORSConfiguration={
            "CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})):
        files.append("cors.tf")
    # The probe bucket may now be versioned: it is left as it is (empty).
    return files


def wait_for_object(s3, key, timeout=60):
    deadline = time.time() + timeout
    while True:
        try:
            return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        except ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchKey" or time.time() > deadline:
                raise


def check_applied(s3, lam, included):
    s3.head_bucket(Bucket=BUCKET)
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "project", "Value": "nimbus-e2e"}]

    fn = lam.get_function(FunctionName=FUNCTION)
    config = fn["Configuration"]
    assert config["Runtime"] == "python3.11" and config["Handler"] == "app.handler"
    assert config["Environment"]["Variables"] == {"MARK": "from-terraform"}
    assert fn["Tags"] == {"project": "nimbus-e2e"}
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=FUNCTION)["Versions"]] == ["$LATEST", "1"]
    assert lam.get_alias(FunctionName=FUNCTION, Name="live")["FunctionVersion"] == "1"
    invoke_config = lam.get_function_event_invoke_config(FunctionName=FUNCTION)
    assert invoke_config["MaximumRetryAttempts"] == 1 and invoke_config["MaximumEventAgeInSeconds"] == 600
    policy = json.loads(lam.get_policy(FunctionName=FUNCTION)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Sid"] == "AllowS3Invoke" and statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:s3:::{BUCKET}"

    url = lam.get_function_url_config(FunctionName=FUNCTION, Qualifier="live")
    assert url["AuthType"] == "NONE" and url["Cors"]["AllowOrigins"] == ["https://example.com"]

    [rule] = s3.get_bucket_notification_configuration(Bucket=BUCKET)["LambdaFunctionConfigurations"]
    assert rule["LambdaFunctionArn"] == config["FunctionArn"] and rule["Events"] == ["s3:ObjectCreated:*"]
    assert rule["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "incoming/"}]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert [r["ID"] for r in rules] == ["expire-incoming", "abort-uploads"]
    assert rules[0]["Expiration"] == {"Days": 30}
    assert rules[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    if "versioning.tf" in included:
        assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    if "cors.tf" in included:
        cors = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
        # cors_rule and allowed_methods are sets in the provider: it sends them in its own order.
        by_methods = {tuple(sorted(r["AllowedMethods"])): r for r in cors}
        assert sorted(by_methods) == [("GET",), ("POST", "PUT")]
        assert by_methods[("POST", "PUT")]["MaxAgeSeconds"] == 3000
        assert by_methods[("POST", "PUT")]["ExposeHeaders"] == ["ETag"]

    # The notification runs the function.
    s3.put_object(Bucket=BUCKET, Key="incoming/hello.txt", Body=b"hello")
    assert wait_for_object(s3, "processed/hello.txt") == "from-terraform ObjectCreated:Put incoming/hello.txt"


def empty_bucket(s3, versioned):
    """What a user does before destroying a bucket made without force_destroy."""
    if versioned:
        listing = s3.list_object_versions(Bucket=BUCKET)
        for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            s3.delete_object(Bucket=BUCKET, Key=v["Key"], VersionId=v["VersionId"])
    else:
        for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=o["Key"])


def check_destroyed(s3, lam):
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=BUCKET)
    assert e.value.response["Error"]["Code"] in ("404", "NoSuchBucket")
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=FUNCTION)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_apply_plan_clean_destroy(server, tmp_path):
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    work = tmp_path / "tf"
    work.mkdir()
    included = optional_files(s3)
    for name in ["main.tf", "function_url.tf", *included]:
        shutil.copy(CONFIG_DIR / name, work / name)
    (work / "function.zip").write_bytes(python_zip({"app.py": HANDLER}))
    print(f"terraform e2e: configuration main.tf {' '.join(included)}")

    tf = Terraform(work, server.endpoint)
    tf.run("init", "-input=false")
    tf.run("apply", "-auto-approve", "-input=false")
    plan = tf.run("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
    assert plan.returncode == 0, "a second plan wants changes:\n" + plan.stdout[-8000:]

    check_applied(s3, lam, included)

    empty_bucket(s3, "versioning.tf" in included)
    tf.run("destroy", "-auto-approve", "-input=false")
    check_destroyed(s3, lam)
    # Nothing is left in the state either.
    assert tf.run("state", "list").stdout.strip() == ""
