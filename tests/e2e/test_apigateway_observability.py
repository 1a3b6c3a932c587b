"""API Gateway HTTP APIs observed: per-stage access logs in the log store
(read back with `aws logs filter-log-events`), metrics per API, stage,
route and status on /metrics, and one trace from the gateway's request to
the function it invokes (`nimbus trace`), with X-Amzn-Trace-Id passed on
and returned."""
import json
import re
import subprocess
import time
import urllib.request

import pytest

from conftest import Nimbus, client_env, nimbus_bin, python_zip, REGION
from test_apigateway_http import apigw, arn, call
from test_lambda import ROLE, lambda_client

HANDLERS = r'''
import json

def echo(event, context):
    q = event.get("queryStringParameters") or {}
    if q.get("kind") == "raise":
        raise RuntimeError("handler failed")
    return {"statusCode": 201, "headers": {"content-type": "application/json"},
            "body": json.dumps({"trace": event["headers"].get("x-amzn-trace-id")})}
'''

GROUP = "/aws/apigateway/access"
GROUP_ARN = f"arn:aws:logs:{REGION}:000000000000:log-group:{GROUP}"
FORMAT = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
          '"path":"$context.path","routeKey":"$context.routeKey","status":"$context.status",'
          '"protocol":"$context.protocol","length":"$context.responseLength","stage":"$context.stage",'
          '"apiId":"$context.apiId","integrationStatus":"$context.integrationStatus",'
          '"functionStatus":"$context.integration.status","integrationLatency":"$context.integrationLatency",'
          '"error":"$context.error.message","integrationError":"$context.integrationErrorMessage",'
          '"userAgent":"$context.identity.userAgent","caller":"$context.identity.caller",'
          '"epoch":"$context.requestTimeEpoch"}')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("apigw-obs") / "data").start()
    lambda_client(s.endpoint).create_function(
        FunctionName="obs", Runtime="python3.11", Role=ROLE, Handler="app.echo",
        Code={"ZipFile": python_zip({"app.py": HANDLERS})}, Timeout=10)
    yield s
    assert s.stop() == 0, s.log_text()


def aws(server, *args, check=True):
    out = subprocess.run(["aws", "--endpoint-url", server.endpoint, *args], env=client_env(),
                         capture_output=True, text=True, timeout=60)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def make_api(server, stage="prod"):
    c = apigw(server.endpoint)
    api = c.create_api(Name="observed", ProtocolType="HTTP")["ApiId"]
    integration = c.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=arn("obs"),
                                       PayloadFormatVersion="2.0")["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="GET /items/{id}", Target="integrations/" + integration)
    c.create_stage(ApiId=api, StageName=stage, AutoDeploy=True)
    return api


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got or time.time() > deadline:
            return got
        time.sleep(0.2)


def test_access_log_lines_with_the_cli(server):
    api = make_api(server)
    aws(server, "logs", "create-log-group", "--log-group-name", GROUP)
    out = aws(server, "apigatewayv2", "update-stage", "--api-id", api, "--stage-name", "prod",
              "--access-log-settings", json.dumps({"DestinationArn": GROUP_ARN, "Format": FORMAT}))
    assert json.loads(out.stdout)["AccessLogSettings"] == {"DestinationArn": GROUP_ARN, "Format": FORMAT}
    got = json.loads(aws(server, "apigatewayv2", "get-stage", "--api-id", api, "--stage-name", "prod").stdout)
    assert got["AccessLogSettings"]["Format"] == FORMAT

    ok = call(server, api, "GET", "/prod/items/7", headers={"User-Agent": "obs-test/1"})
    missing = call(server, api, "GET", "/prod/nothing/here")
    failed = call(server, api, "GET", "/prod/items/8?kind=raise")
    assert (ok[0], missing[0], failed[0]) == (201, 404, 500)
    ids = [r[1]("apigw-requestid") for r in (ok, missing, failed)]

    def lines():
        out = aws(server, "logs", "filter-log-events", "--log-group-name", GROUP)
        events = json.loads(out.stdout)["events"]
        return events if len(events) >= 3 else None

    events = wait_for(lines)
    assert events and len(events) == 3, events
    assert {e["logStreamName"] for e in events} == {f"{api}_prod"}
    by_id = {json.loads(e["message"])["requestId"]: json.loads(e["message"]) for e in events}
    first = by_id[ids[0]]
    assert first["method"] == "GET" and first["path"] == "/prod/items/7"
    assert first["routeKey"] == "GET /items/{id}" and first["status"] == "201" and first["stage"] == "prod"
    assert first["apiId"] == api and first["protocol"] == "HTTP/1.1" and first["ip"] == "127.0.0.1"
    assert first["integrationStatus"] == "200" and first["functionStatus"] == "201"
    assert first["length"] == str(len(ok[2])) and first["userAgent"] == "obs-test/1"
    assert first["integrationLatency"].isdigit() and first["error"] == "-" and first["caller"] == "-"
    assert abs(int(first["epoch"]) - time.time() * 1000) < 60000
    second = by_id[ids[1]]
    assert second["status"] == "404" and second["routeKey"] == "-" and second["error"] == "Not Found"
    assert second["integrationStatus"] == "-" and second["integrationLatency"] == "-"
    third = by_id[ids[2]]
    assert third["status"] == "500" and third["error"] == "Internal Server Error"
    assert third["integrationStatus"] == "200" and "handler failed" in third["integrationError"]

    # A filter pattern finds one request's line; deleting the settings stops logging.
    out = aws(server, "logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", f'"{ids[1]}"')
    assert len(json.loads(out.stdout)["events"]) == 1
    aws(server, "apigatewayv2", "delete-access-log-settings", "--api-id", api, "--stage-name", "prod")
    got = json.loads(aws(server, "apigatewayv2", "get-stage", "--api-id", api, "--stage-name", "prod").stdout)
    assert "AccessLogSettings" not in got
    call(server, api, "GET", "/prod/items/9")
    time.sleep(0.5)
    assert len(json.loads(aws(server, "logs", "filter-log-events", "--log-group-name", GROUP).stdout)["events"]) == 3


def test_bad_access_log_settings_are_refused(server):
    c = apigw(server.endpoint)
    api = c.create_api(Name="refused", ProtocolType="HTTP")["ApiId"]
    for settings, word in (({"DestinationArn": GROUP_ARN, "Format": "$context.status"}, "$context.requestId"),
                           ({"DestinationArn": "my-group", "Format": "$context.requestId"}, "destinationArn"),
                           ({"DestinationArn": GROUP_ARN}, "format")):
        with pytest.raises(c.exceptions.BadRequestException) as e:
            c.create_stage(ApiId=api, StageName="s", AccessLogSettings=settings)
        assert word in str(e.value)
    out = aws(server, "apigatewayv2", "create-stage", "--api-id", api, "--stage-name", "s", "--access-log-settings",
              json.dumps({"DestinationArn": f"arn:aws:firehose:{REGION}:000000000000:deliverystream/amazon-apigateway-x",
                          "Format": "$context.requestId"}), check=False)
    assert out.returncode != 0 and "Firehose" in out.stderr


def test_metrics_per_api_stage_route_and_status(server):
    api = make_api(server, stage="m")
    for path in ("/m/items/1", "/m/items/2", "/m/none", "/m/items/3?kind=raise"):
        call(server, api, "GET", path)
    text = urllib.request.urlopen(server.endpoint + "/metrics", timeout=10).read().decode()
    where = f'api="{api}",stage="m",route="GET /items/{{id}}"'
    assert f'nimbus_apigateway_requests_total{{{where},status="201"}} 2' in text
    assert f'nimbus_apigateway_requests_total{{{where},status="500"}} 1' in text
    assert f'nimbus_apigateway_requests_total{{api="{api}",stage="m",route="-",status="404"}} 1' in text
    assert f'nimbus_apigateway_4xx_total{{api="{api}",stage="m",route="-"}} 1' in text
    assert f'nimbus_apigateway_5xx_total{{{where}}} 1' in text
    assert f'nimbus_apigateway_latency_seconds_count{{{where}}} 3' in text
    assert f'nimbus_apigateway_integration_latency_seconds_count{{{where}}} 3' in text
    assert 'nimbus_requests_total{service="execute-api",operation="GET /items/{id}"' in text
    call(server, "nosuchapi1", "GET", "/x")
    text = urllib.request.urlopen(server.endpoint + "/metrics", timeout=10).read().decode()
    assert 'nimbus_apigateway_requests_total{api="nosuchapi1",stage="-",route="-",status="404"} 1' in text


def nimbus_cli(server, *args):
    env = dict(client_env(), NIMBUS_ENDPOINT=server.endpoint)
    return subprocess.run([nimbus_bin(), *args], env=env, capture_output=True, text=True, timeout=30)


def test_one_trace_from_the_gateway_to_the_function(server):
    api = make_api(server, stage="t")
    root = "1-5759e988-bd862e3fe1be46a994272793"
    status, header, body, _ = call(server, api, "GET", "/t/items/1",
                                   headers={"X-Amzn-Trace-Id": f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1"})
    assert status == 201
    assert header("x-amzn-trace-id") == f"Root={root};Sampled=1"
    seen = json.loads(body)["trace"]  # what the function got in its event's headers
    m = re.match(rf"Root={root};Parent=([0-9a-f]{{16}});Sampled=1$", seen)
    assert m, seen

    def timeline():
        shown = nimbus_cli(server, "trace", root)
        return shown.stdout if shown.returncode == 0 and "lambda Invoke obs" in shown.stdout else None

    out = wait_for(timeline)
    assert out, nimbus_cli(server, "trace", root)
    lines = out.splitlines()
    gw = next(l for l in lines if "execute-api GET /items/{id}" in l)
    fn = next(l for l in lines if "lambda Invoke obs" in l)
    indent = lambda l: len(l.split(" ms  ", 1)[1]) - len(l.split(" ms  ", 1)[1].lstrip())
    assert indent(fn) == indent(gw) + 2 and lines.index(gw) < lines.index(fn)
    assert "201" in gw

    # Without a trace header the gateway starts one, and still answers with it.
    status, header, body, _ = call(server, api, "GET", "/t/items/2")
    started = re.match(r"Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Sampled=1$", header("x-amzn-trace-id"))
    assert started and json.loads(body)["trace"].startswith(f"Root={started.group(1)};Parent=")
