"""Terraform (hashicorp/aws provider) against nimbus: a configuration applies,
a second plan has no changes, and it destroys (issue 12). It runs where
/usr/local/bin/terraform (or terraform on PATH) and the provider mirror
/opt/tf-plugins exist, and is skipped with a message saying which is missing
elsewhere. No network: the provider comes from the filesystem mirror.

Resources are HCL snippets in RESOURCES, one per entry, so adding one (the S3
bucket resources once versioning, CORS, lifecycle and public access blocks
land) is one more entry; the provider block already points S3 at nimbus."""
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import Nimbus
from test_lambda import lambda_client

MIRROR = Path(os.environ.get("NIMBUS_TF_MIRROR", "/opt/tf-plugins"))


def terraform_bin():
    for candidate in ("/usr/local/bin/terraform", shutil.which("terraform")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


PROVIDER = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    lambda = "%(endpoint)s"
    s3     = "%(endpoint)s"
    sts    = "%(endpoint)s"
  }
}
"""

# One resource per entry; they refer to each other by Terraform references.
RESOURCES = [
    """
resource "aws_lambda_function" "fn" {
  function_name    = "tf-fn"
  role             = "arn:aws:iam::000000000000:role/lambda-role"
  handler          = "app.handler"
  runtime          = "python3.11"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
  publish          = true
  timeout          = 10
  tags             = { env = "test" }
  environment {
    variables = { GREETING = "hello" }
  }
  tracing_config {
    mode = "Active"
  }
}
""",
    """
resource "aws_lambda_permission" "from_s3" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = "arn:aws:s3:::tf-bucket"
}
""",
    """
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.fn.function_name
  function_version = aws_lambda_function.fn.version
}
""",
    """
resource "aws_lambda_function_event_invoke_config" "cfg" {
  function_name                = aws_lambda_function.fn.function_name
  maximum_retry_attempts       = 1
  maximum_event_age_in_seconds = 120
}
""",
]

APP = '''
import os

def handler(event, context):
    return {"greeting": os.environ["GREETING"], "version": context.function_version}
'''


@pytest.fixture
def tf(tmp_path):
    binary = terraform_bin()
    if not binary:
        pytest.skip("terraform is not installed (/usr/local/bin/terraform or on PATH)")
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"the hashicorp/aws provider mirror {MIRROR} is absent")
    server = Nimbus(tmp_path / "data").start()
    work = tmp_path / "tf"
    work.mkdir()
    (tmp_path / "cli.tfrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % MIRROR)
    with zipfile.ZipFile(work / "fn.zip", "w") as z:
        z.writestr("app.py", APP)
    (work / "main.tf").write_text(PROVIDER % {"endpoint": server.endpoint} + "".join(RESOURCES))
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tmp_path / "cli.tfrc"), TF_IN_AUTOMATION="1",
               TF_INPUT="0", CHECKPOINT_DISABLE="1", TF_DATA_DIR=str(work / ".terraform"))
    for k in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(k, None)

    def run(*args, ok=(0,)):
        r = subprocess.run([binary, *args, "-no-color"], cwd=work, env=env, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode in ok, f"terraform {' '.join(args)} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
        return r

    yield server, run
    assert server.stop() == 0, server.log_text()


def test_apply_plan_clean_destroy(tf):
    server, run = tf
    run("init", "-input=false")
    run("apply", "-auto-approve", "-input=false")
    lam = lambda_client(server.endpoint)
    fn = lam.get_function(FunctionName="tf-fn")
    assert fn["Tags"] == {"env": "test"} and fn["Configuration"]["TracingConfig"]["Mode"] == "Active"
    assert lam.get_alias(FunctionName="tf-fn", Name="live")["FunctionVersion"] == "1"
    r = lam.invoke(FunctionName="tf-fn", Qualifier="live")
    assert r["ExecutedVersion"] == "1" and json.loads(r["Payload"].read())["greeting"] == "hello"
    assert json.loads(lam.get_policy(FunctionName="tf-fn")["Policy"])["Statement"][0]["Sid"] == "AllowS3"
    assert lam.get_function_event_invoke_config(FunctionName="tf-fn")["MaximumRetryAttempts"] == 1

    # A second plan finds nothing to change: everything the provider reads back matches.
    plan = run("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
    assert plan.returncode == 0, "the second plan has changes:\n" + plan.stdout

    run("destroy", "-auto-approve", "-input=false")
    assert lam.list_functions()["Functions"] == []
