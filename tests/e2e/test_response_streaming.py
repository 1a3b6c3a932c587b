"""Response streaming end to end: Lambda's InvokeWithResponseStream with real
clients, against a C++ function (sdk/cpp's run_streaming, examples/streaming)
and a Python one (a handler returning a generator, examples/python/streaming),
both speaking the Runtime API's streaming mode.

- the chunks arrive in order, each as its own PayloadChunk event, and the
  first reaches the client while the function still runs (it sleeps 2 s
  between chunks; the test times the first event);
- a mid-stream error ends the stream with InvokeComplete's ErrorCode;
- the function's timeout applies mid-stream (Sandbox.Timedout);
- a buffered function invoked this way answers with one PayloadChunk;
- plain Invoke of a streaming function gets the whole response;
- boto3 on PATH (botocore 1.43); /usr/bin/python3's boto3 1.26 and the AWS
  CLIs are used where their model has the operation, else skipped.
"""
import base64
import json
import shutil
import subprocess
import textwrap
import time

import pytest

from conftest import ACCESS_KEY, REGION, SECRET_KEY, Nimbus, aws_clis, client_env, python_zip
from test_lambda import ROLE, function_zip, lambda_client

PYTHON_STREAMER = (__import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "python" / "streaming" /
                   "streamer.py").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("streaming") / "data", ["--keep-alive-ms", "60000"]).start()
    lam = lambda_client(s.endpoint)
    lam.create_function(FunctionName="cpp-stream", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("streaming")}, Timeout=30)
    lam.create_function(FunctionName="py-stream", Runtime="python3.11", Role=ROLE, Handler="streamer.handler",
                        Code={"ZipFile": python_zip({"streamer.py": PYTHON_STREAMER})}, Timeout=30)
    lam.create_function(FunctionName="cpp-stream-short", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("streaming")}, Timeout=1)
    lam.create_function(FunctionName="echo", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("echo")}, Timeout=5)
    yield s
    assert s.stop() == 0, s.log_text()


@pytest.fixture
def lam(server):
    return lambda_client(server.endpoint)


# Runs in a client interpreter of its own: the tests run on /usr/bin/python3,
# whose boto3 1.26 predates InvokeWithResponseStream. Prints the events with
# the seconds since the call began, or the error, or why it cannot run.
CLIENT = textwrap.dedent("""
    import base64, json, sys, time
    import boto3, botocore, botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError
    if "InvokeWithResponseStream" not in botocore.session.get_session().get_service_model("lambda").operation_names:
        print(json.dumps({"skip": "botocore " + botocore.__version__ + " has no InvokeWithResponseStream"}))
        sys.exit(0)
    endpoint, name, payload, kw = sys.argv[1], sys.argv[2], sys.argv[3].encode(), json.loads(sys.argv[4])
    lam = boto3.client("lambda", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                       region_name="us-east-1", config=Config(retries={"max_attempts": 0}, read_timeout=60))
    start = time.monotonic()
    try:
        r = lam.invoke_with_response_stream(FunctionName=name, Payload=payload, **kw)
    except ClientError as e:
        print(json.dumps({"error": e.response["Error"]["Code"], "message": e.response["Error"].get("Message")}))
        sys.exit(0)
    out = {"status": r["StatusCode"], "content_type": r.get("ResponseStreamContentType"),
           "version": r.get("ExecutedVersion"), "events": [], "botocore": botocore.__version__}
    for event in r.get("EventStream", []):
        t = time.monotonic() - start
        if "PayloadChunk" in event:
            out["events"].append([t, "chunk", base64.b64encode(event["PayloadChunk"]["Payload"]).decode()])
        else:
            out["events"].append([t, "complete", event["InvokeComplete"]])
    print(json.dumps(out))
""")

CLIENTS = {"boto3 (PATH python3)": shutil.which("python3"), "boto3 1.26 (/usr/bin/python3)": "/usr/bin/python3"}


@pytest.fixture(params=list(CLIENTS))
def client(request):
    python = CLIENTS[request.param]
    if not python:
        pytest.skip(f"no {request.param}")
    return python


def stream(server, python, name, payload, **kw):
    r = subprocess.run([python, "-c", CLIENT, server.endpoint, name, json.dumps(payload), json.dumps(kw)],
                       capture_output=True, text=True, timeout=120, env=client_env())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    if "skip" in out:
        pytest.skip(out["skip"])
    return out


def chunks_of(out):
    return [base64.b64decode(e[2]) for e in out["events"] if e[1] == "chunk"]


def complete_of(out):
    assert out["events"] and out["events"][-1][1] == "complete", out
    return out["events"][-1][2]


@pytest.mark.parametrize("name", ["cpp-stream", "py-stream"])
def test_chunks_arrive_in_order_and_the_first_before_the_end(server, client, name):
    stream(server, client, name, {"chunks": 1})  # warm: no cold start in the timing
    out = stream(server, client, name, {"chunks": 3, "sleep_ms": 2000})
    assert out["status"] == 200
    assert out["content_type"] == "application/vnd.amazon.eventstream"
    assert out["version"] == "$LATEST"
    assert chunks_of(out) == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]
    complete = complete_of(out)
    assert "ErrorCode" not in complete, complete
    times = [e[0] for e in out["events"]]
    first, end = times[0], times[-1]
    assert end >= 4.0, out  # two sleeps of 2 s
    # The first chunk left before the function slept: it is not held until the end.
    assert first < 1.5, f"first chunk after {first:.2f}s, the stream ended after {end:.2f}s"
    assert times[1] >= 1.5, out  # and the next one came with the function, 2 s later


@pytest.mark.parametrize("name,code", [("cpp-stream", "Unhandled"), ("py-stream", "RuntimeError")])
def test_mid_stream_error_ends_with_invoke_complete_error_code(server, client, name, code):
    out = stream(server, client, name, {"chunks": 3, "fail_after": 1}, LogType="Tail")
    assert chunks_of(out) == [b"chunk 0\n"]
    complete = complete_of(out)
    assert complete["ErrorCode"] == code, complete
    details = json.loads(complete["ErrorDetails"])
    assert details["errorType"] == code
    assert "failed after 1 chunks" in details["errorMessage"]
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "REPORT RequestId:" in log and "sending chunk 0" in log, log


def test_timeout_applies_mid_stream(server, client):
    out = stream(server, client, "cpp-stream-short", {"chunks": 3, "sleep_ms": 2000})
    assert chunks_of(out) == [b"chunk 0\n"]
    complete = complete_of(out)
    assert complete["ErrorCode"] == "Sandbox.Timedout", complete
    assert "Task timed out after 1.00 seconds" in complete["ErrorDetails"]
    assert out["events"][-1][0] < 2.0, out  # ended at the timeout, not at the function's end


def test_buffered_function_answers_with_one_chunk(server, client):
    payload = {"hello": "world", "n": list(range(50))}
    out = stream(server, client, "echo", payload, LogType="Tail")
    assert len(chunks_of(out)) == 1
    assert json.loads(chunks_of(out)[0]) == payload
    complete = complete_of(out)
    assert "ErrorCode" not in complete
    assert "REPORT RequestId:" in base64.b64decode(complete["LogResult"]).decode()


def test_refusals_are_lambda_errors(server, client):
    assert stream(server, client, "nope", {})["error"] == "ResourceNotFoundException"
    out = stream(server, client, "echo", {}, InvocationType="DryRun")
    assert out["status"] == 204 and out["events"] == []


def test_plain_invoke_of_a_streaming_function_gets_the_whole_response(lam):
    for name in ("cpp-stream", "py-stream"):
        r = lam.invoke(FunctionName=name, Payload=b'{"chunks": 3}')
        assert r["Payload"].read() == b"chunk 0\nchunk 1\nchunk 2\n"
        assert "FunctionError" not in r


def test_the_invocation_is_logged_and_counted(server, lam):
    python = shutil.which("python3")
    stream(server, python, "cpp-stream", {"chunks": 2})
    logs = __import__("boto3").client("logs", endpoint_url=server.endpoint, aws_access_key_id=ACCESS_KEY,
                                      aws_secret_access_key=SECRET_KEY, region_name=REGION)
    deadline = time.time() + 10
    messages = []
    while time.time() < deadline:
        messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/cpp-stream")["events"]]
        if any(m.startswith("REPORT RequestId:") for m in messages):
            break
        time.sleep(0.2)
    assert any(m.startswith("REPORT RequestId:") for m in messages), messages
    assert any("sending chunk 1" in m for m in messages), messages
    import urllib.request
    metrics = urllib.request.urlopen(server.endpoint + "/metrics").read().decode()
    assert 'nimbus_function_invocations_total{function="cpp-stream"' in metrics


def test_aws_cli(server, tmp_path):
    ran = False
    for cli in aws_clis():
        probe = subprocess.run([cli, "lambda", "invoke-with-response-stream", "help"], capture_output=True, text=True,
                               env=client_env(), timeout=60)
        if probe.returncode != 0:
            continue  # this CLI has no invoke-with-response-stream (CLI v1; CLI v2 before 2.11)
        ran = True
        out = tmp_path / "out.txt"
        r = subprocess.run([cli, "--endpoint-url", server.endpoint, "lambda", "invoke-with-response-stream",
                            "--function-name", "cpp-stream", "--payload", '{"chunks": 2}',
                            "--cli-binary-format", "raw-in-base64-out", str(out)],
                           capture_output=True, text=True, env=client_env(), timeout=120)
        assert r.returncode == 0, r.stderr
        assert out.read_bytes() == b"chunk 0\nchunk 1\n"
    if not ran:
        pytest.skip("no AWS CLI here has lambda invoke-with-response-stream: " + ", ".join(aws_clis()))


def test_a_client_that_goes_away_mid_stream_leaves_the_function_running(server, lam):
    python = shutil.which("python3")
    script = textwrap.dedent("""
        import sys, boto3
        lam = boto3.client("lambda", endpoint_url=sys.argv[1], aws_access_key_id="test",
                           aws_secret_access_key="test", region_name="us-east-1")
        r = lam.invoke_with_response_stream(FunctionName="cpp-stream", Payload=b'{"chunks": 3, "sleep_ms": 500}')
        events = iter(r["EventStream"])
        print(next(events)["PayloadChunk"]["Payload"].decode(), end="")
        r["EventStream"].close()  # hang up after the first chunk
    """)
    r = subprocess.run([python, "-c", script, server.endpoint], capture_output=True, text=True, timeout=60,
                       env=client_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout == "chunk 0\n"
    # The function finished on its own, and its instance serves the next caller.
    out = lam.invoke(FunctionName="cpp-stream", Payload=b'{"chunks": 2}')
    assert out["Payload"].read() == b"chunk 0\nchunk 1\n"


def test_pauses_between_chunks_longer_than_the_stall_timeout(tmp_path):
    s = Nimbus(tmp_path / "data", ["--stall-timeout", "1"]).start()
    try:
        lambda_client(s.endpoint).create_function(
            FunctionName="pausing", Runtime="provided.al2023", Role=ROLE, Handler="unused",
            Code={"ZipFile": function_zip("streaming")}, Timeout=10)
        out = stream(s, shutil.which("python3"), "pausing", {"chunks": 2, "sleep_ms": 2500})
        # The runtime's body paused 2.5 s, past the 1 s stall timeout: the function's timeout bounds it, not that.
        assert chunks_of(out) == [b"chunk 0\n", b"chunk 1\n"]
        assert "ErrorCode" not in complete_of(out)
    finally:
        assert s.stop() == 0, s.log_text()
