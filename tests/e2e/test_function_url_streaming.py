"""Function URLs with InvokeMode RESPONSE_STREAM, end to end: URLs created
with boto3 (botocore 1.43, PATH python3) and the AWS CLIs, a C++ streaming
function (sdk/cpp's run_streaming, examples/streaming) and a Python one (a
handler returning a generator), read with a raw socket and curl.

- the first bytes reach the client while the function still runs (it sleeps
  1.5 s between its chunks; the test times the first chunk against the end);
  the body is chunked;
- the prelude (set_http_response in C++ and Python, Node's
  HttpResponseStream.from) gives the status, headers and Set-Cookie;
  without one the status is 200 and Content-Type the stream's;
- a function that does not stream: its payload is the body, as it is;
- errors: before the first byte 502, mid-stream (an exception, the
  function's timeout) the connection ends without the last chunk;
- AuthType NONE and AWS_IAM (SigV4 for service lambda), and CORS.
"""
import json
import shutil
import socket
import subprocess
import textwrap
import time

import pytest

from conftest import Nimbus, aws_clis, client_env, python_zip, run_modern_python
from test_function_urls import host_of, signed_headers
from test_lambda import ROLE, function_zip, lambda_client

STREAMER = r'''
import time

def handler(event, context):
    q = event.get("queryStringParameters") or {}
    if q.get("prelude"):
        context.set_http_response(202, {"content-type": "text/plain", "x-streamed-by": "python"},
                                  ["flavour=py; Path=/", "second=2"])
    else:
        context.response_content_type = "text/plain"
    if q.get("fail") == "0":
        raise RuntimeError("failed before any byte")
    return chunks(q)

def chunks(q):
    yield "first\n"
    if q.get("fail") == "1":
        raise RuntimeError("failed mid-stream")
    time.sleep(float(q.get("sleep", "1.5")))
    yield "second\n"

def returned(event, context):
    context.set_http_response(404, {"content-type": "text/plain"})
    return "not here"

def buffered(event, context):
    return {"statusCode": 201, "headers": {"x-a": "b"}, "body": "not read as a 2.0 response"}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("furlstream") / "data", ["--keep-alive-ms", "60000"]).start()
    lam = lambda_client(s.endpoint)
    for name, handler in (("py-stream", "app.handler"), ("py-buffered", "app.buffered"), ("py-returned", "app.returned")):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
                            Code={"ZipFile": python_zip({"app.py": STREAMER})}, Timeout=20)
    lam.create_function(FunctionName="py-short", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": STREAMER})}, Timeout=1)
    lam.create_function(FunctionName="cpp-stream", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("streaming")}, Timeout=20)
    yield s
    assert s.stop() == 0, s.log_text()


# botocore 1.43 (PATH python3) knows InvokeMode; Debian's boto3 1.26 does not.
CREATE = textwrap.dedent("""
    import json, sys
    import boto3
    from botocore.config import Config
    endpoint, name, kw = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    lam = boto3.client("lambda", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                       region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
    kw.setdefault("AuthType", "NONE")
    r = lam.create_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM", **kw)
    got = lam.get_function_url_config(FunctionName=name, **({"Qualifier": kw["Qualifier"]} if "Qualifier" in kw else {}))
    print(json.dumps({"url": r["FunctionUrl"], "mode": r["InvokeMode"], "got": got["InvokeMode"]}))
""")


def create_with_boto3(server, name, **kw):
    r = run_modern_python(CREATE, server.endpoint, name, json.dumps(kw))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mode"] == "RESPONSE_STREAM" and out["got"] == "RESPONSE_STREAM", out
    return out["url"]


@pytest.fixture(scope="module")
def urls(server):
    lam = lambda_client(server.endpoint)
    out = {"py": create_with_boto3(server, "py-stream"),
           "cpp": create_with_boto3(server, "cpp-stream",
                                    Cors={"AllowOrigins": ["https://a.example"], "ExposeHeaders": ["x-streamed-by"]}),
           "buffered": create_with_boto3(server, "py-buffered"),
           "returned": create_with_boto3(server, "py-returned"),
           "short": create_with_boto3(server, "py-short")}
    v = lam.publish_version(FunctionName="py-stream")
    lam.create_alias(FunctionName="py-stream", Name="iam", FunctionVersion=v["Version"])
    out["iam"] = create_with_boto3(server, "py-stream", Qualifier="iam", AuthType="AWS_IAM")
    return out


def stream_call(server, url, path="/", method="GET", headers=None, body=b""):
    """A raw HTTP/1.1 exchange, reading the chunked body piece by piece: (status, headers
    (lower-case name → list of values), [(seconds since the request, chunk bytes)], whether
    the last chunk came, seconds until the body ended)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    h = {"Host": host_of(url), "Connection": "close"}
    h.update(headers or {})
    if body:
        h["Content-Length"] = str(len(body))
    start = time.monotonic()
    s.sendall(f"{method} {path} HTTP/1.1\r\n".encode() + "".join(f"{k}: {v}\r\n" for k, v in h.items()).encode()
              + b"\r\n" + body)
    buf = b""

    def fill():
        nonlocal buf
        data = s.recv(65536)
        if not data:
            raise EOFError
        buf += data

    while b"\r\n\r\n" not in buf:
        fill()
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    chunks, complete = [], False
    if hdrs.get("transfer-encoding") != ["chunked"]:
        n = int(hdrs.get("content-length", ["0"])[0])
        while len(buf) < n:
            fill()
        s.close()
        return status, hdrs, [(time.monotonic() - start, buf[:n])] if n else [], True, time.monotonic() - start
    try:
        while True:
            while b"\r\n" not in buf:
                fill()
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                fill()
            if size == 0:
                complete = True
                break
            chunks.append((time.monotonic() - start, buf[:size]))
            buf = buf[size + 2:]
    except (EOFError, ConnectionResetError):
        pass
    end = time.monotonic() - start
    s.close()
    return status, hdrs, chunks, complete, end


def body_of(chunks):
    return b"".join(c for _, c in chunks)


@pytest.mark.parametrize("kind,path", [("py", "/?sleep=1.5"), ("cpp", "/?chunks=2&sleep_ms=1500")])
def test_first_bytes_arrive_before_the_function_returns(server, urls, kind, path):
    status, hdrs, chunks, complete, end = stream_call(server, urls[kind], path)
    assert status == 200 and complete, (status, hdrs, chunks)
    assert hdrs["transfer-encoding"] == ["chunked"] and "content-length" not in hdrs
    assert hdrs["content-type"] == ["text/plain"] and hdrs["x-amzn-requestid"]
    expected = b"first\nsecond\n" if kind == "py" else b"chunk 0\nchunk 1\n"
    assert body_of(chunks) == expected
    first_at = chunks[0][0]
    assert first_at < end - 1.0, f"first byte at {first_at:.2f}s, end at {end:.2f}s: not streamed"
    assert chunks[0][1] == expected[:len(chunks[0][1])] and len(chunks) >= 2


@pytest.mark.parametrize("kind,path,who,cookies", [
    ("py", "/?prelude=1&sleep=1.5", "python", ["flavour=py; Path=/", "second=2"]),
    ("cpp", "/?prelude=1&chunks=2&sleep_ms=1500", "cpp", ["flavour=cpp; Path=/"])])
def test_the_prelude_sets_status_headers_and_cookies(server, urls, kind, path, who, cookies):
    status, hdrs, chunks, complete, end = stream_call(server, urls[kind], path)
    assert status == (202 if kind == "py" else 201) and complete, (status, hdrs)
    assert hdrs["content-type"] == ["text/plain"] and hdrs["x-streamed-by"] == [who]
    assert hdrs["set-cookie"] == cookies
    body = body_of(chunks)
    assert b"\0" not in body and b"statusCode" not in body, body
    assert body in (b"first\nsecond\n", b"chunk 0\nchunk 1\n")
    assert chunks[0][0] < end - 1.0, "the prelude must not hold the body back"


def test_python_set_http_response_with_a_returned_value(server, urls):
    # A handler that sets the response and returns a value (not a generator) streams that value as the body.
    status, hdrs, chunks, complete, _ = stream_call(server, urls["returned"], "/")
    assert status == 404 and complete and hdrs["content-type"] == ["text/plain"]
    assert body_of(chunks) == b"not here"


def test_curl_sees_the_first_byte_early(server, urls):
    if not shutil.which("curl"):
        pytest.skip("no curl")
    host = host_of(urls["py"]).split(":")[0]
    r = subprocess.run(["curl", "-sS", "-N", "--resolve", f"{host}:{server.port}:127.0.0.1",
                        "-w", "\n%{http_code} %{time_starttransfer} %{time_total}",
                        f"http://{host}:{server.port}/?prelude=1&sleep=1.5"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    body, _, stats = r.stdout.rpartition(b"\n")
    code, first, total = stats.decode().split()
    assert code == "202" and body == b"first\nsecond\n", r.stdout
    assert float(first) < float(total) - 1.0, stats


def test_a_function_that_does_not_stream_answers_its_payload_as_is(server, urls):
    # Lambda streams every payload through a RESPONSE_STREAM URL: it is not read as a 2.0 response.
    status, hdrs, chunks, complete, _ = stream_call(server, urls["buffered"], "/")
    assert status == 200 and complete
    assert hdrs["content-type"] == ["application/json"] and "x-a" not in hdrs
    assert json.loads(body_of(chunks)) == {"statusCode": 201, "headers": {"x-a": "b"},
                                            "body": "not read as a 2.0 response"}


def test_errors_before_and_after_the_first_byte(server, urls):
    status, hdrs, chunks, _, _ = stream_call(server, urls["py"], "/?fail=0")
    assert status == 502 and body_of(chunks) == b"Internal Server Error"
    # Mid-stream the status line is out: the connection ends without the last chunk.
    for kind, path, first in (("py", "/?fail=1", b"first\n"), ("cpp", "/?chunks=3&fail_after=1", b"chunk 0\n")):
        status, hdrs, chunks, complete, _ = stream_call(server, urls[kind], path)
        assert status == 200 and not complete and body_of(chunks) == first, (kind, chunks)
    # The function's timeout applies mid-stream too (1 s here, while it sleeps 3 s).
    status, _, chunks, complete, end = stream_call(server, urls["short"], "/?sleep=3")
    assert status == 200 and not complete and body_of(chunks) == b"first\n" and end < 2.9, (chunks, end)
    # The function's instance is fine afterwards.
    status, _, chunks, complete, _ = stream_call(server, urls["py"], "/?sleep=0")
    assert status == 200 and complete and body_of(chunks) == b"first\nsecond\n"


def test_aws_iam_streams_signed_requests_only(server, urls):
    u = urls["iam"]
    status, hdrs, chunks, _, _ = stream_call(server, u, "/?sleep=0")
    assert status == 403 and hdrs["x-amzn-errortype"] == ["AccessDeniedException"]
    h = signed_headers(u, "GET", "/?prelude=1&sleep=1.5")
    status, hdrs, chunks, complete, end = stream_call(server, u, "/?prelude=1&sleep=1.5", headers=h)
    assert status == 202 and complete and body_of(chunks) == b"first\nsecond\n"
    assert chunks[0][0] < end - 1.0
    bad = signed_headers(u, "GET", "/?sleep=0", secret="wrong")
    status, _, _, _, _ = stream_call(server, u, "/?sleep=0", headers=bad)
    assert status == 403


def test_cors_applies_to_streamed_responses(server, urls):
    status, hdrs, chunks, complete, _ = stream_call(server, urls["cpp"], "/?prelude=1&chunks=1",
                                                    headers={"Origin": "https://a.example"})
    assert status == 201 and complete
    assert hdrs["access-control-allow-origin"] == ["https://a.example"]
    assert hdrs["access-control-expose-headers"] == ["x-streamed-by"]
    status, hdrs, _, _, _ = stream_call(server, urls["cpp"], "/", method="OPTIONS",
                                        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
    assert status == 200 and hdrs["access-control-allow-origin"] == ["https://a.example"]


def test_invoke_mode_with_the_aws_clis(server):
    clis = aws_clis()
    if not clis:
        pytest.skip("no AWS CLI")
    lam = lambda_client(server.endpoint)
    ran = 0
    for i, cli in enumerate(clis):
        probe = subprocess.run([cli, "lambda", "create-function-url-config", "help"], capture_output=True, text=True,
                               env=client_env(), timeout=60)
        if "invoke-mode" not in probe.stdout:
            continue  # Debian's CLI v2 2.9 predates InvokeMode
        fn = f"cli-stream{i}"
        lam.create_function(FunctionName=fn, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": python_zip({"app.py": STREAMER})}, Timeout=20)

        def aws(*args):
            r = subprocess.run([cli, "--endpoint-url", server.endpoint, "lambda", *args], env=client_env(),
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 0, r.stderr
            return json.loads(r.stdout) if r.stdout.strip() else None
        created = aws("create-function-url-config", "--function-name", fn, "--auth-type", "NONE",
                      "--invoke-mode", "RESPONSE_STREAM")
        assert created["InvokeMode"] == "RESPONSE_STREAM"
        status, _, chunks, complete, end = stream_call(server, created["FunctionUrl"], "/?sleep=1.5")
        assert status == 200 and complete and chunks[0][0] < end - 1.0
        # Back to BUFFERED: the stream's whole text is then read as a 2.0 response, and "first\nsecond\n"
        # is not one (502), in one piece.
        assert aws("update-function-url-config", "--function-name", fn, "--invoke-mode", "BUFFERED")["InvokeMode"] == "BUFFERED"
        status, hdrs, chunks, complete, _ = stream_call(server, created["FunctionUrl"], "/?sleep=0")
        assert status == 502 and "transfer-encoding" not in hdrs
        ran += 1
    if not ran:
        pytest.skip("no AWS CLI here knows --invoke-mode")
