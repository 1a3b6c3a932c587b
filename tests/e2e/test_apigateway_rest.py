"""API Gateway REST APIs (apigateway v1) with Lambda proxy integrations:
management with both AWS CLIs and boto3, traffic with curl and plain HTTP
against a real nimbus, Python and C++ handlers; the REST event and response
rules as AWS applies them, binary media types, API Gateway's REST errors,
Lambda authorizers (TOKEN, REQUEST, cached), API keys with usage plans,
method throttling and request validation; AWS_IAM methods called with
botocore-signed requests (service execute-api) from both interpreters."""
import base64
import http.client
import json
import shutil
import subprocess
import time
import uuid

import pytest

from conftest import Nimbus, aws_clis, client_env, python_zip, ACCESS_KEY, SECRET_KEY, REGION
from signed_call import interpreters, signed_call
from test_lambda import ROLE, function_zip, lambda_client

HANDLERS = r'''
import base64, json, time

def echo(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "X-Handler": "python"},
            "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": json.dumps(event)}

def shaped(event, context):
    q = event.get("queryStringParameters") or {}
    kind = q.get("kind", "")
    if kind == "binary":
        raw = base64.b64decode(event["body"]) if event["isBase64Encoded"] else b"not base64"
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(raw).decode()}
    if kind == "extra":
        return {"statusCode": 200, "wrongValue": "value"}
    if kind == "headers":
        return {"headers": {"test-header": "value"}}
    if kind == "string":
        return "justAString"
    if kind == "status":
        return {"statusCode": "201", "body": "created"}
    if kind == "raise":
        raise RuntimeError("handler failed")
    if kind == "slow":
        time.sleep(3)
    return {"statusCode": 200, "body": kind}

CALLS = {"n": 0}

def token_auth(event, context):
    CALLS["n"] += 1
    token = event["authorizationToken"]
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "broken":
        return {"principalId": "x"}
    effect = "Allow" if token.startswith("allow") else "Deny"
    return {"principalId": "user-" + token, "context": {"calls": CALLS["n"], "kind": event["type"], "ok": True},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}

def request_auth(event, context):
    CALLS["n"] += 1
    headers = {k.lower(): v for k, v in event["headers"].items()}
    q = event.get("queryStringParameters") or {}
    allowed = headers.get("x-user") == "alice" and q.get("tenant") == "t1"
    arn = event["methodArn"].split("/")[0] + "/*"
    return {"principalId": headers.get("x-user", "nobody"), "usageIdentifierKey": headers.get("x-usage", ""),
            "context": {"calls": CALLS["n"], "method": event["httpMethod"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow" if allowed else "Deny", "Resource": arn}]}}
'''

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==") \
    + bytes(range(256)) * 20


def apigw(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("apigateway", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION,
                        config=Config(retries={"max_attempts": 0}))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("apigw-rest") / "data").start()
    lam = lambda_client(s.endpoint)
    for name, handler in (("echo", "app.echo"), ("shaped", "app.shaped"), ("tokenauth", "app.token_auth"),
                          ("requestauth", "app.request_auth")):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
                            Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
    lam.create_function(FunctionName="cpp", Runtime="provided.al2023", Role=ROLE, Handler="unused",
                        Code={"ZipFile": function_zip("echo")}, Timeout=10)
    yield s
    assert s.stop() == 0, s.log_text()


def fn_arn(name):
    return f"arn:aws:lambda:{REGION}:000000000000:function:{name}"


def invocation_uri(name):
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn_arn(name)}/invocations"


def call(server, api_id, method, path, body=None, headers=None):
    """One plain HTTP request to the API's host form; header names go out as written."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = {"Host": f"{api_id}.execute-api.localhost:{server.port}"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.getheader, data, r.msg


def root_of(c, api_id):
    """The root resource's id (boto3 1.26 does not show CreateRestApi's rootResourceId)."""
    return [r for r in c.get_resources(restApiId=api_id)["items"] if r["path"] == "/"][0]["id"]


def build_api(c, function, paths, stage="test", binary=None, method_args=None, timeout_ms=None, api_args=None):
    """A REST API with one AWS_PROXY method per (path, verb), deployed to `stage`."""
    api = c.create_rest_api(name=f"rest-{function}", **({"binaryMediaTypes": binary} if binary else {}),
                           **(api_args or {}))
    api_id = api["id"]
    ids = {"/": root_of(c, api_id)}
    for path, verb in paths:
        parent = "/"
        for part in [p for p in path.split("/") if p]:
            here = (parent.rstrip("/") + "/" + part)
            if here not in ids:
                ids[here] = c.create_resource(restApiId=api_id, parentId=ids[parent], pathPart=part)["id"]
            parent = here
        c.put_method(restApiId=api_id, resourceId=ids[path], httpMethod=verb,
                     **{"authorizationType": "NONE", **(method_args or {})})
        args = dict(restApiId=api_id, resourceId=ids[path], httpMethod=verb, type="AWS_PROXY",
                    integrationHttpMethod="POST", uri=invocation_uri(function))
        if timeout_ms:
            args["timeoutInMillis"] = timeout_ms
        c.put_integration(**args)
    c.create_deployment(restApiId=api_id, stageName=stage)
    return api_id, ids


def test_rest_api_with_both_clis_and_the_event_as_aws_builds_it(server):
    for cli in aws_clis():
        def aws(*args):
            out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigateway", *args],
                                 env=client_env(), capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
            return json.loads(out.stdout) if out.stdout.strip() else None
        api = aws("create-rest-api", "--name", "cli", "--endpoint-configuration", "types=REGIONAL")
        assert api["apiKeySource"] == "HEADER" and api["endpointConfiguration"]["types"] == ["REGIONAL"]
        resources = aws("get-resources", "--rest-api-id", api["id"])["items"]
        assert len(resources) == 1 and resources[0]["path"] == "/"  # older CLIs don't show rootResourceId
        assert api.get("rootResourceId", resources[0]["id"]) == resources[0]["id"]
        proxy = aws("create-resource", "--rest-api-id", api["id"], "--parent-id", resources[0]["id"],
                    "--path-part", "{proxy+}")
        assert proxy["path"] == "/{proxy+}"
        aws("put-method", "--rest-api-id", api["id"], "--resource-id", proxy["id"], "--http-method", "ANY",
            "--authorization-type", "NONE")
        integration = aws("put-integration", "--rest-api-id", api["id"], "--resource-id", proxy["id"],
                          "--http-method", "ANY", "--type", "AWS_PROXY", "--integration-http-method", "POST",
                          "--uri", invocation_uri("echo"))
        assert integration["timeoutInMillis"] == 29000 and integration["httpMethod"] == "POST"
        aws("put-method-response", "--rest-api-id", api["id"], "--resource-id", proxy["id"], "--http-method", "ANY",
            "--status-code", "200")
        aws("put-integration-response", "--rest-api-id", api["id"], "--resource-id", proxy["id"],
            "--http-method", "ANY", "--status-code", "200", "--selection-pattern", "")
        dep = aws("create-deployment", "--rest-api-id", api["id"], "--stage-name", "test",
                  "--variables", "env=dev")
        stage = aws("get-stage", "--rest-api-id", api["id"], "--stage-name", "test")
        assert stage["deploymentId"] == dep["id"] and stage["variables"] == {"env": "dev"}
        assert any(a["id"] == api["id"] for a in aws("get-rest-apis")["items"])
        embedded = aws("get-resources", "--rest-api-id", api["id"], "--embed", "methods")["items"]
        method = [r for r in embedded if r["path"] == "/{proxy+}"][0]["resourceMethods"]["ANY"]
        assert method["methodIntegration"]["type"] == "AWS_PROXY"

        status, header, body, msg = call(
            server, api["id"], "GET",
            "/test/test-path/?category=electronics&category=books&plus=test+alias&enc=%2B00:00",
            headers={"tEsT-HEADeR": "aValUE", "authorization": "random-value", "X-Rep": "1"})
        assert status == 200, body
        assert header("X-Handler") == "python" and msg.get_all("X-Multi") == ["a", "b"]
        assert str(uuid.UUID(header("x-amzn-RequestId"))) == header("x-amzn-RequestId")
        assert header("x-amz-apigw-id").endswith("=")
        event = json.loads(body)
        assert "version" not in event
        assert event["resource"] == "/{proxy+}" and event["path"] == "/test-path/"
        assert event["pathParameters"] == {"proxy": "test-path"}
        assert event["headers"]["tEsT-HEADeR"] == "aValUE"
        assert event["headers"]["Authorization"] == "random-value"
        assert event["multiValueHeaders"]["X-Rep"] == ["1"]
        assert event["queryStringParameters"]["category"] == "books"
        assert event["multiValueQueryStringParameters"]["category"] == ["electronics", "books"]
        assert event["queryStringParameters"]["plus"] == "test alias"
        assert event["queryStringParameters"]["enc"] == "+00:00"
        assert event["stageVariables"] == {"env": "dev"}
        assert event["body"] is None and event["isBase64Encoded"] is False
        rc = event["requestContext"]
        assert rc["path"] == "/test/test-path/" and rc["stage"] == "test" and rc["resourcePath"] == "/{proxy+}"
        assert rc["requestId"] == header("x-amzn-RequestId") and rc["deploymentId"] == dep["id"]
        assert rc["resourceId"] == proxy["id"] and rc["identity"]["sourceIp"] == "127.0.0.1"
        assert "authorizer" not in rc

        # No resource for "/" (a greedy variable needs a segment), and no such stage: 403s.
        for path in ("/test", "/test/", "/nostage/x"):
            status, header, body, _ = call(server, api["id"], "GET", path)
            assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}, path
            assert header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
        aws("delete-rest-api", "--rest-api-id", api["id"])
        status, _, _, _ = call(server, api["id"], "GET", "/test/test-path")
        assert status == 404


def test_management_with_boto3_patches_tags_and_refusals(server):
    from botocore.exceptions import ClientError
    c = apigw(server.endpoint)
    api_id, ids = build_api(c, "echo", [("/pets", "GET"), ("/pets/{id}", "ANY"), ("/pets/dog", "GET")])
    # Only Lambda proxy integrations and the authorization types nimbus applies; refused by name.
    with pytest.raises(ClientError) as e:
        c.put_integration(restApiId=api_id, resourceId=ids["/pets"], httpMethod="GET", type="HTTP_PROXY",
                          integrationHttpMethod="GET", uri="http://example.com")
    assert "HTTP_PROXY" in str(e.value)
    with pytest.raises(ClientError) as e:
        c.put_method(restApiId=api_id, resourceId=ids["/pets"], httpMethod="POST",
                     authorizationType="COGNITO_USER_POOLS")
    assert "COGNITO_USER_POOLS" in str(e.value)
    with pytest.raises(ClientError) as e:
        c.create_resource(restApiId=api_id, parentId=ids["/pets"], pathPart="dog")
    assert e.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as e:
        c.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": "{}"}])
    assert "/policy" in str(e.value)
    api = c.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png"}, {"op": "replace", "path": "/description", "value": "d"}])
    assert api["binaryMediaTypes"] == ["image/png"] and api["description"] == "d"
    stage = c.update_stage(restApiId=api_id, stageName="test", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "blue"}])
    assert stage["variables"] == {"color": "blue"}
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/test"
    c.tag_resource(resourceArn=arn, tags={"team": "a"})
    assert c.get_tags(resourceArn=arn)["tags"] == {"team": "a"}
    c.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert c.get_tags(resourceArn=arn)["tags"] == {}
    assert c.get_method(restApiId=api_id, resourceId=ids["/pets/{id}"], httpMethod="ANY")["httpMethod"] == "ANY"
    assert len(c.get_deployments(restApiId=api_id)["items"]) == 1

    # Routing: literal beats {id}; ANY takes any verb; trailing slash ignored; the path forms.
    def event_of(method, path, **kw):
        status, _, body, _ = call(server, api_id, method, path, **kw)
        assert status == 200, body
        return json.loads(body)
    assert event_of("GET", "/test/pets/dog")["resource"] == "/pets/dog"
    e = event_of("DELETE", "/test/pets/a%2Bb@x/")
    assert e["resource"] == "/pets/{id}" and e["pathParameters"] == {"id": "a%2Bb@x"} and e["httpMethod"] == "DELETE"
    assert e["stageVariables"] == {"color": "blue"}
    status, _, _, _ = call(server, api_id, "POST", "/test/pets")
    assert status == 403
    if shutil.which("curl"):
        for path in (f"/restapis/{api_id}/test/_user_request_/pets", f"/_aws/execute-api/{api_id}/test/pets"):
            out = subprocess.run(["curl", "-sS", "-g", f"{server.endpoint}{path}"], capture_output=True, check=True)
            assert json.loads(out.stdout)["resource"] == "/pets", out.stdout
    c.delete_resource(restApiId=api_id, resourceId=ids["/pets/{id}"])
    assert {r["path"] for r in c.get_resources(restApiId=api_id)["items"]} == {"/", "/pets", "/pets/dog"}


def test_binary_image_round_trip(server):
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "shaped", [("/img", "POST")], binary=["image/png"])
    status, header, body, _ = call(server, api_id, "POST", "/test/img?kind=binary", body=PNG,
                                   headers={"Content-Type": "image/png", "Accept": "image/png"})
    assert status == 200 and body == PNG, "a binary body travels base64 both ways, byte for byte"
    assert header("Content-Type") == "image/png"
    # Without an Accept naming a binary type, the base64 text goes out as the function wrote it.
    status, _, body, _ = call(server, api_id, "POST", "/test/img?kind=binary", body=PNG,
                              headers={"Content-Type": "image/png"})
    assert status == 200 and base64.b64decode(body) == PNG
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "--data-binary", "@-", "-H", "Content-Type: image/png",
                              "-H", "Accept: image/png",
                              f"{server.endpoint}/restapis/{api_id}/test/_user_request_/img?kind=binary"],
                             input=PNG, capture_output=True, check=True)
        assert out.stdout == PNG


def test_responses_and_gateway_errors(server):
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "shaped", [("/r", "GET")], timeout_ms=1000)
    status, header, body, _ = call(server, api_id, "GET", "/test/r?kind=headers")
    assert status == 200 and body == b"" and header("test-header") == "value"
    status, _, body, _ = call(server, api_id, "GET", "/test/r?kind=status")
    assert status == 201 and body == b"created"
    for kind in ("extra", "string", "raise"):
        status, header, body, _ = call(server, api_id, "GET", f"/test/r?kind={kind}")
        assert status == 502 and body == b'{"message": "Internal server error"}', kind
        assert header("x-amzn-RequestId")
    status, _, body, _ = call(server, api_id, "GET", "/test/r?kind=slow")
    assert status == 504 and json.loads(body) == {"message": "Endpoint request timed out"}
    # The C++ echo returns its event: keys a proxy response may not have, so 502 as on AWS.
    cpp_api, _ = build_api(c, "cpp", [("/echo", "GET")])
    status, _, body, _ = call(server, cpp_api, "GET", "/test/echo")
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}


def add_authorized_method(c, api_id, root, part, authorizer_id, function="echo", **extra):
    res = c.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
    c.put_method(restApiId=api_id, resourceId=res, httpMethod="GET", authorizationType="CUSTOM",
                 authorizerId=authorizer_id, **extra)
    c.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET", type="AWS_PROXY",
                      integrationHttpMethod="POST", uri=invocation_uri(function))
    return res


def test_token_authorizer_allows_denies_and_caches(server):
    c = apigw(server.endpoint)
    api = c.create_rest_api(name="auth")
    auth = c.create_authorizer(restApiId=api["id"], name="tok", type="TOKEN",
                               authorizerUri=invocation_uri("tokenauth"),
                               identitySource="method.request.header.Authorization",
                               identityValidationExpression="^[a-z-]+$", authorizerResultTtlInSeconds=300)
    assert auth["authorizerResultTtlInSeconds"] == 300
    add_authorized_method(c, api["id"], root_of(c, api["id"]), "secret", auth["id"])
    c.create_deployment(restApiId=api["id"], stageName="prod")
    get = lambda token: call(server, api["id"], "GET", "/prod/secret",
                             headers={"Authorization": token} if token is not None else {})
    status, _, body, _ = get(None)
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    status, _, body, _ = get("NOT-VALID-1")  # fails identityValidationExpression, never invoked
    assert status == 401
    status, _, body, _ = get("allow-a")
    assert status == 200, body
    first = json.loads(body)["requestContext"]["authorizer"]
    assert first["principalId"] == "user-allow-a" and first["kind"] == "TOKEN" and first["ok"] is True
    status, _, body, _ = get("allow-a")
    assert json.loads(body)["requestContext"]["authorizer"]["calls"] == first["calls"], "served from the cache"
    status, _, body, _ = get("allow-b")
    assert json.loads(body)["requestContext"]["authorizer"]["calls"] > first["calls"]
    status, header, body, _ = get("deny")
    assert status == 403 and json.loads(body) == {
        "message": "User is not authorized to access this resource with an explicit deny"}
    status, _, body, _ = get("unauthorized")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    status, _, body, _ = get("broken")
    assert status == 500


def test_request_authorizer_and_api_keys_from_it(server):
    c = apigw(server.endpoint)
    api = c.create_rest_api(name="reqauth", apiKeySource="AUTHORIZER")
    auth = c.create_authorizer(restApiId=api["id"], name="req", type="REQUEST",
                               authorizerUri=invocation_uri("requestauth"),
                               identitySource="method.request.header.X-User, method.request.querystring.tenant",
                               authorizerResultTtlInSeconds=0)
    add_authorized_method(c, api["id"], root_of(c, api["id"]), "who", auth["id"], apiKeyRequired=True)
    c.create_deployment(restApiId=api["id"], stageName="prod")
    key = c.create_api_key(name="from-authorizer", enabled=True, value="k" * 30)
    plan = c.create_usage_plan(name="p", apiStages=[{"apiId": api["id"], "stage": "prod"}])
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    status, _, _, _ = call(server, api["id"], "GET", "/prod/who?tenant=t1")
    assert status == 401, "an identity source is missing"
    status, _, body, _ = call(server, api["id"], "GET", "/prod/who?tenant=t2", headers={"X-User": "alice"})
    assert status == 403
    status, _, body, _ = call(server, api["id"], "GET", "/prod/who?tenant=t1", headers={"X-User": "alice"})
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}, "no usageIdentifierKey"
    status, _, body, _ = call(server, api["id"], "GET", "/prod/who?tenant=t1",
                              headers={"X-User": "alice", "X-Usage": "k" * 30})
    assert status == 200, body
    rc = json.loads(body)["requestContext"]
    assert rc["authorizer"]["principalId"] == "alice" and rc["authorizer"]["method"] == "GET"
    assert rc["identity"]["apiKey"] == "k" * 30 and rc["identity"]["apiKeyId"] == key["id"]


def test_api_keys_usage_plan_quota_and_throttle(server):
    c = apigw(server.endpoint)
    api_id, ids = build_api(c, "echo", [("/paid", "GET")], stage="prod", method_args={"apiKeyRequired": True})
    key = c.create_api_key(name="customer", enabled=True)
    assert len(key["value"]) >= 20
    listed = c.get_api_keys(includeValues=True)["items"]
    assert any(k["id"] == key["id"] and k["value"] == key["value"] for k in listed)
    assert all("value" not in k for k in c.get_api_keys()["items"])
    other = c.create_api_key(name="not-in-a-plan", enabled=True)
    disabled = c.create_api_key(name="disabled", value="d" * 25)
    assert disabled["enabled"] is False
    plan = c.create_usage_plan(name="small", apiStages=[{"apiId": api_id, "stage": "prod"}],
                               quota={"limit": 2, "period": "DAY"})
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=disabled["id"], keyType="API_KEY")
    assert [k["id"] for k in c.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"], disabled["id"]]
    for headers in ({}, {"x-api-key": "wrong" * 5}, {"x-api-key": other["value"]}, {"x-api-key": "d" * 25}):
        status, header, body, _ = call(server, api_id, "GET", "/prod/paid", headers=headers)
        assert status == 403 and json.loads(body) == {"message": "Forbidden"}, headers
        assert header("x-amzn-ErrorType") == "ForbiddenException"
    for _ in range(2):
        status, _, body, _ = call(server, api_id, "GET", "/prod/paid", headers={"x-api-key": key["value"]})
        assert status == 200, body
    status, _, body, _ = call(server, api_id, "GET", "/prod/paid", headers={"x-api-key": key["value"]})
    assert status == 429 and json.loads(body) == {"message": "Limit Exceeded"}
    # The plan's throttle: a burst of 1 at 1 request a second lets one of two quick requests through.
    c.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "remove", "path": "/quota"},
        {"op": "replace", "path": "/throttle/burstLimit", "value": "1"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "0.5"}])
    codes = [call(server, api_id, "GET", "/prod/paid", headers={"x-api-key": key["value"]})[0] for _ in range(3)]
    assert codes[0] == 200 and 429 in codes[1:], codes


def test_aws_iam_methods_need_a_sigv4_signature_for_execute_api(server):
    pythons = interpreters()
    assert pythons, "no interpreter with botocore"
    c = apigw(server.endpoint)
    api_id, ids = build_api(c, "echo", [("/signed/{id}", "POST")], stage="prod",
                            method_args={"authorizationType": "AWS_IAM"})
    method = c.get_method(restApiId=api_id, resourceId=ids["/signed/{id}"], httpMethod="POST")
    assert method["authorizationType"] == "AWS_IAM"
    host = f"{api_id}.execute-api.localhost:{server.port}"
    for py in pythons:
        status, headers, body = signed_call(py, server.port, host, "POST", "/prod/signed/5?q=1", '{"b": 2}')
        assert status == 200, (py, body)
        event = json.loads(body)
        identity = event["requestContext"]["identity"]
        assert identity["accessKey"] == ACCESS_KEY and identity["accountId"] == "000000000000"
        assert identity["caller"] == ACCESS_KEY and identity["user"] == ACCESS_KEY
        assert identity["userArn"] == f"arn:aws:iam::000000000000:user/{ACCESS_KEY}"
        assert identity["cognitoIdentityId"] is None and "authorizer" not in event["requestContext"]
        assert event["body"] == '{"b": 2}' and event["pathParameters"] == {"id": "5"}
        # LocalStack's path forms verify against the path the client signed.
        for path in (f"/restapis/{api_id}/prod/_user_request_/signed/6", f"/_aws/execute-api/{api_id}/prod/signed/6"):
            status, _, body = signed_call(py, server.port, f"localhost:{server.port}", "POST", path, "x")
            assert status == 200, (py, path, body)
            assert json.loads(body)["pathParameters"] == {"id": "6"}
        status, headers, body = signed_call(py, server.port, host, "POST", "/prod/signed/5", "x", secret="wrong")
        assert status == 403 and headers["x-amzn-errortype"] == "InvalidSignatureException"
        assert json.loads(body)["message"].startswith("The request signature we calculated does not match")
        status, headers, body = signed_call(py, server.port, host, "POST", "/prod/signed/5", "x", access="AKIDUNKNOWN")
        assert status == 403 and headers["x-amzn-errortype"] == "UnrecognizedClientException"
        assert json.loads(body) == {"message": "The security token included in the request is invalid."}
    status, header, body, _ = call(server, api_id, "POST", "/prod/signed/5", body=b"x")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    assert header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"


def test_get_usage_and_update_usage_report_and_extend_the_quota(server):
    import datetime
    from botocore.exceptions import ClientError
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "echo", [("/metered", "GET")], stage="prod", method_args={"apiKeyRequired": True})
    key = c.create_api_key(name="metered", enabled=True)
    idle = c.create_api_key(name="idle", enabled=True)
    plan = c.create_usage_plan(name="metered", apiStages=[{"apiId": api_id, "stage": "prod"}],
                               quota={"limit": 3, "period": "MONTH"})
    for k in (key, idle):
        c.create_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"], keyType="API_KEY")
    for _ in range(2):
        status, _, body, _ = call(server, api_id, "GET", "/prod/metered", headers={"x-api-key": key["value"]})
        assert status == 200, body
    today = datetime.datetime.now(datetime.timezone.utc).date()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    usage = c.get_usage(usagePlanId=plan["id"], startDate=yesterday, endDate=today.isoformat())
    assert usage["usagePlanId"] == plan["id"] and usage["startDate"] == yesterday
    assert usage["items"][key["id"]] == [[0, 3], [2, 1]]  # [used that day, quota left at its end]
    assert usage["items"][idle["id"]] == [[0, 3], [0, 3]]
    one = c.get_usage(usagePlanId=plan["id"], startDate=today.isoformat(), endDate=today.isoformat(), keyId=key["id"])
    assert one["items"] == {key["id"]: [[2, 1]]}
    # The AWS CLIs read the same answer.
    for cli in aws_clis():
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigateway", "get-usage", "--usage-plan-id",
                              plan["id"], "--start-date", today.isoformat(), "--end-date", today.isoformat()],
                             env=client_env(), capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["items"][key["id"]] == [[2, 1]]
    # UpdateUsage grants more for the current period.
    updated = c.update_usage(usagePlanId=plan["id"], keyId=key["id"],
                             patchOperations=[{"op": "replace", "path": "/remaining", "value": "4"}])
    assert updated["items"] == {key["id"]: [[2, 4]]}
    for _ in range(4):
        status, _, body, _ = call(server, api_id, "GET", "/prod/metered", headers={"x-api-key": key["value"]})
        assert status == 200, body
    status, _, body, _ = call(server, api_id, "GET", "/prod/metered", headers={"x-api-key": key["value"]})
    assert status == 429 and json.loads(body) == {"message": "Limit Exceeded"}
    assert c.get_usage(usagePlanId=plan["id"], startDate=today.isoformat(),
                       endDate=today.isoformat())["items"][key["id"]] == [[6, 0]]
    for bad in (dict(startDate="2024-02-30", endDate="2024-03-01"), dict(startDate="2024-03-02", endDate="2024-03-01"),
                dict(startDate="2020-01-01", endDate="2024-01-01")):
        with pytest.raises(ClientError) as e:
            c.get_usage(usagePlanId=plan["id"], **bad)
        assert e.value.response["Error"]["Code"] == "BadRequestException", bad
    with pytest.raises(ClientError) as e:
        c.get_usage(usagePlanId="nosuch", startDate=yesterday, endDate=today.isoformat())
    assert e.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as e:
        c.update_usage(usagePlanId=plan["id"], keyId=key["id"],
                       patchOperations=[{"op": "replace", "path": "/limit", "value": "4"}])
    assert "nimbus does not support" in str(e.value)


def test_method_throttling_from_stage_settings(server):
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "echo", [("/t", "GET"), ("/u", "GET")], stage="prod")
    stage = c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.5"},
        {"op": "replace", "path": "/~1u/GET/throttling/burstLimit", "value": "100"}])
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 1
    assert stage["methodSettings"]["u/GET"]["throttlingBurstLimit"] == 100
    codes = [call(server, api_id, "GET", "/prod/t")[0] for _ in range(3)]
    assert codes[0] == 200 and 429 in codes[1:], codes
    status, _, body, _ = call(server, api_id, "GET", "/prod/t")
    assert status == 429 and json.loads(body) == {"message": "Too Many Requests"}
    assert [call(server, api_id, "GET", "/prod/u")[0] for _ in range(3)] == [200, 200, 200]


def test_what_terraform_sends(server):
    """The calls and defaults Terraform's aws_api_gateway_* resources send (test_terraform_apigateway.py
    runs the provider itself): connectionType INTERNET, GetUsagePlanKey, method settings at their
    off defaults and their removal as a whole, UpdateResource."""
    from botocore.exceptions import ClientError
    c = apigw(server.endpoint)
    api_id, ids = build_api(c, "echo", [("/t", "GET"), ("/u", "GET")], stage="prod")
    integration = c.put_integration(restApiId=api_id, resourceId=ids["/t"], httpMethod="GET", type="AWS_PROXY",
                                    integrationHttpMethod="POST", uri=invocation_uri("echo"),
                                    connectionType="INTERNET")
    assert integration["connectionType"] == "INTERNET"
    assert c.get_integration(restApiId=api_id, resourceId=ids["/u"], httpMethod="GET")["connectionType"] == "INTERNET"
    with pytest.raises(ClientError) as e:
        c.put_integration(restApiId=api_id, resourceId=ids["/t"], httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=invocation_uri("echo"), connectionType="VPC_LINK",
                          connectionId="abc")
    assert "connectionId" in str(e.value) or "VPC_LINK" in str(e.value)

    key = c.create_api_key(name="tf", enabled=True)
    plan = c.create_usage_plan(name="tf", apiStages=[{"apiId": api_id, "stage": "prod"}])
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    got = c.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert (got["id"], got["type"], got["name"]) == (key["id"], "API_KEY", "tf")
    c.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    with pytest.raises(ClientError) as e:
        c.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert e.value.response["Error"]["Code"] == "NotFoundException"

    stage = c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "false"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "false"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "false"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "7"},
        {"op": "replace", "path": "/u/GET/throttling/rateLimit", "value": "3.5"}])
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 7
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "OFF"
    assert stage["methodSettings"]["u/GET"]["throttlingRateLimit"] == 3.5
    # The cache's details are stored as AWS keeps them (caching itself stays off); Terraform sends ttlInSeconds.
    assert stage["methodSettings"]["u/GET"]["cacheTtlInSeconds"] == 300
    stage = c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "0"}])
    assert stage["methodSettings"]["*/*"]["cacheTtlInSeconds"] == 0
    for path, value in (("/*/*/metrics/enabled", "true"), ("/*/*/logging/loglevel", "INFO"),
                        ("/*/*/caching/enabled", "true"), ("/*/*/caching/ttlInSeconds", "9999"),
                        ("/*/*/cache/whatever", "1")):
        with pytest.raises(ClientError) as e:
            c.update_stage(restApiId=api_id, stageName="prod",
                           patchOperations=[{"op": "replace", "path": path, "value": value}])
        assert e.value.response["Error"]["Code"] == "BadRequestException"
        assert path in str(e.value) or "9999" in str(e.value)
    stage = c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[{"op": "remove", "path": "/*/*"}])
    assert list(stage["methodSettings"]) == ["u/GET"]
    stage = c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[{"op": "remove", "path": "/u/GET"}])
    assert stage["methodSettings"] == {}

    # UpdateResource: a new pathPart or parent moves the subtree's paths along.
    child = c.create_resource(restApiId=api_id, parentId=ids["/u"], pathPart="{id}")
    moved = c.update_resource(restApiId=api_id, resourceId=ids["/u"],
                              patchOperations=[{"op": "replace", "path": "/pathPart", "value": "v"}])
    assert (moved["path"], moved["pathPart"]) == ("/v", "v")
    assert c.get_resource(restApiId=api_id, resourceId=child["id"])["path"] == "/v/{id}"
    c.update_resource(restApiId=api_id, resourceId=ids["/u"],
                      patchOperations=[{"op": "replace", "path": "/parentId", "value": ids["/t"]}])
    assert c.get_resource(restApiId=api_id, resourceId=child["id"])["path"] == "/t/v/{id}"
    c.create_resource(restApiId=api_id, parentId=ids["/t"], pathPart="w")
    for ops, code in (([{"op": "replace", "path": "/pathPart", "value": "w"}], "ConflictException"),
                      ([{"op": "replace", "path": "/parentId", "value": child["id"]}], "BadRequestException"),
                      ([{"op": "add", "path": "/pathPart", "value": "w"}], "BadRequestException")):
        with pytest.raises(ClientError) as e:
            c.update_resource(restApiId=api_id, resourceId=ids["/u"], patchOperations=ops)
        assert e.value.response["Error"]["Code"] == code, ops


def test_request_validator_and_models(server):
    c = apigw(server.endpoint)
    api = c.create_rest_api(name="validated")
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
              "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}
    c.create_model(restApiId=api["id"], name="Pet", contentType="application/json", schema=json.dumps(schema))
    with pytest.raises(Exception):
        c.create_model(restApiId=api["id"], name="Bad", contentType="application/json", schema="{not json")
    body_validator = c.create_request_validator(restApiId=api["id"], name="body", validateRequestBody=True)
    params_validator = c.create_request_validator(restApiId=api["id"], name="params",
                                                  validateRequestParameters=True)
    pets = c.create_resource(restApiId=api["id"], parentId=root_of(c, api["id"]), pathPart="pets")["id"]
    c.put_method(restApiId=api["id"], resourceId=pets, httpMethod="POST", authorizationType="NONE",
                 requestValidatorId=body_validator["id"], requestModels={"application/json": "Pet"})
    c.put_method(restApiId=api["id"], resourceId=pets, httpMethod="GET", authorizationType="NONE",
                 requestValidatorId=params_validator["id"],
                 requestParameters={"method.request.header.X-Req": True, "method.request.querystring.q": True})
    for verb in ("POST", "GET"):
        c.put_integration(restApiId=api["id"], resourceId=pets, httpMethod=verb, type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=invocation_uri("echo"))
    c.create_deployment(restApiId=api["id"], stageName="v1")
    post = lambda body: call(server, api["id"], "POST", "/v1/pets", body=body,
                             headers={"Content-Type": "application/json"})
    for bad in (b'{"age": 3}', b'{"name": 1}', b'{"name": "rex", "age": -1}', b"not json"):
        status, header, body, _ = post(bad)
        assert status == 400 and json.loads(body) == {"message": "Invalid request body"}, bad
        assert header("x-amzn-ErrorType") == "BadRequestException"
    status, _, body, _ = post(b'{"name": "rex", "age": 3}')
    assert status == 200 and json.loads(json.loads(body)["body"])["name"] == "rex"
    status, _, body, _ = call(server, api["id"], "GET", "/v1/pets")
    assert status == 400 and json.loads(body)["message"].startswith("Missing required request parameters")
    status, _, body, _ = call(server, api["id"], "GET", "/v1/pets?q=1", headers={"X-Req": "y"})
    assert status == 200


def test_rest_apis_survive_a_restart(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    try:
        lambda_client(s.endpoint).create_function(
            FunctionName="echo", Runtime="python3.11", Role=ROLE, Handler="app.echo",
            Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
        api_id, _ = build_api(apigw(s.endpoint), "echo", [("/x", "GET")])
    finally:
        assert s.stop() == 0, s.log_text()
    s = Nimbus(tmp_path / "data").start()
    try:
        status, _, body, _ = call(s, api_id, "GET", "/test/x")
        assert status == 200 and json.loads(body)["resource"] == "/x"
    finally:
        assert s.stop() == 0, s.log_text()


def test_one_trace_from_the_client_through_the_gateway_to_the_function(server):
    """The answer carries one X-Amzn-Trace-Id, the caller's Root; the function's
    event carries the same Root with the gateway's span as Parent."""
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "echo", [("/traced", "GET")])
    root = "1-5f84c7a5-0123456789abcdef01234567"
    status, _, body, msg = call(server, api_id, "GET", "/test/traced",
                                headers={"X-Amzn-Trace-Id": f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1"})
    assert status == 200
    answered = msg.get_all("X-Amzn-Trace-Id")
    assert answered == [f"Root={root};Sampled=1"], answered
    event = json.loads(body)
    passed = event["headers"]["X-Amzn-Trace-Id"]
    assert passed.startswith(f"Root={root};Parent=") and "53995c3f42cd8ad8" not in passed, passed
    # Without a caller's trace the gateway starts one, and the function gets that one.
    status, _, body, msg = call(server, api_id, "GET", "/test/traced")
    answered = msg.get_all("X-Amzn-Trace-Id")
    assert status == 200 and len(answered) == 1, answered
    started = answered[0].split(";")[0]
    assert json.loads(body)["headers"]["X-Amzn-Trace-Id"].startswith(started + ";Parent="), body


def test_disable_execute_api_endpoint(server):
    """nimbus serves no custom domains: with the default endpoint disabled, the API answers 403 Forbidden."""
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "echo", [("/pets", "GET")], api_args={"disableExecuteApiEndpoint": True})
    assert c.get_rest_api(restApiId=api_id)["disableExecuteApiEndpoint"] is True
    status, header, body, _ = call(server, api_id, "GET", "/test/pets")
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    assert header("x-amzn-ErrorType") == "ForbiddenException"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", f"/restapis/{api_id}/test/_user_request_/pets")
    r = conn.getresponse()
    assert r.status == 403 and json.loads(r.read()) == {"message": "Forbidden"}
    conn.close()
    c.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "false"}])
    status, _, body, _ = call(server, api_id, "GET", "/test/pets")
    assert status == 200 and json.loads(body)["resource"] == "/pets"
    for cli in aws_clis():
        subprocess.run([cli, "--endpoint-url", server.endpoint, "apigateway", "update-rest-api", "--rest-api-id", api_id,
                        "--patch-operations", "op=replace,path=/disableExecuteApiEndpoint,value=true"],
                       env=client_env(), capture_output=True, check=True)
        assert call(server, api_id, "GET", "/test/pets")[0] == 403
        subprocess.run([cli, "--endpoint-url", server.endpoint, "apigateway", "update-rest-api", "--rest-api-id", api_id,
                        "--patch-operations", "op=replace,path=/disableExecuteApiEndpoint,value=false"],
                       env=client_env(), capture_output=True, check=True)
        assert call(server, api_id, "GET", "/test/pets")[0] == 200


def test_request_body_over_10_mb_is_413(server):
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "shaped", [("/big", "POST")])
    status, header, body, _ = call(server, api_id, "POST", "/test/big", body=b"x" * (10 * 1024 * 1024 + 1))
    assert status == 413
    assert json.loads(body) == {"message": "HTTP content length exceeded 10485760 bytes."}
    assert header("x-amzn-ErrorType") == "RequestTooLargeException"
    # Exactly 10 MB still reaches the function.
    status, _, body, _ = call(server, api_id, "POST", "/test/big", body=b"x" * (10 * 1024 * 1024))
    assert status == 200 and body == b"", body


VERSIONED = r'''
import json, os

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"version": context.function_version,
                                                   "mark": os.environ.get("MARK", "")})}
'''


def test_proxy_integration_to_a_lambda_alias(server):
    """An AWS_PROXY integration whose uri names an alias runs the alias's version, not $LATEST."""
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="restaliased", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": VERSIONED})}, Timeout=10,
                        Environment={"Variables": {"MARK": "one"}})
    assert lam.publish_version(FunctionName="restaliased")["Version"] == "1"
    lam.update_function_configuration(FunctionName="restaliased", Environment={"Variables": {"MARK": "two"}})
    lam.create_alias(FunctionName="restaliased", Name="live", FunctionVersion="1")
    c = apigw(server.endpoint)
    api_id, _ = build_api(c, "restaliased:live", [("/v", "GET")])
    status, _, body, _ = call(server, api_id, "GET", "/test/v")
    assert status == 200, body
    assert json.loads(body) == {"version": "1", "mark": "one"}
    assert lam.publish_version(FunctionName="restaliased")["Version"] == "2"
    lam.update_alias(FunctionName="restaliased", Name="live", FunctionVersion="2")
    assert json.loads(call(server, api_id, "GET", "/test/v")[2]) == {"version": "2", "mark": "two"}


def test_update_method_integration_and_deployment_in_place(server):
    """UpdateMethod, UpdateIntegration and UpdateDeployment as patchOperations (Terraform's in-place updates):
    the change is stored at once and served from the next deployment, as on AWS."""
    from botocore.exceptions import ClientError
    c = apigw(server.endpoint)
    api_id, ids = build_api(c, "echo", [("/pets", "GET")])
    res = ids["/pets"]
    status, header, _, _ = call(server, api_id, "GET", "/test/pets")
    assert status == 200 and header("X-Handler") == "python"

    m = c.update_method(restApiId=api_id, resourceId=res, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "false"},
        {"op": "replace", "path": "/operationName", "value": "ListPets"}])
    assert m["apiKeyRequired"] is True and m["operationName"] == "ListPets"
    assert m["requestParameters"] == {"method.request.querystring.q": False}
    got = c.get_method(restApiId=api_id, resourceId=res, httpMethod="GET")
    assert got["apiKeyRequired"] is True and got["methodIntegration"]["type"] == "AWS_PROXY"
    assert call(server, api_id, "GET", "/test/pets")[0] == 200, "served from the old deployment until redeployed"
    c.create_deployment(restApiId=api_id, stageName="test")
    assert call(server, api_id, "GET", "/test/pets")[0] == 403, "an API key is now required"
    for cli in aws_clis():
        c.update_method(restApiId=api_id, resourceId=res, httpMethod="GET", patchOperations=[
            {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
            {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "false"}])
        subprocess.run([cli, "--endpoint-url", server.endpoint, "apigateway", "update-method", "--rest-api-id", api_id,
                        "--resource-id", res, "--http-method", "GET", "--patch-operations",
                        "op=replace,path=/apiKeyRequired,value=false",
                        "op=remove,path=/requestParameters/method.request.querystring.q"],
                       env=client_env(), capture_output=True, check=True)
        m = c.get_method(restApiId=api_id, resourceId=res, httpMethod="GET")
        assert m["apiKeyRequired"] is False and "requestParameters" not in m

    # Refused, and nothing changed: a CUSTOM method with no authorizer, a path nimbus does not apply.
    for ops in ([{"op": "replace", "path": "/authorizationType", "value": "CUSTOM"}],
                [{"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"}],
                [{"op": "add", "path": "/authorizationScopes", "value": "s"}]):
        with pytest.raises(ClientError):
            c.update_method(restApiId=api_id, resourceId=res, httpMethod="GET", patchOperations=ops)
    assert c.get_method(restApiId=api_id, resourceId=res, httpMethod="GET")["authorizationType"] == "NONE"
    with pytest.raises(ClientError) as e:
        c.update_method(restApiId=api_id, resourceId=res, httpMethod="POST",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    assert e.value.response["Error"]["Code"] == "NotFoundException"

    c.create_deployment(restApiId=api_id, stageName="test")
    assert call(server, api_id, "GET", "/test/pets")[0] == 200

    i = c.update_integration(restApiId=api_id, resourceId=res, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/uri", "value": invocation_uri("shaped")},
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
        {"op": "add", "path": "/cacheKeyParameters/method.request.querystring.kind"}])
    assert i["uri"] == invocation_uri("shaped") and i["timeoutInMillis"] == 5000
    assert i["cacheKeyParameters"] == ["method.request.querystring.kind"]
    assert c.get_integration(restApiId=api_id, resourceId=res, httpMethod="GET")["uri"] == invocation_uri("shaped")
    assert call(server, api_id, "GET", "/test/pets")[1]("X-Handler") == "python", "still the old deployment"
    dep = c.create_deployment(restApiId=api_id, stageName="test", description="first")
    status, header, body, _ = call(server, api_id, "GET", "/test/pets?kind=hello")
    assert status == 200 and body == b"hello" and header("X-Handler") is None
    for ops in ([{"op": "replace", "path": "/timeoutInMillis", "value": "100000"}],
                [{"op": "replace", "path": "/uri", "value": "http://example.com"}],
                [{"op": "replace", "path": "/type", "value": "HTTP_PROXY"}],
                [{"op": "add", "path": "/requestTemplates/application~1json", "value": "{}"}]):
        with pytest.raises(ClientError):
            c.update_integration(restApiId=api_id, resourceId=res, httpMethod="GET", patchOperations=ops)
    assert c.get_integration(restApiId=api_id, resourceId=res, httpMethod="GET")["timeoutInMillis"] == 5000

    d = c.update_deployment(restApiId=api_id, deploymentId=dep["id"],
                            patchOperations=[{"op": "replace", "path": "/description", "value": "second"}])
    assert d["description"] == "second" and d["id"] == dep["id"]
    assert c.get_deployment(restApiId=api_id, deploymentId=dep["id"])["description"] == "second"
    with pytest.raises(ClientError):
        c.update_deployment(restApiId=api_id, deploymentId=dep["id"],
                            patchOperations=[{"op": "replace", "path": "/canarySettings/percentTraffic", "value": "5"}])
    with pytest.raises(ClientError) as e:
        c.update_deployment(restApiId=api_id, deploymentId="nosuchdep",
                            patchOperations=[{"op": "replace", "path": "/description", "value": "x"}])
    assert e.value.response["Error"]["Code"] == "NotFoundException"
