"""Lambda function URLs: the management API (both AWS CLIs and boto3) and
traffic to http://<url-id>.lambda-url.<region>.localhost:<port>/ with plain
HTTP and curl, C++ and Python handlers, AuthType NONE and AWS_IAM (SigV4 for
service lambda), the 2.0 event, responses as Lambda reads them, CORS, and
Lambda's own errors."""
import base64
import http.client
import json
import shutil
import subprocess

import pytest

from conftest import Nimbus, aws_clis, client_env, python_zip, ACCESS_KEY, SECRET_KEY, REGION
from test_lambda import ROLE, function_zip, lambda_client

HANDLERS = r'''
import base64, json

def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json",
            "access-control-allow-origin": "https://from-the-function"}, "body": json.dumps(event)}

def shaped(event, context):
    q = event.get("queryStringParameters") or {}
    kind = q.get("kind", "")
    if kind == "cookies":
        return {"statusCode": 201, "cookies": ["a=1; Path=/", "b=2"], "body": "with cookies"}
    if kind == "inferred":
        return {"hello": "world"}
    if kind == "binary":
        raw = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event.get("body", "").encode()
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "isBase64Encoded": True, "body": base64.b64encode(raw[::-1]).decode()}
    if kind == "malformed":
        return {"statusCode": "not a status"}
    if kind == "raise":
        raise RuntimeError("handler failed")
    return {"statusCode": 200, "body": kind}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("furl") / "data").start()
    lam = lambda_client(s.endpoint)
    for name, handler in (("py", "app.echo"), ("shaped", "app.shaped")):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
                            Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
    lam.create_function(FunctionName="cpp", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("echo")}, Timeout=10)
    yield s
    assert s.stop() == 0, s.log_text()


def host_of(url):
    return url.split("://", 1)[1].rstrip("/")


def call(server, url, method="GET", path="/", body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = {"Host": host_of(url)}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.msg, data


def test_management_with_both_clis(server):
    clis = aws_clis()
    if not clis:
        pytest.skip("no AWS CLI")
    for i, cli in enumerate(clis):
        fn = f"cli{i}"
        lambda_client(server.endpoint).create_function(
            FunctionName=fn, Runtime="python3.11", Role=ROLE, Handler="app.echo",
            Code={"ZipFile": python_zip({"app.py": HANDLERS})})

        def aws(*args, check=True):
            r = subprocess.run([cli, "--endpoint-url", server.endpoint, "lambda", *args], env=client_env(),
                               capture_output=True, text=True, timeout=120)
            assert not check or r.returncode == 0, r.stderr
            return r
        created = json.loads(aws("create-function-url-config", "--function-name", fn, "--auth-type", "NONE",
                                 "--cors", "AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=30").stdout)
        assert created["FunctionUrl"].startswith("http://") and created["FunctionUrl"].endswith(
            f".lambda-url.{REGION}.localhost:{server.port}/")
        assert len(host_of(created["FunctionUrl"]).split(".")[0]) == 32
        assert created["AuthType"] == "NONE" and created.get("InvokeMode", "BUFFERED") == "BUFFERED"  # older CLIs lack the member
        assert created["Cors"]["AllowOrigins"] == ["https://a.example"] and created["Cors"]["MaxAge"] == 30
        again = aws("create-function-url-config", "--function-name", fn, "--auth-type", "NONE", check=False)
        assert again.returncode != 0 and "ResourceConflictException" in again.stderr
        assert "Error message:  FunctionUrlConfig exists for this Lambda function" in again.stderr
        got = json.loads(aws("get-function-url-config", "--function-name", fn).stdout)
        assert got["FunctionUrl"] == created["FunctionUrl"] and "LastModifiedTime" in got
        upd = json.loads(aws("update-function-url-config", "--function-name", fn, "--auth-type", "AWS_IAM").stdout)
        assert upd["AuthType"] == "AWS_IAM" and upd["Cors"]["MaxAge"] == 30, "only the fields given change"
        listed = json.loads(aws("list-function-url-configs", "--function-name", fn).stdout)
        assert [c["FunctionUrl"] for c in listed["FunctionUrlConfigs"]] == [created["FunctionUrl"]]
        bad = aws("get-function-url-config", "--function-name", fn, "--qualifier", "$LATEST", check=False)
        assert "ValidationException" in bad.stderr and "((?!^\\d+$)^[0-9a-zA-Z-_]+$)" in bad.stderr
        aws("delete-function-url-config", "--function-name", fn)
        gone = aws("get-function-url-config", "--function-name", fn, check=False)
        assert "ResourceNotFoundException" in gone.stderr and "The resource you requested does not exist." in gone.stderr
        status, msg, _ = call(server, created["FunctionUrl"])
        assert status == 403 and msg["x-amzn-ErrorType"] == "AccessDeniedException"


def signed_call(server, method, path, body):
    h = signed_headers(server.endpoint, method, path, body)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.msg, data


def test_validation_and_aliases_with_boto3(server):
    lam = lambda_client(server.endpoint)
    errs = lam.exceptions
    with pytest.raises(errs.ResourceNotFoundException):
        lam.create_function_url_config(FunctionName="nosuch", AuthType="NONE")
    with pytest.raises(Exception) as e:
        lam.create_function_url_config(FunctionName="py", AuthType="NONE", Cors={"MaxAge": 86401})
    assert "ValidationException" in str(e.value) and "86400" in str(e.value)
    # InvokeMode is validated (boto3 1.26 predates the member: send it by hand); RESPONSE_STREAM
    # is served (tests/e2e/test_function_url_streaming.py).
    status, _, body = signed_call(server, "POST", "/2021-10-31/functions/py/url",
                                  b'{"AuthType":"NONE","InvokeMode":"STREAMED"}')
    assert status == 400 and b"[RESPONSE_STREAM, BUFFERED]" in body, body
    with pytest.raises(errs.ResourceNotFoundException):
        lam.create_function_url_config(FunctionName="py", Qualifier="nosuchalias", AuthType="NONE")
    v = lam.publish_version(FunctionName="py")
    lam.create_alias(FunctionName="py", Name="live", FunctionVersion=v["Version"])
    u = lam.create_function_url_config(FunctionName="py", Qualifier="live", AuthType="NONE")
    assert u["FunctionArn"].endswith(":function:py:live")
    status, _, body = call(server, u["FunctionUrl"])
    assert status == 200, body
    lam.delete_alias(FunctionName="py", Name="live")  # the URL goes with its alias
    status, _, _ = call(server, u["FunctionUrl"])
    assert status == 403


@pytest.fixture(scope="module")
def urls(server):
    lam = lambda_client(server.endpoint)
    out = {}
    for fn in ("py", "shaped", "cpp"):
        out[fn] = lam.create_function_url_config(FunctionName=fn, AuthType="NONE")["FunctionUrl"]
    return out


def test_event_shape_python_and_cpp(server, urls):
    status, msg, body = call(server, urls["py"], "POST", "/some/path?x=1&x=2", body=b'{"a":1}',
                             headers={"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Custom": "V"})
    assert status == 200, body
    assert msg["x-amzn-RequestId"]
    e = json.loads(body)
    url_id = host_of(urls["py"]).split(".")[0]
    assert e["version"] == "2.0" and e["routeKey"] == "$default"
    assert e["rawPath"] == "/some/path" and e["rawQueryString"] == "x=1&x=2"
    assert e["queryStringParameters"] == {"x": "1,2"}
    assert e["cookies"] == ["c1=v1", "c2=v2"]
    assert e["headers"]["x-custom"] == "V" and e["headers"]["x-forwarded-proto"] == "http"
    assert e["body"] == '{"a":1}' and e["isBase64Encoded"] is False
    rc = e["requestContext"]
    assert rc["apiId"] == url_id and rc["domainPrefix"] == url_id
    assert rc["domainName"] == f"{url_id}.lambda-url.{REGION}.localhost"
    assert rc["stage"] == "$default" and rc["routeKey"] == "$default"
    assert rc["http"]["method"] == "POST" and rc["http"]["path"] == "/some/path"
    assert rc["requestId"] == msg["x-amzn-RequestId"] and len(rc["requestId"]) == 36
    assert "authorizer" not in rc and "pathParameters" not in e
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "-i", "--resolve", f"{host_of(urls['cpp']).split(':')[0]}:{server.port}:127.0.0.1",
                              urls["cpp"] + "hello?a=b"], capture_output=True, check=True, timeout=30)
        head, _, body = out.stdout.partition(b"\r\n\r\n")
        assert b" 200" in head.split(b"\r\n")[0], out.stdout
        e = json.loads(body)  # the C++ echo returns its event: an inferred response
        assert e["rawPath"] == "/hello" and e["queryStringParameters"] == {"a": "b"}


def test_responses_as_lambda_reads_them(server, urls):
    u = urls["shaped"]
    status, msg, body = call(server, u, path="/?kind=cookies")
    assert status == 201 and body == b"with cookies" and msg.get_all("Set-Cookie") == ["a=1; Path=/", "b=2"]
    status, msg, body = call(server, u, path="/?kind=inferred")
    assert status == 200 and json.loads(body) == {"hello": "world"} and msg["content-type"] == "application/json"
    image = bytes(range(256)) * 40
    status, _, body = call(server, u, "POST", "/?kind=binary", body=image, headers={"Content-Type": "image/png"})
    assert status == 200 and body == image[::-1]
    for kind in ("malformed", "raise"):
        status, _, body = call(server, u, path=f"/?kind={kind}")
        assert status == 502 and body == b"Internal Server Error", kind
    status, msg, body = call(server, u, "POST", "/", body=b"x" * (6 * 1024 * 1024 + 1))
    assert status == 413 and msg["x-amzn-ErrorType"] == "RequestEntityTooLargeException"
    status, msg, body = call(server, "http://" + "0" * 32 + f".lambda-url.{REGION}.localhost/")
    assert status == 403 and msg["x-amzn-ErrorType"] == "AccessDeniedException"
    # LocalStack's host works too.
    lid = host_of(u).split(".")[0]
    status, _, body = call(server, f"http://{lid}.lambda-url.{REGION}.localhost.localstack.cloud:4566/",
                           path="/?kind=ok")
    assert status == 200 and body == b"ok"


def test_cors_preflight_and_headers(server):
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="corsy", Runtime="python3.11", Role=ROLE, Handler="app.echo",
                        Code={"ZipFile": python_zip({"app.py": HANDLERS})})
    u = lam.create_function_url_config(FunctionName="corsy", AuthType="AWS_IAM", Cors={
        "AllowOrigins": ["https://a.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-h"],
        "ExposeHeaders": ["x-e"], "MaxAge": 60, "AllowCredentials": True})["FunctionUrl"]
    # A preflight is Lambda's to answer, unsigned even under AWS_IAM.
    status, msg, body = call(server, u, "OPTIONS", "/", headers={"Origin": "https://a.example",
                                                                 "Access-Control-Request-Method": "POST"})
    assert status == 200 and body == b""
    assert msg["Access-Control-Allow-Origin"] == "https://a.example"
    assert msg["Access-Control-Allow-Methods"] == "GET,POST" and msg["Access-Control-Allow-Headers"] == "x-h"
    assert msg["Access-Control-Max-Age"] == "60" and msg["Access-Control-Allow-Credentials"] == "true"
    lam.update_function_url_config(FunctionName="corsy", AuthType="NONE")
    status, msg, body = call(server, u, headers={"Origin": "https://a.example"})
    assert status == 200
    assert msg.get_all("Access-Control-Allow-Origin") == ["https://a.example"], "the URL's CORS replaces the function's"
    assert msg["Access-Control-Expose-Headers"] == "x-e"
    status, msg, _ = call(server, u, headers={"Origin": "https://other.example"})
    assert msg.get("Access-Control-Allow-Origin") is None


def signed_headers(url, method="GET", path="/", body=b"", secret=SECRET_KEY):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=url.rstrip("/") + path, data=body)
    SigV4Auth(Credentials(ACCESS_KEY, secret), "lambda", REGION).add_auth(req)
    return dict(req.headers.items())


def test_aws_iam_needs_a_sigv4_signature_for_lambda(server):
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="iam", Runtime="python3.11", Role=ROLE, Handler="app.echo",
                        Code={"ZipFile": python_zip({"app.py": HANDLERS})})
    u = lam.create_function_url_config(FunctionName="iam", AuthType="AWS_IAM")["FunctionUrl"]
    status, msg, body = call(server, u)
    assert status == 403 and msg["x-amzn-ErrorType"] == "AccessDeniedException"
    assert json.loads(body)["Message"].startswith("Forbidden. For troubleshooting Function URL authorization issues")
    h = signed_headers(u, "POST", "/p?q=1", b"data")
    status, _, body = call(server, u, "POST", "/p?q=1", body=b"data", headers=h)
    assert status == 200, body
    e = json.loads(body)
    iam = e["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == ACCESS_KEY and iam["userArn"].startswith("arn:aws:")
    h = signed_headers(u, secret="wrong")
    status, _, _ = call(server, u, headers=h)
    assert status == 403


def test_survives_restart(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    lam = lambda_client(s.endpoint)
    lam.create_function(FunctionName="keep", Runtime="python3.11", Role=ROLE, Handler="app.shaped",
                        Code={"ZipFile": python_zip({"app.py": HANDLERS})})
    u = lam.create_function_url_config(FunctionName="keep", AuthType="NONE")["FunctionUrl"]
    port = s.port
    assert s.stop() == 0
    s.start(port)
    try:
        status, _, body = call(s, u, path="/?kind=back")
        assert status == 200 and body == b"back"
        assert lambda_client(s.endpoint).get_function_url_config(FunctionName="keep")["FunctionUrl"] == u
        lambda_client(s.endpoint).delete_function(FunctionName="keep")
        status, _, _ = call(s, u)
        assert status == 403
    finally:
        assert s.stop() == 0


def test_nimbus_apis_ls_lists_function_urls(server, urls):
    from conftest import nimbus_bin
    out = subprocess.run([nimbus_bin(), "--endpoint", server.endpoint, "apis", "ls"], env=client_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines() if line.startswith("url ")]
    assert ["url", "shaped", host_of(urls["shaped"]).split(".")[0], "-", urls["shaped"]] in rows, out.stdout
