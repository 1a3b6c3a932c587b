"""API Gateway HTTP APIs' authorizers, CORS and throttling against a real
nimbus: REQUEST Lambda authorizers (simple and IAM-policy responses, payload
2.0 and 1.0, identity sources, result caching), JWT authorizers verifying
RS256/ES256 tokens against a JWKS served from loopback, CORS preflights and
headers with curl, 429 under a burst, and AWS_IAM routes called with
botocore-signed requests (service execute-api) from both interpreters.
Managed with boto3 and the AWS CLI."""
import base64
import json
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ACCESS_KEY, Nimbus, aws_clis, client_env, python_zip, REGION
from signed_call import interpreters, signed_call
from test_apigateway_http import apigw, arn, call
from test_lambda import ROLE, lambda_client

HANDLERS = r'''
import json, os

def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json",
            "access-control-allow-origin": "https://backend.example"}, "body": json.dumps(event)}

def _count(event):
    with open(os.environ["COUNT_FILE"], "a") as f:
        f.write(json.dumps(event) + "\n")

def simple(event, context):
    _count(event)
    token = event["identitySource"][0]
    return {"isAuthorized": token == "letmein", "context": {"user": "alice", "n": 7}}

def policy(event, context):
    _count(event)
    ids = event["identitySource"]
    token = ids[0] if isinstance(ids, list) else ids.split(",")[0]  # 1.0 joins the values
    arn = event.get("routeArn") or event.get("methodArn")
    effect = "Allow" if token == "letmein" else "Deny"
    return {"principalId": "bob", "context": {"role": "admin"},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn}]}}

def broken(event, context):
    _count(event)
    return {"not": "an answer"}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("apigw-auth")
    s = Nimbus(base / "data").start()
    s.count_file = str(base / "authorizer-calls.log")
    lam = lambda_client(s.endpoint)
    code = {"ZipFile": python_zip({"app.py": HANDLERS})}
    for name in ("echo", "simple", "policy", "broken"):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=f"app.{name}", Code=code,
                            Timeout=10, Environment={"Variables": {"COUNT_FILE": s.count_file}})
    yield s
    assert s.stop() == 0, s.log_text()


def authorizer_calls(server):
    try:
        with open(server.count_file) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def invocation_uri(function):
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn(function)}/invocations"


def http_api(server, routes, payload="2.0", stage="$default", cors=None, **stage_args):
    """An API whose routes all go to the echo function; `routes` maps a route
    key to a dict of CreateRoute arguments (authorization)."""
    c = apigw(server.endpoint)
    args = dict(Name="auth", ProtocolType="HTTP")
    if cors:
        args["CorsConfiguration"] = cors
    api = c.create_api(**args)["ApiId"]
    integration = c.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=arn("echo"),
                                       PayloadFormatVersion=payload)["IntegrationId"]
    c.create_stage(ApiId=api, StageName=stage, AutoDeploy=True, **stage_args)
    for key, extra in routes.items():
        c.create_route(ApiId=api, RouteKey=key, Target="integrations/" + integration, **extra)
    return c, api


def test_request_authorizer_simple_responses_allow_deny_and_missing_identity(server):
    c = apigw(server.endpoint)
    c2, api = http_api(server, {})
    auth = c.create_authorizer(ApiId=api, Name="simple", AuthorizerType="REQUEST",
                               AuthorizerUri=invocation_uri("simple"), AuthorizerPayloadFormatVersion="2.0",
                               EnableSimpleResponses=True, IdentitySource=["$request.header.Authorization"])
    assert auth["AuthorizerResultTtlInSeconds"] == 0 and auth["EnableSimpleResponses"] is True
    assert c.get_authorizer(ApiId=api, AuthorizerId=auth["AuthorizerId"])["Name"] == "simple"
    assert [a["Name"] for a in c.get_authorizers(ApiId=api)["Items"]] == ["simple"]
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="GET /private/{id}", Target="integrations/" + integration,
                   AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])
    before = len(authorizer_calls(server))
    status, header, body, _ = call(server, api, "GET", "/private/9?q=1", headers={"Authorization": "letmein"})
    assert status == 200, body
    event = json.loads(body)
    assert event["requestContext"]["authorizer"] == {"lambda": {"user": "alice", "n": 7}}
    seen = authorizer_calls(server)[before]
    assert seen["version"] == "2.0" and seen["type"] == "REQUEST" and seen["identitySource"] == ["letmein"]
    assert seen["routeArn"] == f"arn:aws:execute-api:{REGION}:000000000000:{api}/$default/GET/private/9"
    assert seen["pathParameters"] == {"id": "9"} and seen["queryStringParameters"] == {"q": "1"}
    assert "body" not in seen and "authorizer" not in seen["requestContext"]
    status, _, body, _ = call(server, api, "GET", "/private/9", headers={"Authorization": "wrong"})
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    calls = len(authorizer_calls(server))
    status, header, body, _ = call(server, api, "GET", "/private/9")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    assert header("apigw-requestid")
    assert len(authorizer_calls(server)) == calls, "a missing identity source never invokes the authorizer"
    # The authorizer cannot go while a route uses it; routes must name a kind that fits.
    with pytest.raises(c.exceptions.ConflictException):
        c.delete_authorizer(ApiId=api, AuthorizerId=auth["AuthorizerId"])
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_route(ApiId=api, RouteKey="GET /jwt", AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    with pytest.raises(c.exceptions.BadRequestException) as e:  # AWS_IAM is the gateway's own check
        c.create_route(ApiId=api, RouteKey="GET /iam", AuthorizationType="AWS_IAM", AuthorizerId=auth["AuthorizerId"])
    assert "authorizerId" in str(e.value)


def test_request_authorizer_iam_policy_payload_1_0_and_caching(server):
    c, api = http_api(server, {}, payload="1.0", stage="prod")
    auth = c.create_authorizer(ApiId=api, Name="policy", AuthorizerType="REQUEST",
                               AuthorizerUri=invocation_uri("policy"), AuthorizerPayloadFormatVersion="1.0",
                               AuthorizerResultTtlInSeconds=300,
                               IdentitySource=["$request.querystring.token", "$context.routeKey"])
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    for key in ("GET /a", "GET /b"):
        c.create_route(ApiId=api, RouteKey=key, Target="integrations/" + integration, AuthorizationType="CUSTOM",
                       AuthorizerId=auth["AuthorizerId"])
    before = len(authorizer_calls(server))
    for _ in range(3):
        status, _, body, _ = call(server, api, "GET", "/prod/a?token=letmein")
        assert status == 200, body
    event = json.loads(body)
    assert event["requestContext"]["authorizer"] == {"role": "admin", "principalId": "bob"}
    calls = authorizer_calls(server)[before:]
    assert len(calls) == 1, "the result is cached by the identity sources' values"
    assert calls[0]["version"] == "1.0" and calls[0]["identitySource"] == "letmein,GET /a"
    assert calls[0]["methodArn"].endswith(f"{api}/prod/GET/a")
    assert call(server, api, "GET", "/prod/b?token=letmein")[0] == 200
    assert len(authorizer_calls(server)) - before == 2, "$context.routeKey in the key: one result per route"
    for _ in range(2):
        status, _, body, _ = call(server, api, "GET", "/prod/a?token=nope")
        assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    assert len(authorizer_calls(server)) - before == 3, "a deny is cached too"


def test_request_authorizer_that_answers_nonsense_is_a_500(server):
    c, api = http_api(server, {})
    auth = c.create_authorizer(ApiId=api, Name="broken", AuthorizerType="REQUEST",
                               AuthorizerUri=invocation_uri("broken"), AuthorizerPayloadFormatVersion="2.0",
                               IdentitySource=["$request.header.X-Key"])
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="$default", Target="integrations/" + integration, AuthorizationType="CUSTOM",
                   AuthorizerId=auth["AuthorizerId"])
    status, _, body, _ = call(server, api, "GET", "/x", headers={"X-Key": "k"})
    assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}


def test_authorizer_management_with_the_cli_and_its_refusals(server):
    c = apigw(server.endpoint)
    api = c.create_api(Name="mgmt-auth", ProtocolType="HTTP")["ApiId"]
    for cli in aws_clis():
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "create-authorizer",
                              "--api-id", api, "--name", f"cli-{os.path.basename(cli)}-{time.time_ns()}",
                              "--authorizer-type", "REQUEST", "--authorizer-uri", invocation_uri("simple"),
                              "--authorizer-payload-format-version", "2.0", "--enable-simple-responses",
                              "--identity-source", "$request.header.Authorization"],
                             env=client_env(), capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        created = json.loads(out.stdout)
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "update-authorizer",
                              "--api-id", api, "--authorizer-id", created["AuthorizerId"],
                              "--authorizer-result-ttl-in-seconds", "60"],
                             env=client_env(), capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["AuthorizerResultTtlInSeconds"] == 60
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "delete-authorizer",
                              "--api-id", api, "--authorizer-id", created["AuthorizerId"]],
                             env=client_env(), capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
    with pytest.raises(c.exceptions.BadRequestException):  # caching needs an identity source
        c.create_authorizer(ApiId=api, Name="x", AuthorizerType="REQUEST", AuthorizerUri=invocation_uri("simple"),
                            AuthorizerPayloadFormatVersion="2.0", AuthorizerResultTtlInSeconds=5, IdentitySource=[])
    with pytest.raises(c.exceptions.BadRequestException):  # simple responses are 2.0 only
        c.create_authorizer(ApiId=api, Name="x", AuthorizerType="REQUEST", AuthorizerUri=invocation_uri("simple"),
                            AuthorizerPayloadFormatVersion="1.0", EnableSimpleResponses=True,
                            IdentitySource=["$request.header.A"])
    with pytest.raises(c.exceptions.BadRequestException) as e:
        c.create_authorizer(ApiId=api, Name="x", AuthorizerType="REQUEST", AuthorizerUri=invocation_uri("simple"),
                            AuthorizerPayloadFormatVersion="2.0", IdentitySource=["$request.header.A"],
                            AuthorizerCredentialsArn="arn:aws:iam::000000000000:role/r")
    assert "authorizerCredentialsArn" in str(e.value)
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_authorizer(ApiId=api, Name="x", AuthorizerType="JWT", IdentitySource=["$request.header.A"])
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_authorizer(ApiId=api, AuthorizerId="nosuch")


# --- JWT authorizers ----------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """An OpenID issuer on loopback: discovery, a JWKS, and tokens signed
    with the `cryptography` module (RS256 and ES256)."""

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.published = ["rsa-1", "ec-1"]
        self.fetches = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.fetches.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys"}
                elif self.path == "/keys":
                    body = {"keys": [k for k in issuer.jwks() if k["kid"] in issuer.published]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def jwks(self):
        n = self.rsa.public_key().public_numbers()
        e = self.ec.public_key().public_numbers()
        return [{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
                 "n": b64url(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")),
                 "e": b64url(n.e.to_bytes((n.e.bit_length() + 7) // 8, "big"))},
                {"kty": "EC", "kid": "ec-1", "crv": "P-256", "alg": "ES256",
                 "x": b64url(e.x.to_bytes(32, "big")), "y": b64url(e.y.to_bytes(32, "big"))}]

    def token(self, alg="RS256", kid=None, **claims):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
        now = int(time.time())
        body = {"iss": self.url, "aud": "my-app", "sub": "user-7", "iat": now - 5, "exp": now + 300}
        body.update(claims)
        kid = kid or ("rsa-1" if alg == "RS256" else "ec-1")
        head = b64url(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
        signing_input = (head + "." + b64url(json.dumps(body).encode())).encode()
        if alg == "RS256":
            sig = self.rsa.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.ec.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode() + "." + b64url(sig)


@pytest.fixture(scope="module")
def issuer():
    pytest.importorskip("cryptography")
    i = Issuer()
    yield i
    i.httpd.shutdown()


def test_jwt_authorizer_rs256_es256_claims_scopes_and_errors(server, issuer):
    c, api = http_api(server, {})
    auth = c.create_authorizer(ApiId=api, Name="jwt", AuthorizerType="JWT",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app"]})
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="GET /me", Target="integrations/" + integration, AuthorizationType="JWT",
                   AuthorizerId=auth["AuthorizerId"])
    c.create_route(ApiId=api, RouteKey="GET /admin", Target="integrations/" + integration, AuthorizationType="JWT",
                   AuthorizerId=auth["AuthorizerId"], AuthorizationScopes=["admin", "root"])
    for alg in ("RS256", "ES256"):
        status, _, body, _ = call(server, api, "GET", "/me",
                                  headers={"Authorization": "Bearer " + issuer.token(alg, scope="read write")})
        assert status == 200, (alg, body)
        jwt = json.loads(body)["requestContext"]["authorizer"]["jwt"]
        assert jwt["claims"]["sub"] == "user-7" and jwt["claims"]["iss"] == issuer.url
        assert isinstance(jwt["claims"]["exp"], str)
        assert jwt["scopes"] == ["read", "write"]
    assert issuer.fetches.count("/keys") == 1, "the JWKS is cached"
    # A bare token works too; bad ones get 401 with API Gateway's www-authenticate.
    assert call(server, api, "GET", "/me", headers={"Authorization": issuer.token()})[0] == 200
    for token, why in ((issuer.token(exp=int(time.time()) - 10), "expired"),
                       (issuer.token(aud="someone-else"), "audience"),
                       (issuer.token(iss="http://evil.example"), "issuer"),
                       (issuer.token()[:-4] + "AAAA", "signature"),
                       ("not-a-jwt", "not a valid JWT")):
        status, header, body, _ = call(server, api, "GET", "/me", headers={"Authorization": "Bearer " + token})
        assert status == 401 and json.loads(body) == {"message": "Unauthorized"}, (why, body)
        assert "invalid_token" in header("www-authenticate") and why in header("www-authenticate"), why
    status, _, body, _ = call(server, api, "GET", "/me")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    # Scopes: one of the route's is needed, from "scope" or "scp".
    status, header, body, _ = call(server, api, "GET", "/admin",
                                   headers={"Authorization": "Bearer " + issuer.token(scope="read")})
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    assert "insufficient_scope" in header("www-authenticate")
    status, _, body, _ = call(server, api, "GET", "/admin",
                              headers={"Authorization": "Bearer " + issuer.token("ES256", scp=["root"])})
    assert status == 200, body


def test_jwt_authorizer_finds_a_rotated_key_by_its_kid(server, issuer):
    issuer.published = ["rsa-1"]  # the ES256 key is not published yet
    c, api = http_api(server, {})
    auth = c.create_authorizer(ApiId=api, Name="jwt2", AuthorizerType="JWT",
                               IdentitySource=["$request.header.X-Token"],
                               JwtConfiguration={"Issuer": issuer.url + "/", "Audience": ["my-app"]})
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="$default", Target="integrations/" + integration, AuthorizationType="JWT",
                   AuthorizerId=auth["AuthorizerId"])
    # An issuer written with a trailing slash still discovers at {issuer}/.well-known/...; the
    # token's iss must equal the configured issuer exactly.
    assert call(server, api, "GET", "/x", headers={"X-Token": issuer.token(iss=issuer.url + "/")})[0] == 200
    es256 = issuer.token("ES256", iss=issuer.url + "/")
    issuer.published = ["rsa-1", "ec-1"]
    assert call(server, api, "GET", "/x", headers={"X-Token": es256})[0] == 401, \
        "an unknown kid refetches at most once per 10 s"
    time.sleep(10.5)  # past the refetch guard of the first fetch
    status, _, body, _ = call(server, api, "GET", "/x", headers={"X-Token": es256})
    assert status == 200, body


# --- CORS ---------------------------------------------------------------------

def curl(*args):
    out = subprocess.run(["curl", "-sS", "-i", *args], capture_output=True, check=True, timeout=30)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return int(lines[0].split()[1]), headers, body


def test_cors_preflight_answered_by_the_gateway_and_headers_on_responses(server):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    c = apigw(server.endpoint)
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type", "authorization"], "ExposeHeaders": ["x-request-id"],
            "MaxAge": 600, "AllowCredentials": True}
    # The authorizer guards the route, yet the preflight never reaches it.
    _, api = http_api(server, {}, cors=cors)
    auth = c.create_authorizer(ApiId=api, Name="simple", AuthorizerType="REQUEST",
                               AuthorizerUri=invocation_uri("simple"), AuthorizerPayloadFormatVersion="2.0",
                               EnableSimpleResponses=True, IdentitySource=["$request.header.Authorization"])
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="POST /items", Target="integrations/" + integration,
                   AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])
    url = f"http://{api}.execute-api.localhost:{server.port}/items"
    before = len(authorizer_calls(server))
    status, h, body = curl("-X", "OPTIONS", url, "-H", "Origin: https://app.example",
                           "-H", "Access-Control-Request-Method: POST",
                           "-H", "Access-Control-Request-Headers: content-type,authorization")
    assert status == 204 and body == b""
    assert h["access-control-allow-origin"] == ["https://app.example"]
    assert h["access-control-allow-methods"] == ["GET,POST"]
    assert h["access-control-allow-headers"] == ["content-type,authorization"]
    assert h["access-control-max-age"] == ["600"] and h["access-control-allow-credentials"] == ["true"]
    assert len(authorizer_calls(server)) == before, "no route, no authorizer for a preflight"
    # A disallowed origin gets a 204 without CORS headers.
    status, h, _ = curl("-X", "OPTIONS", url, "-H", "Origin: https://evil.example",
                        "-H", "Access-Control-Request-Method: POST")
    assert status == 204 and "access-control-allow-origin" not in h
    # A normal response: the configured headers, the backend's own CORS header dropped.
    status, h, body = curl("-X", "POST", url, "-H", "Origin: https://app.example", "-H", "Authorization: letmein",
                           "-d", "{}")
    assert status == 200, body
    assert h["access-control-allow-origin"] == ["https://app.example"]
    assert h["access-control-expose-headers"] == ["x-request-id"]
    assert h["access-control-allow-credentials"] == ["true"]
    status, h, _ = curl("-X", "POST", url, "-H", "Authorization: letmein", "-d", "{}")
    assert status == 200 and "access-control-allow-origin" not in h, "the backend's CORS header is ignored"
    # Without a CORS configuration OPTIONS is an ordinary request (here: no route).
    _, plain = http_api(server, {"GET /x": {}})
    status, h, body = curl("-X", "OPTIONS", f"http://{plain}.execute-api.localhost:{server.port}/x",
                           "-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: GET")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}


def test_cors_configuration_is_validated(server):
    c = apigw(server.endpoint)
    with pytest.raises(c.exceptions.BadRequestException) as e:
        c.create_api(Name="bad-cors", ProtocolType="HTTP",
                     CorsConfiguration={"AllowOrigins": ["*"], "AllowCredentials": True})
    assert "allowCredentials" in str(e.value)
    api = c.create_api(Name="cors", ProtocolType="HTTP", CorsConfiguration={"AllowOrigins": ["*"]})["ApiId"]
    with pytest.raises(c.exceptions.BadRequestException):
        c.update_api(ApiId=api, CorsConfiguration={"AllowOrigins": ["*"], "AllowCredentials": True})
    with pytest.raises(c.exceptions.BadRequestException):
        c.update_api(ApiId=api, CorsConfiguration={"AllowOrigins": ["*"], "MaxAge": 100000})
    updated = c.update_api(ApiId=api, CorsConfiguration={"AllowOrigins": ["https://a.example"],
                                                         "AllowCredentials": True})
    assert updated["CorsConfiguration"]["AllowCredentials"] is True


# --- throttling ---------------------------------------------------------------

def test_throttling_gives_429_under_a_burst(server):
    c, api = http_api(server, {"GET /slow": {}, "GET /free": {}}, stage="prod",
                      DefaultRouteSettings={"ThrottlingBurstLimit": 1000, "ThrottlingRateLimit": 1000.0},
                      RouteSettings={"GET /slow": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}})
    stage = c.get_stage(ApiId=api, StageName="prod")
    assert stage["RouteSettings"]["GET /slow"]["ThrottlingBurstLimit"] == 1
    statuses = [call(server, api, "GET", "/prod/slow")[0] for _ in range(5)]
    assert statuses[0] == 200 and 429 in statuses, statuses
    status, header, body, _ = next(r for r in (call(server, api, "GET", "/prod/slow") for _ in range(5))
                                   if r[0] == 429)
    assert json.loads(body) == {"message": "Too Many Requests"} and header("apigw-requestid")
    assert all(call(server, api, "GET", "/prod/free")[0] == 200 for _ in range(5)), "other routes have their own"
    time.sleep(1.1)
    assert call(server, api, "GET", "/prod/slow")[0] == 200, "the bucket refills at the rate"
    # The CLI sets the stage default; a rate of 0 stops every request.
    for cli in aws_clis()[:1]:
        out = subprocess.run([cli, "--endpoint-url", server.endpoint, "apigatewayv2", "update-stage", "--api-id", api,
                              "--stage-name", "prod", "--default-route-settings",
                              "ThrottlingBurstLimit=0,ThrottlingRateLimit=0"],
                             env=client_env(), capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert call(server, api, "GET", "/prod/free")[0] == 429
    with pytest.raises(c.exceptions.BadRequestException):
        c.update_stage(ApiId=api, StageName="prod", DefaultRouteSettings={"LoggingLevel": "INFO"})


def test_request_authorizer_2_0_policy_with_a_stage_variable_identity(server):
    c, api = http_api(server, {}, stage="live", StageVariables={"key": "letmein"})
    auth = c.create_authorizer(ApiId=api, Name="policy2", AuthorizerType="REQUEST",
                               AuthorizerUri=invocation_uri("policy"), AuthorizerPayloadFormatVersion="2.0",
                               IdentitySource=["$stageVariables.key"])
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="ANY /{proxy+}", Target="integrations/" + integration,
                   AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])
    status, _, body, _ = call(server, api, "DELETE", "/live/a/b")
    assert status == 200, body
    assert json.loads(body)["requestContext"]["authorizer"] == {"lambda": {"role": "admin"}}
    assert authorizer_calls(server)[-1]["routeArn"].endswith(f"{api}/live/DELETE/a/b")


def test_jwt_claims_in_payload_1_0_and_an_unreachable_issuer(server, issuer):
    c, api = http_api(server, {}, payload="1.0")
    good = c.create_authorizer(ApiId=api, Name="jwt-good", AuthorizerType="JWT",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app"]})
    away = c.create_authorizer(ApiId=api, Name="jwt-away", AuthorizerType="JWT",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": "http://127.0.0.1:1", "Audience": ["my-app"]})
    integration = c.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="GET /good", Target="integrations/" + integration, AuthorizationType="JWT",
                   AuthorizerId=good["AuthorizerId"])
    c.create_route(ApiId=api, RouteKey="GET /away", Target="integrations/" + integration, AuthorizationType="JWT",
                   AuthorizerId=away["AuthorizerId"])
    token = "Bearer " + issuer.token()
    status, _, body, _ = call(server, api, "GET", "/good", headers={"Authorization": token})
    assert status == 200, body
    authorizer = json.loads(body)["requestContext"]["authorizer"]
    assert authorizer["claims"]["aud"] == "my-app" and authorizer["scopes"] is None
    started = time.time()
    status, _, body, _ = call(server, api, "GET", "/away", headers={"Authorization": token})
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    assert time.time() - started < 6


BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                 "Secret Access Key and signing method. Consult the service documentation for details.")


def test_aws_iam_routes_need_a_sigv4_signature_for_execute_api(server):
    pythons = interpreters()
    assert pythons, "no interpreter with botocore"
    c, api = http_api(server, {"POST /iam/{id}": {"AuthorizationType": "AWS_IAM"}, "GET /open": {}}, stage="prod")
    routes = {r["RouteKey"]: r for r in c.get_routes(ApiId=api)["Items"]}
    assert routes["POST /iam/{id}"]["AuthorizationType"] == "AWS_IAM" and "AuthorizerId" not in routes["POST /iam/{id}"]
    host = f"{api}.execute-api.localhost:{server.port}"
    for py in pythons:
        status, headers, body = signed_call(py, server.port, host, "POST", "/prod/iam/7?x=1", '{"a": 1}')
        assert status == 200, (py, body)
        event = json.loads(body)
        assert event["requestContext"]["authorizer"] == {"iam": {
            "accessKey": ACCESS_KEY, "accountId": "000000000000", "callerId": ACCESS_KEY, "cognitoIdentity": None,
            "principalOrgId": None, "userArn": f"arn:aws:iam::000000000000:user/{ACCESS_KEY}", "userId": ACCESS_KEY}}
        assert event["body"] == '{"a": 1}' and event["pathParameters"] == {"id": "7"}
        assert event["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=test/")
        # The path forms verify against the path the client signed.
        status, _, body = signed_call(py, server.port, f"localhost:{server.port}", "POST",
                                      f"/_aws/execute-api/{api}/prod/iam/8", "x")
        assert status == 200, (py, body)
        assert json.loads(body)["rawPath"] == "/prod/iam/8"
        status, headers, body = signed_call(py, server.port, host, "POST", "/prod/iam/7", "x", secret="wrong")
        assert status == 403 and json.loads(body) == {"message": BAD_SIGNATURE}, body
        assert headers["apigw-requestid"]
        status, _, body = signed_call(py, server.port, host, "POST", "/prod/iam/7", "x", access="AKIDUNKNOWN")
        assert status == 403
        assert json.loads(body) == {"message": "The security token included in the request is invalid."}
        # A signature for the body sent, not another.
        status, _, body = signed_call(py, server.port, host, "GET", "/prod/open", "")
        assert status == 200, "a signed request to an open route is fine"
    status, header, body, _ = call(server, api, "POST", "/prod/iam/7", body=b"x")
    assert status == 403 and json.loads(body) == {"message": "Forbidden"} and header("apigw-requestid")
    # Signed for another service: refused.
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="POST", url=f"http://{host}/prod/iam/7", data=b"x")
    SigV4Auth(Credentials(ACCESS_KEY, "test"), "lambda", REGION).add_auth(req)
    status, _, body, _ = call(server, api, "POST", "/prod/iam/7", body=b"x", headers=dict(req.headers.items()))
    assert status == 403 and "execute-api" in json.loads(body)["message"]


def test_aws_iam_route_payload_1_0_identity_and_session_credentials(server):
    import boto3
    c, api = http_api(server, {"GET /who": {"AuthorizationType": "AWS_IAM"}}, payload="1.0")
    host = f"{api}.execute-api.localhost:{server.port}"
    sts = boto3.client("sts", endpoint_url=server.endpoint, aws_access_key_id=ACCESS_KEY,
                       aws_secret_access_key="test", region_name=REGION)
    creds = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/caller", RoleSessionName="e2e")["Credentials"]
    for py in interpreters():
        status, _, body = signed_call(py, server.port, host, "GET", "/who", "")
        assert status == 200, body
        identity = json.loads(body)["requestContext"]["identity"]
        assert identity["accessKey"] == ACCESS_KEY and identity["accountId"] == "000000000000"
        assert identity["caller"] == ACCESS_KEY and identity["user"] == ACCESS_KEY
        assert identity["userArn"] == f"arn:aws:iam::000000000000:user/{ACCESS_KEY}"
        assert identity["cognitoIdentityId"] is None and identity["sourceIp"] == "127.0.0.1"
        status, _, body = signed_call(py, server.port, host, "GET", "/who", "", access=creds["AccessKeyId"],
                                      secret=creds["SecretAccessKey"], token=creds["SessionToken"])
        assert status == 200, body
        identity = json.loads(body)["requestContext"]["identity"]
        assert identity["accessKey"] == creds["AccessKeyId"]
        assert identity["userArn"] == "arn:aws:sts::000000000000:assumed-role/caller/e2e"
        assert identity["caller"].startswith("AROA") and identity["caller"].endswith(":e2e")
        status, _, body = signed_call(py, server.port, host, "GET", "/who", "", access=creds["AccessKeyId"],
                                      secret=creds["SecretAccessKey"])
        assert status == 403, "session credentials without their token"
