"""Issue 12's Lambda leftovers, with the AWS CLI (and curl where it is HTTP):
GetFunction's Code.Location downloads the zip that was uploaded."""
import base64
import hashlib
import json
import subprocess
import time

import pytest

from conftest import Nimbus, aws_clis, python_zip, run_aws
from test_lambda import ROLE

APP = r'''
import json, os

def handler(event, context):
    return {"mark": os.environ.get("MARK", ""), "version": context.function_version}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("leftovers12") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def zip_file(tmp_path, text=APP, name="fn.zip"):
    z = tmp_path / name
    z.write_bytes(python_zip({"app.py": text}))
    return z


def curl(url, out):
    """Status code of a GET of url, its body written to out."""
    r = subprocess.run(["curl", "-s", "-o", str(out), "-w", "%{http_code}", url], capture_output=True, text=True,
                       timeout=60)
    return int(r.stdout)


def sha256_b64(path):
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


# 1. Code.Location: the deployment package, downloadable for 10 minutes.

@pytest.mark.parametrize("cli", aws_clis())
def test_code_location_downloads_each_versions_zip(server, tmp_path, cli):
    ep, name = server.endpoint, "codeloc" + str(abs(hash(cli)) % 1000)
    first = zip_file(tmp_path, name="one.zip")
    run_aws(ep, "lambda", "create-function", "--function-name", name, "--runtime", "python3.11", "--handler",
            "app.handler", "--role", ROLE, "--zip-file", f"fileb://{first}", "--publish", cli=cli)
    second = zip_file(tmp_path, APP.replace("mark", "MARK2"), name="two.zip")
    run_aws(ep, "lambda", "update-function-code", "--function-name", name, "--zip-file", f"fileb://{second}", cli=cli)
    run_aws(ep, "lambda", "create-alias", "--function-name", name, "--name", "live", "--function-version", "1",
            cli=cli)

    for qualifier, package in [(None, second), ("$LATEST", second), ("1", first), ("live", first)]:
        args = ["lambda", "get-function", "--function-name", name] + (["--qualifier", qualifier] if qualifier else [])
        got = json.loads(run_aws(ep, *args, cli=cli).stdout)
        location = got["Code"]["Location"]
        assert location.startswith(ep + "/_nimbus/code/" + name + "/"), location
        out = tmp_path / "download.zip"
        assert curl(location, out) == 200
        assert out.read_bytes() == package.read_bytes()
        assert sha256_b64(out) == got["Configuration"]["CodeSha256"]

    # A link whose signature was changed is refused as S3 refuses a bad presigned URL.
    location = json.loads(run_aws(ep, "lambda", "get-function", "--function-name", name, cli=cli).stdout)["Code"]["Location"]
    out = tmp_path / "refused.xml"
    assert curl(location[:-1] + ("0" if location[-1] != "0" else "1"), out) == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in out.read_text()
    assert curl(location.split("?")[0], out) == 403
    assert "<Code>AccessDenied</Code>" in out.read_text()
    run_aws(ep, "lambda", "delete-function", "--function-name", name, cli=cli)
    # The function's code is gone with it.
    assert curl(location, out) == 404


def test_code_location_expires(tmp_path):
    s = Nimbus(tmp_path / "data", extra_args=["--code-url-expiry-seconds", "1"]).start()
    try:
        z = zip_file(tmp_path)
        run_aws(s.endpoint, "lambda", "create-function", "--function-name", "expiring", "--runtime", "python3.11",
                "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}")
        got = json.loads(run_aws(s.endpoint, "lambda", "get-function", "--function-name", "expiring").stdout)
        out = tmp_path / "out"
        assert curl(got["Code"]["Location"], out) == 200
        time.sleep(2.2)
        assert curl(got["Code"]["Location"], out) == 403
        body = out.read_text()
        assert "<Code>AccessDenied</Code>" in body and "<Message>Request has expired</Message>" in body
    finally:
        assert s.stop() == 0, s.log_text()


def test_code_location_of_code_kept_before_zips_were(tmp_path):
    """A data directory whose function was unpacked by an older nimbus (no zip beside the code):
    the download is a zip made again from the unpacked files, the same files but not the same bytes."""
    s = Nimbus(tmp_path / "data").start()
    z = zip_file(tmp_path)
    run_aws(s.endpoint, "lambda", "create-function", "--function-name", "older", "--runtime", "python3.11",
            "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}")
    assert s.stop() == 0
    for kept in (tmp_path / "data" / "functions" / "older").glob("*.zip"):
        kept.unlink()
    s.start()
    try:
        got = json.loads(run_aws(s.endpoint, "lambda", "get-function", "--function-name", "older").stdout)
        out = tmp_path / "again.zip"
        assert curl(got["Code"]["Location"], out) == 200
        import zipfile
        with zipfile.ZipFile(out) as zf:
            assert zf.read("app.py").decode() == APP
    finally:
        assert s.stop() == 0, s.log_text()


# 2. Event invoke config per qualifier ($LATEST, a version, an alias), used by async invocations of that qualifier.

FAILING = r'''
def handler(event, context):
    raise ValueError("failed on " + context.function_version)
'''


@pytest.fixture(scope="module")
def async_server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("leftovers12async") / "data",
               ["--async-retry-delays-ms", "200", "--async-retry-delays-ms", "200"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def wait_for(check, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def dead_letters(ep, bucket):
    out = json.loads(run_aws(ep, "s3api", "list-objects-v2", "--bucket", bucket).stdout or "{}")
    return [o["Key"] for o in out.get("Contents", [])]


def test_event_invoke_config_per_qualifier_cli(async_server, tmp_path):
    ep = async_server.endpoint
    for b in ("fail-latest", "fail-v1", "fail-live"):
        run_aws(ep, "s3api", "create-bucket", "--bucket", b)
    z = zip_file(tmp_path, FAILING)
    run_aws(ep, "lambda", "create-function", "--function-name", "eic", "--runtime", "python3.11", "--handler",
            "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}", "--publish")
    run_aws(ep, "lambda", "create-alias", "--function-name", "eic", "--name", "live", "--function-version", "1")

    def put(qualifier, retries, bucket):
        args = ["lambda", "put-function-event-invoke-config", "--function-name", "eic",
                "--maximum-retry-attempts", str(retries),
                "--destination-config", json.dumps({"OnFailure": {"Destination": "arn:aws:s3:::" + bucket}})]
        return json.loads(run_aws(ep, *args, *(["--qualifier", qualifier] if qualifier else [])).stdout)

    assert put(None, 0, "fail-latest")["FunctionArn"].endswith(":function:eic")
    assert put("1", 1, "fail-v1")["FunctionArn"].endswith(":function:eic:1")
    assert put("live", 0, "fail-live")["FunctionArn"].endswith(":function:eic:live")
    r = run_aws(ep, "lambda", "put-function-event-invoke-config", "--function-name", "eic", "--qualifier", "9",
                "--maximum-retry-attempts", "0", check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr

    got = json.loads(run_aws(ep, "lambda", "get-function-event-invoke-config", "--function-name", "eic",
                             "--qualifier", "1").stdout)
    assert got["MaximumRetryAttempts"] == 1
    assert got["DestinationConfig"]["OnFailure"]["Destination"] == "arn:aws:s3:::fail-v1"
    updated = json.loads(run_aws(ep, "lambda", "update-function-event-invoke-config", "--function-name", "eic",
                                 "--qualifier", "live", "--maximum-event-age-in-seconds", "600").stdout)
    assert updated["MaximumRetryAttempts"] == 0 and updated["MaximumEventAgeInSeconds"] == 600
    listed = json.loads(run_aws(ep, "lambda", "list-function-event-invoke-configs", "--function-name", "eic").stdout)
    assert sorted(c["FunctionArn"].split(":function:")[1] for c in listed["FunctionEventInvokeConfigs"]) == \
        ["eic", "eic:1", "eic:live"]

    # Each qualifier's async invocations use its own config: retries and destination.
    ids = {}
    for qualifier, bucket in [(None, "fail-latest"), ("1", "fail-v1"), ("live", "fail-live")]:
        args = ["lambda", "invoke", "--function-name", "eic", "--invocation-type", "Event",
                "--payload", '{"q": "%s"}' % qualifier, "--cli-binary-format", "raw-in-base64-out",
                str(tmp_path / "out.json")]
        run_aws(ep, *args, *(["--qualifier", qualifier] if qualifier else []))
    for qualifier, bucket, attempts in [(None, "fail-latest", 1), ("1", "fail-v1", 2), ("live", "fail-live", 1)]:
        keys = wait_for(lambda: dead_letters(ep, bucket), "the dead letter in " + bucket)
        assert len(keys) == 1, keys
        assert keys[0].startswith("aws/lambda/async/eic/")
        body = run_aws(ep, "s3", "cp", "s3://%s/%s" % (bucket, keys[0]), "-").stdout
        record = json.loads(body)
        assert record["requestPayload"] == {"q": str(qualifier)}
        assert record["requestContext"]["approximateInvokeCount"] == attempts
        assert record["requestContext"]["functionArn"].endswith("eic:" + (qualifier or "$LATEST"))

    run_aws(ep, "lambda", "delete-function-event-invoke-config", "--function-name", "eic", "--qualifier", "live")
    r = run_aws(ep, "lambda", "get-function-event-invoke-config", "--function-name", "eic", "--qualifier", "live",
                check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr
    assert json.loads(run_aws(ep, "lambda", "get-function-event-invoke-config", "--function-name",
                              "eic").stdout)["MaximumRetryAttempts"] == 0


# 3. A function this host cannot run (arm64 on x86_64): the same answer on every invocation path.

def test_arm64_function_refused_on_every_path_cli(async_server, tmp_path):
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the test builds an arm64 function for an x86_64 host")
    ep = async_server.endpoint
    run_aws(ep, "s3api", "create-bucket", "--bucket", "arm-uploads")
    run_aws(ep, "s3api", "create-bucket", "--bucket", "arm-failures")
    z = zip_file(tmp_path)
    run_aws(ep, "lambda", "create-function", "--function-name", "armfn", "--runtime", "python3.11", "--handler",
            "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}", "--architectures", "arm64")
    run_aws(ep, "lambda", "put-function-event-invoke-config", "--function-name", "armfn",
            "--maximum-retry-attempts", "1",
            "--destination-config", json.dumps({"OnFailure": {"Destination": "arn:aws:s3:::arm-failures"}}))

    # Sync and Event invokes: refused at the API, the same 502 InvalidRuntimeException.
    for kind in ("RequestResponse", "Event"):
        r = run_aws(ep, "lambda", "invoke", "--function-name", "armfn", "--invocation-type", kind,
                    str(tmp_path / "out.json"), check=False)
        assert r.returncode != 0 and "InvalidRuntimeException" in r.stderr and "built for arm64" in r.stderr, r.stderr

    # A bucket notification goes through the durable queue: the invocation fails with the same error,
    # is retried as a failed invocation, and ends at the on-failure destination with it.
    run_aws(ep, "s3api", "put-bucket-notification-configuration", "--bucket", "arm-uploads",
            "--notification-configuration", json.dumps({"LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:armfn",
                "Events": ["s3:ObjectCreated:*"]}]}))
    (tmp_path / "f.txt").write_text("x")
    run_aws(ep, "s3", "cp", str(tmp_path / "f.txt"), "s3://arm-uploads/f.txt")
    keys = wait_for(lambda: dead_letters(ep, "arm-failures"), "the dead letter of the notification")
    record = json.loads(run_aws(ep, "s3", "cp", "s3://arm-failures/" + keys[0], "-").stdout)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responsePayload"]["errorType"] == "InvalidRuntimeException"
    assert "built for arm64" in record["responsePayload"]["errorMessage"]
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "f.txt"
    assert "START RequestId" not in "\n".join(l for l in async_server.log_text().splitlines() if "[armfn]" in l)
