"""Terraform against nimbus's API Gateway (issue 13): the configuration in
terraform/apigateway/ (a Python echo function behind an HTTP API with CORS, a
REQUEST Lambda authorizer, two routes and a throttled stage with variables,
and behind a REST API with a {proxy+} resource, an API key in a usage plan and
method throttling) applies, its invoke URLs answer, a second plan finds
nothing to change, the resources are there as boto3 sees them, and destroy
removes every one of them.

The provider builds both stages' invoke_url itself, as on AWS
(https://ID.execute-api.us-east-1.amazonaws.com/STAGE): nimbus serves that
host name over plain http on its own port, so the test sends the URL as
Terraform reports it, with http:// and curl's --connect-to pointing at nimbus
(docs/apigateway.md, "Terraform"). The HTTP API's api_endpoint is nimbus's own
(http://ID.execute-api.localhost:PORT) and is called as is.

Offline, as test_terraform.py: the provider comes from the filesystem mirror
and every endpoint points at nimbus; it skips where either is missing.
"""
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import Nimbus, python_zip, ACCESS_KEY, SECRET_KEY, REGION
from test_lambda import lambda_client
from test_terraform import Terraform

CONFIG = Path(__file__).resolve().parent / "terraform" / "apigateway" / "main.tf"
API_KEY = "tf-client-key-0123456789abcdef"  # the aws_api_gateway_api_key's value in main.tf

HANDLERS = r'''
import json


def echo(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


def authorize(event, context):
    return {"isAuthorized": event.get("headers", {}).get("x-token") == "letmein", "context": {"who": "terraform"}}
'''


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION,
                        config=Config(retries={"max_attempts": 0}))


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def curl(server, url, *args):
    """(status, headers as a lower-case dict, body) of `url` sent to nimbus whatever its host says:
    an https:// URL as Terraform reports it goes over http to nimbus's port, its Host kept."""
    parts = urlsplit(url)
    plain = url.replace("https://", "http://", 1)
    r = subprocess.run(["curl", "-s", "-i", "--max-time", "30", "--connect-to",
                        f"{parts.hostname}:{parts.port or 80}:127.0.0.1:{server.port}", plain, *args],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body.decode()


def check_http_api(server, out, v2):
    url = out["http_invoke_url"]
    api_id = out["http_api_id"]
    assert url == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/prod"
    assert out["http_api_endpoint"] == f"http://{api_id}.execute-api.localhost:{server.port}"

    # The authorized route, with its path parameter, stage variables and the authorizer's context.
    status, _, body = curl(server, url + "/items/42", "-H", "x-token: letmein")
    assert status == 200, body
    event = json.loads(body)
    assert event["routeKey"] == "GET /items/{id}" and event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"colour": "blue"}
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["authorizer"] == {"lambda": {"who": "terraform"}}
    status, _, body = curl(server, url + "/items/42")
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    status, _, body = curl(server, url + "/items/42", "-H", "x-token: wrong")
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    # $default takes the rest; nimbus's own endpoint serves the same API.
    status, _, body = curl(server, out["http_api_endpoint"] + "/prod/anything?x=1", "-X", "POST", "-d", "hi")
    assert status == 200, body
    assert json.loads(body)["routeKey"] == "$default"
    # The gateway answers CORS preflights itself.
    status, headers, _ = curl(server, url + "/items/42", "-X", "OPTIONS", "-H", "Origin: https://app.example.com",
                              "-H", "Access-Control-Request-Method: GET")
    assert status == 204 and headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-max-age"] == "300"

    api = v2.get_api(ApiId=api_id)
    assert api["Name"] == "tf-http-api" and api["Tags"] == {"project": "nimbus-e2e"}
    assert sorted(api["CorsConfiguration"]["AllowMethods"]) == ["GET", "POST"]
    assert sorted(r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]) == ["$default", "GET /items/{id}"]
    [integration] = v2.get_integrations(ApiId=api_id)["Items"]
    assert integration["PayloadFormatVersion"] == "2.0" and integration["TimeoutInMillis"] == 10000
    [authorizer] = v2.get_authorizers(ApiId=api_id)["Items"]
    assert authorizer["AuthorizerType"] == "REQUEST" and authorizer["EnableSimpleResponses"] is True
    stage = v2.get_stage(ApiId=api_id, StageName="prod")
    assert stage["AutoDeploy"] is True and stage["StageVariables"] == {"colour": "blue"}
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 50
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 100


def check_rest_api(server, out, v1):
    url = out["rest_invoke_url"]
    api_id = out["rest_api_id"]
    assert url == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/test"

    status, _, body = curl(server, url + "/some/path?x=1")
    assert status == 200, body
    event = json.loads(body)
    assert event["resource"] == "/{proxy+}" and event["pathParameters"] == {"proxy": "some/path"}
    assert event["stageVariables"] == {"colour": "green"} and event["requestContext"]["stage"] == "test"
    # The method with api_key_required takes the key of the usage plan.
    status, _, body = curl(server, url + "/keyed")
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    status, _, body = curl(server, url + "/keyed", "-H", f"x-api-key: {API_KEY}")
    assert status == 200, body
    assert json.loads(body)["requestContext"]["identity"]["apiKeyId"] == out["api_key_id"]

    stage = v1.get_stage(restApiId=api_id, stageName="test")
    assert stage["variables"] == {"colour": "green"} and stage["tags"] == {"project": "nimbus-e2e"}
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 40
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 80
    plan = v1.get_usage_plan(usagePlanId=out["usage_plan_id"])
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "test"}]
    assert plan["throttle"] == {"burstLimit": 20, "rateLimit": 10.0}
    assert (plan["quota"]["limit"], plan["quota"]["period"]) == (1000, "DAY")
    [key] = v1.get_usage_plan_keys(usagePlanId=out["usage_plan_id"])["items"]
    assert key["id"] == out["api_key_id"] and key["type"] == "API_KEY"


def check_destroyed(v1, v2, lam):
    assert v2.get_apis()["Items"] == []
    assert v1.get_rest_apis()["items"] == []
    assert v1.get_api_keys()["items"] == []
    assert v1.get_usage_plans()["items"] == []
    for name in ("tf-api-echo", "tf-api-authorizer"):
        with pytest.raises(ClientError) as e:
            lam.get_function(FunctionName=name)
        assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_apply_invoke_plan_clean_destroy(server, tmp_path):
    v1 = client("apigateway", server.endpoint)
    v2 = client("apigatewayv2", server.endpoint)
    lam = lambda_client(server.endpoint)
    work = tmp_path / "tf"
    work.mkdir()
    shutil.copy(CONFIG, work / "main.tf")
    (work / "function.zip").write_bytes(python_zip({"app.py": HANDLERS}))

    tf = Terraform(work, server.endpoint)
    tf.run("init", "-input=false")
    tf.run("apply", "-auto-approve", "-input=false")
    out = {k: v["value"] for k, v in json.loads(tf.run("output", "-json").stdout).items()}

    check_http_api(server, out, v2)
    check_rest_api(server, out, v1)

    plan = tf.run("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
    assert plan.returncode == 0, "a second plan wants changes:\n" + plan.stdout[-8000:]

    tf.run("destroy", "-auto-approve", "-input=false")
    check_destroyed(v1, v2, lam)
    assert tf.run("state", "list").stdout.strip() == ""
