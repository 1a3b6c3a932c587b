"""Functions through the Lambda API with boto3 and the AWS CLI: create,
invoke, logs, errors, timeouts, crashes, memory limits, init failures,
concurrency limits and parallel invokes, using the C++ example functions."""
import base64
import concurrent.futures
import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, ROOT, SECRET_KEY, Nimbus, bootstrap_zip, client_env, run_aws

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def build_dir():
    nb = os.environ.get("NIMBUS_BIN")
    return Path(nb).resolve().parents[2] if nb else ROOT / "build"


def function_zip(example, extra_files=None):
    bootstrap = build_dir() / "examples" / example / "bootstrap"
    if not bootstrap.exists():
        pytest.skip(f"{bootstrap} is not built")
    return bootstrap_zip(bootstrap.read_bytes(), extra_files)


def lambda_client(endpoint, read_timeout=60, validate=True):
    import boto3
    from botocore.config import Config
    return boto3.client("lambda", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION,
                        config=Config(retries={"max_attempts": 0}, read_timeout=read_timeout,
                                      parameter_validation=validate))


@pytest.fixture
def fn_server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--keep-alive-ms", "60000"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


@pytest.fixture
def lam(fn_server):
    return lambda_client(fn_server.endpoint)


def create(lam, name, example="misbehave", **kw):
    args = dict(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="unused",
                Code={"ZipFile": function_zip(example)}, Timeout=3, MemorySize=128)
    args.update(kw)
    return lam.create_function(**args)


def invoke(lam, name, payload, **kw):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **kw)
    return r, r["Payload"].read()


def test_cli_create_invoke_update_delete(fn_server, tmp_path):
    ep = fn_server.endpoint
    z = tmp_path / "echo.zip"
    z.write_bytes(function_zip("echo"))
    out = json.loads(run_aws(ep, "lambda", "create-function", "--function-name", "echo", "--runtime",
                             "provided.al2023", "--handler", "x", "--role", ROLE, "--zip-file",
                             f"fileb://{z}").stdout)
    assert out["FunctionName"] == "echo" and out["State"] == "Active"
    assert out["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:echo"
    resp = tmp_path / "out.json"
    r = json.loads(run_aws(ep, "lambda", "invoke", "--function-name", "echo", "--cli-binary-format",
                           "raw-in-base64-out", "--payload", '{"hello": "nimbus"}', str(resp)).stdout)
    assert r["StatusCode"] == 200 and r["ExecutedVersion"] == "$LATEST"
    assert json.loads(resp.read_text()) == {"hello": "nimbus"}
    listed = json.loads(run_aws(ep, "lambda", "list-functions").stdout)
    assert [f["FunctionName"] for f in listed["Functions"]] == ["echo"]
    upd = json.loads(run_aws(ep, "lambda", "update-function-configuration", "--function-name", "echo",
                             "--timeout", "10", "--memory-size", "256").stdout)
    assert upd["Timeout"] == 10 and upd["MemorySize"] == 256
    run_aws(ep, "lambda", "update-function-code", "--function-name", "echo", "--zip-file", f"fileb://{z}")
    run_aws(ep, "lambda", "delete-function", "--function-name", "echo")
    r = run_aws(ep, "lambda", "get-function", "--function-name", "echo", check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr


def test_invoke_and_tail_log(lam):
    create(lam, "mis")
    r, body = invoke(lam, "mis", {"action": "log"}, LogType="Tail")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    out = json.loads(body)
    assert out["ok"] is True and 0 < out["remaining_ms"] <= 3000
    log = base64.b64decode(r["LogResult"]).decode()
    assert f"START RequestId: {out['request_id']}" in log
    assert f"to stdout for {out['request_id']}" in log and "to stderr" in log
    assert f"REPORT RequestId: {out['request_id']}" in log and "Init Duration" in log
    # Warm: the same instance, no Init Duration.
    r, body = invoke(lam, "mis", {"action": "ok"}, LogType="Tail")
    assert "Init Duration" not in base64.b64decode(r["LogResult"]).decode()


def test_function_errors(lam):
    create(lam, "mis")
    r, body = invoke(lam, "mis", {"action": "error"})
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "BadThing" and err["errorMessage"] == "misbehave failed as asked"
    r, body = invoke(lam, "mis", {"action": "throw"})
    assert r["FunctionError"] == "Unhandled" and json.loads(body)["errorMessage"] == "thrown as asked"
    # The instance survives handled errors.
    r, body = invoke(lam, "mis", {"action": "ok"})
    assert "FunctionError" not in r


def test_timeout_kills_and_replaces_instance(lam):
    create(lam, "slow", Timeout=1)
    start = time.time()
    r, body = invoke(lam, "slow", {"action": "sleep", "ms": 5000})
    assert time.time() - start < 4
    assert r["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in json.loads(body)["errorMessage"]
    r, body = invoke(lam, "slow", {"action": "ok"})
    assert "FunctionError" not in r and json.loads(body)["ok"]


@pytest.mark.parametrize("action,kind,detail", [("crash", "Runtime.ExitError", "signal: aborted"),
                                                ("exit", "Runtime.ExitError", "exit status 7")])
def test_crash_is_reported_and_instance_replaced(lam, action, kind, detail):
    create(lam, "crashy")
    r, body = invoke(lam, "crashy", {"action": action})
    err = json.loads(body)
    assert r["FunctionError"] == "Unhandled" and err["errorType"] == kind and detail in err["errorMessage"]
    r, body = invoke(lam, "crashy", {"action": "ok"})
    assert "FunctionError" not in r


def test_memory_limit(lam):
    create(lam, "hog", MemorySize=128)
    r, body = invoke(lam, "hog", {"action": "oom"})
    err = json.loads(body)
    assert r["FunctionError"] == "Unhandled"
    assert err["errorType"] in ("Runtime.OutOfMemory", "Runtime.ExitError")
    r, body = invoke(lam, "hog", {"action": "ok"})
    assert "FunctionError" not in r


def test_init_error(lam):
    create(lam, "badinit", Environment={"Variables": {"MISBEHAVE_INIT": "fail"}})
    r, body = invoke(lam, "badinit", {"action": "ok"})
    err = json.loads(body)
    assert r["FunctionError"] == "Unhandled" and err["errorType"] == "InitFailure"


def test_missing_bootstrap(lam):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "no bootstrap here")
    lam.create_function(FunctionName="nobootstrap", Runtime="provided", Role=ROLE, Handler="x",
                        Code={"ZipFile": buf.getvalue()})
    r, body = invoke(lam, "nobootstrap", {})
    assert r["FunctionError"] == "Unhandled" and json.loads(body)["errorType"] == "Runtime.InvalidEntrypoint"


def test_parameter_and_lookup_errors(lam):
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="missing", Payload=b"{}")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    unchecked = lambda_client(lam.meta.endpoint_url, validate=False)  # let the server judge
    for bad in [dict(MemorySize=64), dict(Timeout=901), dict(Runtime="cobol"), dict(FunctionName="bad name!")]:
        with pytest.raises(ClientError) as e:
            create(unchecked, bad.pop("FunctionName", "bad"), **bad)
        assert e.value.response["Error"]["Code"] == "InvalidParameterValueException", bad
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="badzip", Runtime="provided", Role=ROLE, Handler="x",
                            Code={"ZipFile": b"not a zip"})
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    create(lam, "dup")
    with pytest.raises(ClientError) as e:
        create(lam, "dup")
    assert e.value.response["Error"]["Code"] == "ResourceConflictException"
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="dup", Payload=b"x" * (6 * 1024 * 1024 + 1))
    assert e.value.response["Error"]["Code"] in ("RequestTooLargeException", "RequestEntityTooLargeException")
    assert lam.invoke(FunctionName="dup", InvocationType="DryRun")["StatusCode"] == 204


def test_reserved_concurrency_throttles(lam):
    create(lam, "limited")
    lam.put_function_concurrency(FunctionName="limited", ReservedConcurrentExecutions=1)
    assert lam.get_function_concurrency(FunctionName="limited")["ReservedConcurrentExecutions"] == 1
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(invoke, lam, "limited", {"action": "sleep", "ms": 1500})
        time.sleep(0.5)
        with pytest.raises(ClientError) as e:
            invoke(lam, "limited", {"action": "ok"})
        assert e.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert slow.result()[0]["StatusCode"] == 200
    lam.delete_function_concurrency(FunctionName="limited")
    lam.put_function_concurrency(FunctionName="limited", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as e:
        invoke(lam, "limited", {"action": "ok"})
    assert e.value.response["Error"]["Code"] == "TooManyRequestsException"


def test_parallel_invokes_run_concurrently(lam):
    create(lam, "par", Timeout=10)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        start = time.time()
        results = list(pool.map(lambda _: invoke(lambda_client(lam.meta.endpoint_url), "par",
                                                 {"action": "sleep", "ms": 1000}), range(16)))
        took = time.time() - start
    assert all(r["StatusCode"] == 200 and "FunctionError" not in r for r, _ in results)
    ids = {json.loads(b)["request_id"] for _, b in results}
    assert len(ids) == 16
    assert took < 5, f"16 one-second invokes took {took:.1f} s: they did not run in parallel"


def test_code_from_own_bucket(fn_server, lam):
    import boto3
    s3 = boto3.client("s3", endpoint_url=fn_server.endpoint, aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, region_name=REGION)
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="echo.zip", Body=function_zip("echo"))
    lam.create_function(FunctionName="froms3", Runtime="provided.al2", Role=ROLE, Handler="x",
                        Code={"S3Bucket": "code", "S3Key": "echo.zip"})
    r, body = invoke(lam, "froms3", {"k": "v"})
    assert json.loads(body) == {"k": "v"}


def test_function_environment(fn_server, lam, tmp_path):
    create(lam, "envy", Environment={"Variables": {"GREETING": "hi"}})
    cfg = lam.get_function_configuration(FunctionName="envy")
    assert cfg["Environment"]["Variables"] == {"GREETING": "hi"}
    got = lam.get_function(FunctionName="arn:aws:lambda:us-east-1:000000000000:function:envy")
    assert got["Configuration"]["FunctionName"] == "envy"


def wait_for(predicate, timeout=15, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def async_server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--async-retry-delays-ms", "200", "--async-retry-delays-ms", "400"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_async_invoke_is_accepted_then_run(async_server):
    lam = lambda_client(async_server.endpoint)
    create(lam, "bg")
    r = lam.invoke(FunctionName="bg", InvocationType="Event", Payload=b'{"action": "log"}')
    assert r["StatusCode"] == 202
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    wait_for(lambda: f"END RequestId: {rid}" in async_server.log_text(), what="the async invocation")
    assert f"to stdout for {rid}" in async_server.log_text()
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="bg", InvocationType="Event", Payload=b"x" * (1024 * 1024 + 1))
    assert e.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_async_failures_are_retried_twice_then_dead_lettered(async_server):
    lam = lambda_client(async_server.endpoint)
    create(lam, "failing")
    r = lam.invoke(FunctionName="failing", InvocationType="Event", Payload=b'{"action": "error"}')
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    wait_for(lambda: f"async event {rid} is a dead letter after 3 attempts" in async_server.log_text(),
             what="the dead letter")
    assert async_server.log_text().count(f"START RequestId: {rid}") == 3


def test_async_events_of_one_function_take_turns(tmp_path):
    server = Nimbus(tmp_path / "data", ["--async-concurrency", "2"]).start()
    try:
        lam = lambda_client(server.endpoint)
        create(lam, "turns")
        create(lam, "other")
        ids = [lam.invoke(FunctionName="turns", InvocationType="Event",
                          Payload=b'{"action": "sleep", "ms": 300}')["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
               for _ in range(6)]
        # Another function is not held up behind them.
        other = lam.invoke(FunctionName="other", InvocationType="Event", Payload=b'{"action": "ok"}')
        other_id = other["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        most = 0
        deadline = time.time() + 20
        while time.time() < deadline and not all(f"END RequestId: {i}" in server.log_text() for i in ids):
            most = max(most, len(bootstrap_pids("turns")))
            time.sleep(0.02)
        log = server.log_text()
        assert all(f"END RequestId: {i}" in log for i in ids)
        assert most == 2
        assert log.count("[turns] REPORT") == 6 and log.count("Init Duration") <= 3  # 2 for turns, 1 for other
        assert log.index(f"END RequestId: {other_id}") < log.index(f"END RequestId: {ids[-1]}")
    finally:
        assert server.stop() == 0


def test_async_events_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    lam = lambda_client(server.endpoint)
    create(lam, "later")
    lam.put_function_concurrency(FunctionName="later", ReservedConcurrentExecutions=0)  # hold them in the queue
    ids = []
    for i in range(3):
        r = lam.invoke(FunctionName="later", InvocationType="Event", Payload=b'{"action": "log"}')
        ids.append(r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"])
    time.sleep(0.5)
    assert server.stop() == 0
    assert not any(f"START RequestId: {i}" in server.log_text() for i in ids)
    again = Nimbus(data).start()
    try:
        lam = lambda_client(again.endpoint)
        lam.delete_function_concurrency(FunctionName="later")
        for rid in ids:
            wait_for(lambda: f"END RequestId: {rid}" in again.log_text(), what=f"event {rid} after the restart")
    finally:
        assert again.stop() == 0


PROTOCOL_PROBE = r'''#!/usr/bin/python3
# A function written straight against the Runtime API, checking what it sees.
import http.client, json, os
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
host, port = api.split(":")
def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    c.close()
    return out
env_names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
             "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_REGION", "AWS_DEFAULT_REGION",
             "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "TZ", "PATH", "LD_LIBRARY_PATH"]
while True:
    status, headers, body = call("GET", "/invocation/next")
    rid = headers["lambda-runtime-aws-request-id"]
    report = {
        "next_status": status,
        "headers": {k: headers.get(k) for k in ["lambda-runtime-aws-request-id", "lambda-runtime-deadline-ms",
                                               "lambda-runtime-invoked-function-arn", "lambda-runtime-trace-id",
                                               "lambda-runtime-client-context"]},
        "event": json.loads(body),
        "env": {k: os.environ.get(k) for k in env_names},
        "cwd": os.getcwd(),
        "bad_id": call("POST", "/invocation/not-a-request-id/response", b"{}")[0],
    }
    first = call("POST", "/invocation/%s/response" % rid, json.dumps(report).encode())
    second = call("POST", "/invocation/%s/response" % rid, b"{}")
    print("first=%d second=%d second_body=%s" % (first[0], second[0], second[2].decode()), flush=True)
'''


def test_runtime_api_protocol(fn_server, lam):
    lam.create_function(FunctionName="probe", Runtime="provided.al2023", Role=ROLE, Handler="probe.handler",
                        Code={"ZipFile": bootstrap_zip(PROTOCOL_PROBE)}, MemorySize=256, Timeout=7,
                        Environment={"Variables": {"MINE": "1"}})
    ctx = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    r = lam.invoke(FunctionName="probe", Payload=b'{"q": 1}', ClientContext=ctx, LogType="Tail")
    rep = json.loads(r["Payload"].read())
    assert rep["next_status"] == 200 and rep["event"] == {"q": 1}
    h = rep["headers"]
    assert h["lambda-runtime-invoked-function-arn"] == "arn:aws:lambda:us-east-1:000000000000:function:probe"
    import re
    # X-Ray's header, with the invocation's own span as Parent (docs/observability.md).
    assert re.match(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$", h["lambda-runtime-trace-id"])
    assert h["lambda-runtime-client-context"] == ctx
    assert 0 < int(h["lambda-runtime-deadline-ms"]) / 1000 - time.time() <= 7
    env = rep["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "probe" and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["_HANDLER"] == "probe.handler"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/probe"
    # Each instance has credentials of its own (its writes are traced back to it).
    assert env["AWS_REGION"] == "us-east-1" and env["AWS_ACCESS_KEY_ID"].startswith("NIMBUS")
    assert env["AWS_ENDPOINT_URL"] == fn_server.endpoint
    assert env["LAMBDA_TASK_ROOT"] == rep["cwd"]
    assert rep["bad_id"] == 400
    # Printed after the response, so in the function's log rather than this invocation's tail.
    wait_for(lambda: "first=202 second=400" in fn_server.log_text(), what="the probe's report line")
    assert "InvalidRequestID" in fn_server.log_text()


def test_nimbus_cli_functions_ls_and_invoke(fn_server, lam, tmp_path):
    import subprocess
    from conftest import nimbus_bin
    create(lam, "clifn", example="echo")
    env = dict(client_env(), NIMBUS_ENDPOINT=fn_server.endpoint)
    ls = subprocess.run([nimbus_bin(), "functions", "ls"], env=env, capture_output=True, text=True, timeout=30)
    assert ls.returncode == 0 and "clifn" in ls.stdout and "provided.al2023" in ls.stdout
    payload = tmp_path / "event.json"
    payload.write_text('{"from": "file"}')
    inv = subprocess.run([nimbus_bin(), "invoke", "clifn", "--payload", f"@{payload}", "--logs"], env=env,
                         capture_output=True, text=True, timeout=30)
    assert inv.returncode == 0 and json.loads(inv.stdout) == {"from": "file"}
    assert "START RequestId" in inv.stderr and "END RequestId" in inv.stderr
    queued = subprocess.run([nimbus_bin(), "invoke", "clifn", "--async", "--payload", "{}"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert queued.returncode == 0 and queued.stdout.startswith("queued ")
    missing = subprocess.run([nimbus_bin(), "invoke", "nope"], env=env, capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1 and "ResourceNotFoundException" in missing.stderr


def test_versions_and_aliases(fn_server, lam, tmp_path):
    create(lam, "ver", example="echo", Description="first")
    v1 = lam.publish_version(FunctionName="ver", Description="echo build")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":ver:1")
    # Publishing again without a change returns the same version.
    assert lam.publish_version(FunctionName="ver")["Version"] == "1"
    lam.update_function_code(FunctionName="ver", ZipFile=function_zip("misbehave"))
    assert lam.publish_version(FunctionName="ver")["Version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="ver")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]

    alias = lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="1", Description="stable")
    assert alias["AliasArn"].endswith(":ver:live") and alias["FunctionVersion"] == "1"
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="2")
    assert e.value.response["Error"]["Code"] == "ResourceConflictException"
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName="ver", Name="bad", FunctionVersion="9")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"

    # Version 1 is the echo, $LATEST and version 2 the misbehaving function.
    r, body = invoke(lam, "ver", {"action": "ok"}, Qualifier="live")
    assert json.loads(body) == {"action": "ok"} and r["ExecutedVersion"] == "1"
    r, body = invoke(lam, "ver", {"action": "ok"}, Qualifier="1")
    assert json.loads(body) == {"action": "ok"}
    r, body = invoke(lam, "ver", {"action": "ok"})
    assert json.loads(body)["ok"] is True and r["ExecutedVersion"] == "$LATEST"
    r, body = invoke(lam, "ver", {"action": "ok"}, Qualifier="2")
    assert json.loads(body)["ok"] is True and r["ExecutedVersion"] == "2"

    lam.update_alias(FunctionName="ver", Name="live", FunctionVersion="2")
    r, body = invoke(lam, "ver", {"action": "ok"}, Qualifier="live")
    assert json.loads(body)["ok"] is True and r["ExecutedVersion"] == "2"
    assert [a["Name"] for a in lam.list_aliases(FunctionName="ver")["Aliases"]] == ["live"]
    cfg = lam.get_function_configuration(FunctionName="ver", Qualifier="1")
    assert cfg["Version"] == "1" and cfg["Description"] == "echo build"
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="ver", Qualifier="7", Payload=b"{}")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lam.delete_alias(FunctionName="ver", Name="live")
    assert lam.list_aliases(FunctionName="ver")["Aliases"] == []


def bootstrap_pids(name):
    import subprocess
    out = subprocess.run(["pgrep", "-f", f"/functions/{name}/"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_provisioned_concurrency_keeps_instances_warm(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data, ["--keep-alive-ms", "300"]).start()
    try:
        lam = lambda_client(server.endpoint)
        create(lam, "warm", example="echo")
        lam.publish_version(FunctionName="warm")
        lam.create_alias(FunctionName="warm", Name="prod", FunctionVersion="1")
        with pytest.raises(ClientError):
            lam.put_provisioned_concurrency_config(FunctionName="warm", Qualifier="$LATEST",
                                                   ProvisionedConcurrentExecutions=1)
        r = lam.put_provisioned_concurrency_config(FunctionName="warm", Qualifier="prod",
                                                   ProvisionedConcurrentExecutions=2)
        assert r["Status"] == "READY"
        wait_for(lambda: len(bootstrap_pids("warm")) == 2, what="two warm instances")
        time.sleep(1)  # well past the keep-alive: provisioned instances stay
        assert len(bootstrap_pids("warm")) == 2
        r, body = invoke(lam, "warm", {"x": 1}, Qualifier="prod", LogType="Tail")
        assert json.loads(body) == {"x": 1}
        assert "Init Duration" not in base64.b64decode(r["LogResult"]).decode()  # it ran on a warm instance
        # A killed provisioned instance is replaced.
        os.kill(bootstrap_pids("warm")[0], 9)
        time.sleep(0.2)
        wait_for(lambda: len(bootstrap_pids("warm")) == 2, what="a replacement instance")
        assert lam.get_provisioned_concurrency_config(FunctionName="warm", Qualifier="prod")[
            "RequestedProvisionedConcurrentExecutions"] == 2
    finally:
        assert server.stop() == 0
    # The configuration survives a restart.
    again = Nimbus(data, ["--keep-alive-ms", "300"]).start()
    try:
        wait_for(lambda: len(bootstrap_pids("warm")) == 2, what="warm instances after the restart")
        lam = lambda_client(again.endpoint)
        lam.delete_provisioned_concurrency_config(FunctionName="warm", Qualifier="prod")
        wait_for(lambda: len(bootstrap_pids("warm")) == 0, what="scale to zero")
    finally:
        assert again.stop() == 0


def test_events_ls_and_redrive(async_server):
    import subprocess
    from conftest import nimbus_bin
    env = dict(client_env(), NIMBUS_ENDPOINT=async_server.endpoint)
    lam = lambda_client(async_server.endpoint)
    create(lam, "flaky")
    r = lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"action": "error"}')
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    wait_for(lambda: f"async event {rid} is a dead letter" in async_server.log_text(), what="the dead letter")
    ls = subprocess.run([nimbus_bin(), "events", "ls"], env=env, capture_output=True, text=True, timeout=30)
    assert ls.returncode == 0, ls.stderr
    line = next(l for l in ls.stdout.splitlines() if rid in l)
    assert "dead" in line and "flaky" in line and "misbehave failed as asked" in line
    # Fix the function, then redrive: the event runs again and succeeds.
    lam.update_function_code(FunctionName="flaky", ZipFile=function_zip("echo"))
    rd = subprocess.run([nimbus_bin(), "events", "redrive"], env=env, capture_output=True, text=True, timeout=30)
    assert rd.returncode == 0 and "redriven 1" in rd.stdout
    wait_for(lambda: async_server.log_text().count(f"START RequestId: {rid}") == 4, what="the redriven run")
    wait_for(lambda: rid not in subprocess.run([nimbus_bin(), "events", "ls"], env=env, capture_output=True,
                                               text=True, timeout=30).stdout, what="the event to leave the queue")
    # Unsigned calls to the admin API are refused.
    import urllib.request, urllib.error
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(async_server.endpoint + "/_nimbus/events", timeout=10)
    assert e.value.code == 403


def test_event_invoke_config_and_s3_failure_destination(async_server):
    import boto3
    lam = lambda_client(async_server.endpoint)
    s3 = boto3.client("s3", endpoint_url=async_server.endpoint, aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, region_name=REGION)
    s3.create_bucket(Bucket="failures")
    create(lam, "doomed")
    cfg = lam.put_function_event_invoke_config(
        FunctionName="doomed", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::failures"}})
    assert cfg["MaximumRetryAttempts"] == 0
    assert cfg["DestinationConfig"]["OnFailure"]["Destination"] == "arn:aws:s3:::failures"
    got = lam.get_function_event_invoke_config(FunctionName="doomed")
    assert got["MaximumRetryAttempts"] == 0
    with pytest.raises(ClientError) as e:
        lam.put_function_event_invoke_config(FunctionName="doomed",
                                             DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:0:q"}})
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    r = lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=b'{"action": "error", "n": 7}')
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    def written():
        return [o["Key"] for o in s3.list_objects_v2(Bucket="failures").get("Contents", [])]
    wait_for(lambda: written(), what="the dead letter object")
    key = written()[0]
    assert key.startswith("aws/lambda/async/doomed/") and key.endswith(rid + ".json")
    record = json.loads(s3.get_object(Bucket="failures", Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1  # MaximumRetryAttempts=0: no retry
    assert record["requestPayload"] == {"action": "error", "n": 7}
    assert record["responsePayload"]["errorType"] == "BadThing"
    assert async_server.log_text().count(f"START RequestId: {rid}") == 1
    lam.delete_function_event_invoke_config(FunctionName="doomed")
    with pytest.raises(ClientError):
        lam.get_function_event_invoke_config(FunctionName="doomed")


def test_idle_instances_scale_to_zero(tmp_path):
    server = Nimbus(tmp_path / "data", ["--keep-alive-ms", "300"]).start()
    try:
        lam = lambda_client(server.endpoint)
        create(lam, "sleepy", example="echo")
        invoke(lam, "sleepy", {"a": 1})
        assert len(bootstrap_pids("sleepy")) == 1
        wait_for(lambda: len(bootstrap_pids("sleepy")) == 0, timeout=5, what="the idle instance to stop")
        r, body = invoke(lam, "sleepy", {"a": 2}, LogType="Tail")  # a cold start again
        assert json.loads(body) == {"a": 2} and "Init Duration" in base64.b64decode(r["LogResult"]).decode()
    finally:
        assert server.stop() == 0
