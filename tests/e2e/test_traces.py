"""Traces: an upload, the function it triggers and the function that one
calls share one trace id; `nimbus trace` shows the chain; incoming X-Ray and
W3C headers are honoured; spans go to an OTLP collector when asked."""
import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import Nimbus, boto3_client, client_env, nimbus_bin, python_zip, run_aws
from test_lambda import ROLE, lambda_client, wait_for

APP = r'''
import json, os, urllib.parse
import boto3

def first(event, context):
    record = event["Records"][0]["s3"]
    bucket, key = record["bucket"]["name"], urllib.parse.unquote_plus(record["object"]["key"])
    answer = boto3.client("lambda").invoke(FunctionName="second", Payload=json.dumps({"key": key}).encode())
    body = json.loads(answer["Payload"].read())
    boto3.client("s3").put_object(Bucket=bucket, Key="out/" + key.split("/", 1)[1],
                                  Body=json.dumps({"trace": os.environ["_X_AMZN_TRACE_ID"], "second": body}))

def second(event, context):
    return {"seen": event["key"], "trace": os.environ["_X_AMZN_TRACE_ID"]}
'''


def package():
    return python_zip({"app.py": APP})


@pytest.fixture
def server(nimbus):
    return nimbus


def nimbus_cli(server, *args):
    env = dict(client_env(), NIMBUS_ENDPOINT=server.endpoint)
    return subprocess.run([nimbus_bin(), *args], env=env, capture_output=True, text=True, timeout=30)


def test_upload_function_function_is_one_trace(server, tmp_path):
    lam = lambda_client(server.endpoint)
    for name in ("first", "second"):
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=f"app.{name}",
                            Code={"ZipFile": package()}, Timeout=30, MemorySize=256)
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="traced")
    s3.put_bucket_notification_configuration(Bucket="traced", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:first",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    (tmp_path / "a.txt").write_text("hello")
    run_aws(server.endpoint, "s3", "cp", str(tmp_path / "a.txt"), "s3://traced/in/a.txt")

    def written():
        try:
            return json.loads(s3.get_object(Bucket="traced", Key="out/a.txt")["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    wait_for(written, timeout=30, what="the chain's output")
    out = written()
    root = re.match(r"Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=1$", out["trace"])
    assert root, out
    assert out["second"]["seen"] == "in/a.txt"
    assert out["second"]["trace"].startswith(f"Root={root.group(1)};Parent=")  # the same trace, one hop further
    assert out["second"]["trace"] != out["trace"]

    listed = nimbus_cli(server, "trace")
    assert listed.returncode == 0, listed.stderr
    assert root.group(1) in listed.stdout and "s3 PutObject traced/in/a.txt" in listed.stdout

    def timeline():
        shown = nimbus_cli(server, "trace", root.group(1))
        return shown.stdout if shown.returncode == 0 and "lambda Invoke first" in shown.stdout and \
            shown.stdout.count("s3 PutObject") == 2 else None

    wait_for(timeline, what="the whole trace")
    lines = timeline().splitlines()
    assert lines[0].startswith(f"trace {root.group(1)}")

    def indent(text):
        line = next(l for l in lines if text in l)
        return len(line.split(" ms  ", 1)[1]) - len(line.split(" ms  ", 1)[1].lstrip())

    assert indent("s3 PutObject traced/in/a.txt") == 0
    assert indent("lambda Invoke first") == 2 and "cold start" in next(l for l in lines if "Invoke first" in l)
    assert indent("lambda Invoke second") == 4
    assert indent("s3 PutObject traced/out/a.txt") == 4
    order = [next(i for i, l in enumerate(lines) if t in l) for t in
             ("PutObject traced/in/a.txt", "Invoke first", "Invoke second", "PutObject traced/out/a.txt")]
    assert order == sorted(order)
    assert nimbus_cli(server, "trace", "1-00000000-000000000000000000000000").returncode == 1


def test_incoming_xray_and_w3c_headers_are_honoured(server):
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="second", Runtime="python3.11", Role=ROLE, Handler="app.second",
                        Code={"ZipFile": package()}, Timeout=30)

    def with_header(name, value):
        def add(request, **kwargs):
            request.headers[name] = value
        client = lambda_client(server.endpoint)
        client.meta.events.register("before-sign.lambda.Invoke", add)
        return json.loads(client.invoke(FunctionName="second", Payload=b'{"key": "k"}')["Payload"].read())

    got = with_header("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    assert got["trace"].startswith("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=")
    got = with_header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    assert got["trace"].startswith("Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=")

    shown = nimbus_cli(server, "trace", "1-4bf92f35-77b34da6a3ce929d0e0e4736")
    assert shown.returncode == 0 and "lambda Invoke second" in shown.stdout, shown.stderr
    spans = json.loads(subprocess.run(
        ["curl", "-s", server.endpoint + "/_nimbus/health"], capture_output=True, text=True).stdout)
    assert spans["status"] == "running"


class Collector(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_spans_are_exported_to_an_otlp_collector(tmp_path):
    collector = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    server = Nimbus(tmp_path / "data", ["--otlp-endpoint", f"http://127.0.0.1:{collector.server_port}"]).start()
    try:
        lam = lambda_client(server.endpoint)
        lam.create_function(FunctionName="second", Runtime="python3.11", Role=ROLE, Handler="app.second",
                            Code={"ZipFile": package()}, Timeout=30)
        got = json.loads(lam.invoke(FunctionName="second", Payload=b'{"key": "k"}')["Payload"].read())
        root = re.match(r"Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16})", got["trace"])

        def exported():
            for path, content_type, body in Collector.received:
                for rs in body["resourceSpans"]:
                    for ss in rs["scopeSpans"]:
                        for span in ss["spans"]:
                            if span["traceId"] == root.group(1) + root.group(2):
                                return path, content_type, rs, span
            return None

        wait_for(exported, timeout=15, what="the span at the collector")
        path, content_type, resource_spans, span = exported()
        assert path == "/v1/traces" and content_type == "application/json"
        assert {"key": "service.name", "value": {"stringValue": "nimbus"}} in resource_spans["resource"]["attributes"]
        assert span["spanId"] == root.group(3) and span["name"] == "lambda Invoke"
        assert int(span["endTimeUnixNano"]) > int(span["startTimeUnixNano"]) > 0
        assert {"key": "faas.coldstart", "value": {"boolValue": True}} in span["attributes"]
    finally:
        assert server.stop() == 0, server.log_text()
        collector.shutdown()
