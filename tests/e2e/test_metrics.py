"""GET /metrics: Prometheus text whose counters move by exactly what was done."""
import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client
from test_lambda import create, invoke, lambda_client, wait_for

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape(endpoint, path="/metrics"):
    with urllib.request.urlopen(endpoint + path, timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = r.read().decode()
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        m = LINE.match(line)
        assert m, f"not exposition format: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples, types


def value(samples, name, **labels):
    key = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    return samples.get(key, 0.0)


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--async-retry-delays-ms", "10", "10"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_function_counters_move_by_exactly_the_invocations_made(server):
    lam = lambda_client(server.endpoint)
    create(lam, "counted", Timeout=1)
    before, types = scrape(server.endpoint)
    assert types["nimbus_function_invocations_total"] == "counter"
    assert types["nimbus_function_duration_seconds"] == "histogram"
    for _ in range(5):
        invoke(lam, "counted", {"action": "ok"})
    for _ in range(2):
        r, _ = invoke(lam, "counted", {"action": "error"})
        assert r["FunctionError"] == "Unhandled"
    r, _ = invoke(lam, "counted", {"action": "sleep", "ms": 3000})
    assert r["FunctionError"] == "Unhandled"  # timed out after 1 s: the instance is replaced
    invoke(lam, "counted", {"action": "ok"})
    lam.put_function_concurrency(FunctionName="counted", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError):
        invoke(lam, "counted", {"action": "ok"})
    after, _ = scrape(server.endpoint)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("nimbus_function_invocations_total", function="counted") == 9
    assert delta("nimbus_function_errors_total", function="counted") == 3
    assert delta("nimbus_function_timeouts_total", function="counted") == 1
    assert delta("nimbus_function_throttles_total", function="counted") == 1
    assert delta("nimbus_function_cold_starts_total", function="counted") == 2  # first, and after the timeout
    assert value(after, "nimbus_function_duration_seconds_count", function="counted") == 9
    assert value(after, "nimbus_function_duration_seconds_bucket", function="counted", le="+Inf") == 9
    assert value(after, "nimbus_function_duration_seconds_sum", function="counted") >= 1.0  # the timeout
    assert value(after, "nimbus_function_init_duration_seconds_count", function="counted") == 2
    assert sum(value(after, "nimbus_function_instances", function="counted", state=state)
               for state in ("starting", "idle", "busy")) == 1
    assert value(after, "nimbus_function_concurrent_executions", function="counted") == 0
    assert value(after, "nimbus_http_open_connections") >= 1


def test_s3_requests_and_bytes(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="measured")
    before, _ = scrape(server.endpoint)
    for i in range(3):
        s3.put_object(Bucket="measured", Key=f"k{i}", Body=b"x" * 1000)
    assert s3.get_object(Bucket="measured", Key="k0")["Body"].read() == b"x" * 1000
    with pytest.raises(ClientError):
        s3.get_object(Bucket="measured", Key="missing")
    after, _ = scrape(server.endpoint, "/_nimbus/metrics")

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("nimbus_s3_requests_total", operation="PutObject", status="200") == 3
    assert delta("nimbus_s3_requests_total", operation="GetObject", status="200") == 1
    assert delta("nimbus_s3_requests_total", operation="GetObject", status="404") == 1
    assert delta("nimbus_s3_received_bytes_total", operation="PutObject") == 3000
    assert delta("nimbus_s3_sent_bytes_total", operation="GetObject") >= 1000
    assert value(after, "nimbus_s3_request_duration_seconds_count", operation="PutObject") == 3


def test_async_queue_depth_and_dead_letters(server):
    lam = lambda_client(server.endpoint)
    create(lam, "doomed")
    lam.put_function_event_invoke_config(FunctionName="doomed", MaximumRetryAttempts=1)
    for _ in range(2):
        lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=json.dumps({"action": "error"}).encode())
    wait_for(lambda: value(scrape(server.endpoint)[0], "nimbus_async_dead_letters_total", function="doomed") == 2,
             what="two dead letters")
    samples, _ = scrape(server.endpoint)
    assert value(samples, "nimbus_async_events", function="doomed", state="dead") == 2
    assert value(samples, "nimbus_async_events", function="doomed", state="pending") == 0
    assert value(samples, "nimbus_function_invocations_total", function="doomed") == 4  # two tries each
    assert value(samples, "nimbus_async_oldest_event_age_seconds", function="doomed") == 0


def test_a_bucket_named_metrics_is_still_a_bucket(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="metrics")
    s3.put_object(Bucket="metrics", Key="k", Body=b"v")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="metrics")["Contents"]] == ["k"]
    assert "nimbus_s3_requests_total" in urllib.request.urlopen(server.endpoint + "/metrics").read().decode()


def test_nimbus_status(server):
    import subprocess
    from conftest import client_env, nimbus_bin
    lam = lambda_client(server.endpoint)
    create(lam, "steady")
    create(lam, "shaky")
    invoke(lam, "steady", {"action": "ok"})
    invoke(lam, "shaky", {"action": "error"})
    lam.put_function_event_invoke_config(FunctionName="shaky", MaximumRetryAttempts=0)
    lam.invoke(FunctionName="shaky", InvocationType="Event", Payload=json.dumps({"action": "error"}).encode())
    wait_for(lambda: value(scrape(server.endpoint)[0], "nimbus_async_dead_letters_total", function="shaky") == 1,
             what="the dead letter")
    env = dict(client_env(), NIMBUS_ENDPOINT=server.endpoint)
    r = subprocess.run([nimbus_bin(), "status"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("nimbus 0.1.0, up ")
    assert lines[1].startswith("isolation: own session") and "not active:" in lines[2]
    assert lines[3].startswith("storage: ") and " GiB free of " in lines[3]
    steady = next(l.split() for l in lines if l.startswith("steady "))
    shaky = next(l for l in lines if l.startswith("shaky "))
    assert steady[1:8] == ["provided.al2023", "0", "1", "0", "0", "0", "0"]  # one warm instance, nothing queued
    assert shaky.split()[7] == "1"  # one dead letter
    assert "BadThing: misbehave failed as asked" in shaky


def test_metrics_behind_credentials(tmp_path):
    import base64
    import urllib.error
    import urllib.request
    s = Nimbus(tmp_path / "data", ["--metrics-auth"]).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(s.endpoint + "/metrics")
        assert e.value.code == 401 and "Basic" in e.value.headers["WWW-Authenticate"]
        wrong = urllib.request.Request(s.endpoint + "/metrics",
                                       headers={"Authorization": "Basic " + base64.b64encode(b"test:nope").decode()})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(wrong)
        assert e.value.code == 401
        right = urllib.request.Request(s.endpoint + "/metrics",
                                       headers={"Authorization": "Basic " + base64.b64encode(b"test:test").decode()})
        assert "nimbus_process_start_time_seconds" in urllib.request.urlopen(right).read().decode()
    finally:
        assert s.stop() == 0
