"""API Gateway HTTP APIs (apigatewayv2) with Lambda proxy integrations:
management with both AWS CLIs and boto3, traffic with curl and plain HTTP
against a real nimbus, C++ and Python handlers, the payload formats 2.0
and 1.0 as AWS builds and reads them, and API Gateway's own errors."""
import base64
import http.client
import json
import shutil
import subprocess
import time

import pytest

from conftest import Nimbus, aws_clis, client_env, nimbus_bin, python_zip, ACCESS_KEY, SECRET_KEY, REGION
from test_lambda import ROLE, function_zip, lambda_client

HANDLERS = r'''
import base64, json, time

def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-handler": "python"},
            "body": json.dumps(event)}

def shaped(event, context):
    q = event.get("queryStringParameters") or {}
    kind = q.get("kind", "")
    if kind == "cookies":
        return {"statusCode": 201, "cookies": ["a=1; Path=/", "b=2"], "body": "with cookies"}
    if kind == "inferred":
        return {"hello": "world"}
    if kind == "string":
        return "just text"
    if kind == "binary":
        raw = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event.get("body", "").encode()
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "isBase64Encoded": True, "body": base64.b64encode(raw[::-1]).decode()}
    if kind == "malformed":
        return {"statusCode": "not a status"}
    if kind == "raise":
        raise RuntimeError("handler failed")
    if kind == "slow":
        time.sleep(3)
    return {"statusCode": 200, "body": kind}

def v1(event, context):
    return {"statusCode": 200, "headers": {"x-single": "s"}, "multiValueHeaders": {"x-multi": ["a", "b"]},
            "body": json.dumps(event)}
'''


def apigw(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("apigatewayv2", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION,
                        config=Config(retries={"max_attempts": 0}))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("apigw") / "data").start()
    lam = lambda_client(s.endpoint)
    lam.create_function(FunctionName="py", Runtime="python3.11", Role=ROLE, Handler="app.echo",
                        Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
    for name, handler in (("shaped", "app.shaped"), ("v1", "app.v1")):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
                            Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
    lam.create_function(FunctionName="cpp", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("echo")}, Timeout=10)
    yield s
    assert s.stop() == 0, s.log_text()


def arn(name):
    return f"arn:aws:lambda:{REGION}:000000000000:function:{name}"


def call(server, api_id, method, path, body=None, headers=None):
    """One plain HTTP request to the API's host form, through the edge port."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = {"Host": f"{api_id}.execute-api.localhost:{server.port}"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.getheader, data, r.msg


def test_quick_create_with_the_cli_serves_the_python_handler(server):
    for cli in aws_clis():
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "create-api", "--name", "quick",
                              "--protocol-type", "HTTP", "--target", arn("py")],
                             env=client_env(), capture_output=True, text=True, check=True)
        api = json.loads(out.stdout)
        assert api["ApiEndpoint"] == f"http://{api['ApiId']}.execute-api.localhost:{server.port}"
        assert api["ProtocolType"] == "HTTP"
        status, header, body, _ = call(server, api["ApiId"], "GET", "/some/path?x=1&x=2&y=z",
                                       headers={"Cookie": "c1=v1; c2=v2", "X-Custom": "Value"})
        assert status == 200, body
        assert header("x-handler") == "python"
        assert header("apigw-requestid").endswith("=")
        event = json.loads(body)
        assert event["version"] == "2.0"
        assert event["routeKey"] == "$default"
        assert event["rawPath"] == "/some/path"
        assert event["rawQueryString"] == "x=1&x=2&y=z"
        assert event["queryStringParameters"] == {"x": "1,2", "y": "z"}
        assert event["cookies"] == ["c1=v1", "c2=v2"]
        assert event["headers"]["x-custom"] == "Value"
        assert event["requestContext"]["stage"] == "$default"
        assert event["requestContext"]["apiId"] == api["ApiId"]
        assert event["requestContext"]["http"]["method"] == "GET"
        assert event["isBase64Encoded"] is False
        assert "body" not in event and "pathParameters" not in event


def test_curl_reaches_the_wildcard_host_and_the_path_forms(server):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    api = apigw(server.endpoint).create_api(Name="curl", ProtocolType="HTTP", Target=arn("cpp"))
    url = f"{api['ApiEndpoint']}/hello?a=b"
    out = subprocess.run(["curl", "-sS", "-i", url], capture_output=True, check=True, timeout=30)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert b" 200" in head.split(b"\r\n")[0]
    event = json.loads(body)  # the C++ echo returns its event: an inferred response
    assert event["rawPath"] == "/hello" and event["queryStringParameters"] == {"a": "b"}
    for path in (f"/_aws/execute-api/{api['ApiId']}/hello", f"/restapis/{api['ApiId']}/$default/_user_request_/hello"):
        out = subprocess.run(["curl", "-sS", "-g", f"{server.endpoint}{path}"], capture_output=True, check=True)
        assert json.loads(out.stdout)["rawPath"] == "/hello", out.stdout


def make_api(server, function, routes, payload="2.0", stage="prod", variables=None, timeout_ms=None):
    c = apigw(server.endpoint)
    api = c.create_api(Name=f"api-{function}", ProtocolType="HTTP")
    args = dict(ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=arn(function),
                PayloadFormatVersion=payload)
    if timeout_ms:
        args["TimeoutInMillis"] = timeout_ms
    integration = c.create_integration(**args)
    for key in routes:
        c.create_route(ApiId=api["ApiId"], RouteKey=key, Target="integrations/" + integration["IntegrationId"])
    c.create_stage(ApiId=api["ApiId"], StageName=stage, AutoDeploy=True, StageVariables=variables or {})
    return api["ApiId"]


def test_routes_path_parameters_greedy_any_and_stage_variables(server):
    api = make_api(server, "py", ["GET /pets/{id}", "ANY /files/{path+}", "POST /pets"], variables={"env": "test"})
    status, _, body, _ = call(server, api, "GET", "/prod/pets/7")
    assert status == 200, body
    e = json.loads(body)
    assert e["routeKey"] == "GET /pets/{id}"
    assert e["pathParameters"] == {"id": "7"}
    assert e["rawPath"] == "/prod/pets/7"  # a named stage's segment stays in rawPath
    assert e["requestContext"]["stage"] == "prod"
    assert e["stageVariables"] == {"env": "test"}
    status, _, body, _ = call(server, api, "DELETE", "/prod/files/a/b%20c.txt")
    e = json.loads(body)
    assert e["routeKey"] == "ANY /files/{path+}" and e["pathParameters"] == {"path": "a/b c.txt"}
    status, _, body, _ = call(server, api, "POST", "/prod/pets", body=b'{"name":"rex"}',
                              headers={"Content-Type": "application/json"})
    e = json.loads(body)
    assert e["body"] == '{"name":"rex"}' and e["isBase64Encoded"] is False
    # No such route, no such stage, no such API: API Gateway's 404.
    for target_api, path in ((api, "/prod/cats"), (api, "/nostage/pets/1"), ("nosuchapi1", "/prod/pets/1")):
        status, header, body, _ = call(server, target_api, "GET", path)
        assert status == 404 and json.loads(body) == {"message": "Not Found"}, (path, body)
        assert header("content-type") == "application/json"


def test_responses_as_aws_reads_them(server):
    api = make_api(server, "shaped", ["ANY /r"], timeout_ms=1000)
    status, header, body, msg = call(server, api, "GET", "/prod/r?kind=cookies")
    assert status == 201 and body == b"with cookies"
    assert msg.get_all("Set-Cookie") == ["a=1; Path=/", "b=2"]
    status, header, body, _ = call(server, api, "GET", "/prod/r?kind=inferred")
    assert status == 200 and json.loads(body) == {"hello": "world"}
    assert header("content-type") == "application/json"
    status, _, body, _ = call(server, api, "GET", "/prod/r?kind=string")
    assert status == 200 and body == b"just text"
    image = bytes(range(256)) * 40
    status, header, body, _ = call(server, api, "POST", "/prod/r?kind=binary", body=image,
                                   headers={"Content-Type": "image/png"})
    assert status == 200 and body == image[::-1], "a binary body travels base64 both ways, byte for byte"
    for kind in ("malformed", "raise"):
        status, _, body, _ = call(server, api, "GET", f"/prod/r?kind={kind}")
        assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}, kind
    status, _, body, _ = call(server, api, "GET", "/prod/r?kind=slow")
    assert status == 503 and json.loads(body) == {"message": "Service Unavailable"}
    status, _, body, _ = call(server, api, "POST", "/prod/r", body=b"x" * (10 * 1024 * 1024 + 1))
    assert status == 413


def test_payload_format_1_0(server):
    api = make_api(server, "v1", ["GET /items/{id}"], payload="1.0", stage="$default")
    status, header, body, msg = call(server, api, "GET", "/items/3?a=1&a=2", headers={"X-Rep": "one"})
    assert status == 200, body
    assert msg.get_all("x-multi") == ["a", "b"] and header("x-single") == "s"
    e = json.loads(body)
    assert e["version"] == "1.0" and e["resource"] == "/items/{id}" and e["httpMethod"] == "GET"
    assert e["pathParameters"] == {"id": "3"}
    assert e["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert e["multiValueHeaders"]["x-rep"] == ["one"]
    assert e["requestContext"]["resourcePath"] == "/items/{id}"
    assert e["stageVariables"] is None and e["body"] is None


def test_management_api_with_boto3(server):
    c = apigw(server.endpoint)
    api = c.create_api(Name="mgmt", ProtocolType="HTTP", Tags={"team": "a"})
    api_id = api["ApiId"]
    integration = c.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn("py"),
                                       PayloadFormatVersion="2.0")
    route = c.create_route(ApiId=api_id, RouteKey="GET /a", Target="integrations/" + integration["IntegrationId"])
    assert c.get_route(ApiId=api_id, RouteId=route["RouteId"])["RouteKey"] == "GET /a"
    updated = c.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /b")
    assert updated["RouteKey"] == "GET /b"
    assert [r["RouteKey"] for r in c.get_routes(ApiId=api_id)["Items"]] == ["GET /b"]
    with pytest.raises(c.exceptions.ConflictException):
        c.create_route(ApiId=api_id, RouteKey="GET /b", Target="integrations/" + integration["IntegrationId"])
    with pytest.raises(c.exceptions.ConflictException):  # a route still targets it
        c.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    # A stage without autoDeploy serves what CreateDeployment gave it.
    c.create_stage(ApiId=api_id, StageName="manual")
    assert call(server, api_id, "GET", "/manual/b")[0] == 404
    deployment = c.create_deployment(ApiId=api_id, StageName="manual")
    assert c.get_stage(ApiId=api_id, StageName="manual")["DeploymentId"] == deployment["DeploymentId"]
    assert call(server, api_id, "GET", "/manual/b")[0] == 200
    c.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /c")
    assert call(server, api_id, "GET", "/manual/b")[0] == 200, "the stage keeps its deployment until redeployed"
    assert c.get_tags(ResourceArn=f"arn:aws:apigateway:{REGION}::/apis/{api_id}")["Tags"] == {"team": "a"}
    # What nimbus does not serve is refused by name, never ignored.
    with pytest.raises(c.exceptions.BadRequestException) as e:
        c.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri="http://example.com",
                             IntegrationMethod="GET", PayloadFormatVersion="1.0")
    assert "HTTP_PROXY" in str(e.value)
    with pytest.raises(c.exceptions.BadRequestException) as e:
        c.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn("py"),
                             PayloadFormatVersion="2.0", RequestParameters={"append:header.x": "y"})
    assert "requestParameters" in str(e.value)
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_api(Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    apis = {a["Name"] for a in c.get_apis()["Items"]}
    assert "mgmt" in apis
    c.delete_api(ApiId=api_id)
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_api(ApiId=api_id)
    assert call(server, api_id, "GET", "/manual/b")[0] == 404


def test_nimbus_apis_ls_prints_every_invoke_url(server):
    c = apigw(server.endpoint)
    quick = c.create_api(Name="listed-quick", ProtocolType="HTTP", Target=arn("py"))
    staged = make_api(server, "py", ["GET /x"], stage="beta")
    out = subprocess.run([nimbus_bin(), "--endpoint", server.endpoint, "apis", "ls"], env=client_env(),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:2] == ["KIND", "NAME"]
    assert any(quick["ApiId"] in l and l.endswith(quick["ApiEndpoint"] + "/") for l in lines), out.stdout
    beta = f"http://{staged}.execute-api.localhost:{server.port}/beta/"
    assert any(l.endswith(beta) and " beta " in l for l in lines), out.stdout


def test_apis_survive_a_restart(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    try:
        lambda_client(s.endpoint).create_function(FunctionName="cpp", Runtime="provided.al2023", Role=ROLE,
                                                  Handler="unused", Code={"ZipFile": function_zip("echo")})
        api = apigw(s.endpoint).create_api(Name="durable", ProtocolType="HTTP", Target=arn("cpp"))
        assert s.stop() == 0
        s.start()
        status, _, body, _ = call(s, api["ApiId"], "GET", "/after")
        assert status == 200 and json.loads(body)["rawPath"] == "/after"
    finally:
        assert s.stop() == 0, s.log_text()


def plain_get(server, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def test_disable_execute_api_endpoint(server):
    """nimbus serves no custom domains: with the default endpoint disabled, every address form answers 403."""
    c = apigw(server.endpoint)
    api = c.create_api(Name="no-default", ProtocolType="HTTP", Target=arn("py"), DisableExecuteApiEndpoint=True)
    api_id = api["ApiId"]
    assert c.get_api(ApiId=api_id)["DisableExecuteApiEndpoint"] is True
    status, header, body, _ = call(server, api_id, "GET", "/x")
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    assert header("content-type") == "application/json"
    for path in (f"/_aws/execute-api/{api_id}/x", f"/restapis/{api_id}/$default/_user_request_/x"):
        status, body = plain_get(server, path)
        assert status == 403 and json.loads(body) == {"message": "Forbidden"}, path
    c.update_api(ApiId=api_id, DisableExecuteApiEndpoint=False)
    status, _, body, _ = call(server, api_id, "GET", "/x")
    assert status == 200 and json.loads(body)["rawPath"] == "/x"
    for cli in aws_clis():
        subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "update-api", "--api-id", api_id,
                        "--disable-execute-api-endpoint"], env=client_env(), capture_output=True, check=True)
        assert call(server, api_id, "GET", "/x")[0] == 403
        subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "update-api", "--api-id", api_id,
                        "--no-disable-execute-api-endpoint"], env=client_env(), capture_output=True, check=True)
        assert call(server, api_id, "GET", "/x")[0] == 200


VERSIONED = r'''
import json, os

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"version": context.function_version,
                                                   "mark": os.environ.get("MARK", "")})}
'''


def test_proxy_integration_to_a_lambda_alias(server):
    """An AWS_PROXY integration to an alias ARN runs the version the alias points at, not $LATEST."""
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="aliased", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": VERSIONED})}, Timeout=10,
                        Environment={"Variables": {"MARK": "one"}})
    assert lam.publish_version(FunctionName="aliased")["Version"] == "1"
    lam.update_function_configuration(FunctionName="aliased", Environment={"Variables": {"MARK": "two"}})
    lam.create_alias(FunctionName="aliased", Name="live", FunctionVersion="1")
    api = make_api(server, "aliased:live", ["GET /v"])
    status, _, body, _ = call(server, api, "GET", "/prod/v")
    assert status == 200, body
    assert json.loads(body) == {"version": "1", "mark": "one"}
    # Moving the alias moves the API, with no redeploy.
    assert lam.publish_version(FunctionName="aliased")["Version"] == "2"
    lam.update_alias(FunctionName="aliased", Name="live", FunctionVersion="2")
    assert json.loads(call(server, api, "GET", "/prod/v")[2]) == {"version": "2", "mark": "two"}


def test_update_deployment(server):
    c = apigw(server.endpoint)
    api = c.create_api(Name="upd-dep", ProtocolType="HTTP")
    integration = c.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=arn("py"),
                                       PayloadFormatVersion="2.0")
    c.create_route(ApiId=api["ApiId"], RouteKey="GET /a", Target="integrations/" + integration["IntegrationId"])
    dep = c.create_deployment(ApiId=api["ApiId"], Description="first")
    updated = c.update_deployment(ApiId=api["ApiId"], DeploymentId=dep["DeploymentId"], Description="second")
    assert updated["Description"] == "second" and updated["DeploymentId"] == dep["DeploymentId"]
    assert c.get_deployment(ApiId=api["ApiId"], DeploymentId=dep["DeploymentId"])["Description"] == "second"
    with pytest.raises(c.exceptions.NotFoundException):
        c.update_deployment(ApiId=api["ApiId"], DeploymentId="nosuch", Description="x")
