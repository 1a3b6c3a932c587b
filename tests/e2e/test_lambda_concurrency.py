"""Concurrency counts invocations in flight, as Lambda's does (issue 12): idle
warm instances never throttle an invocation; they are reclaimed, least
recently used first, when a new instance needs their place."""
import concurrent.futures
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, run_aws
from test_lambda import bootstrap_pids, create, invoke, lambda_client, wait_for


@pytest.fixture
def small_server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--keep-alive-ms", "600000", "--max-instances", "4"]).start()
    yield s
    assert s.stop() == 0, s.log_text()


def burst(lam, name, n, **kw):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(lambda _: invoke(lambda_client(lam.meta.endpoint_url), name,
                                                 {"action": "sleep", "ms": 700}, **kw), range(n)))
    assert all(r["StatusCode"] == 200 and "FunctionError" not in r for r, _ in results)


def test_idle_instances_of_a_burst_do_not_throttle_other_functions(small_server, tmp_path):
    lam = lambda_client(small_server.endpoint)
    create(lam, "bursty", Timeout=10)
    burst(lam, "bursty", 4)  # the server's whole instance limit, idle now for ten minutes
    assert len(bootstrap_pids("bursty")) == 4
    create(lam, "newcomer")
    r, body = invoke(lam, "newcomer", {"action": "ok"})
    assert r["StatusCode"] == 200 and json.loads(body)["ok"] is True
    # The AWS CLI too, for a third function.
    create(lam, "third")
    out = tmp_path / "out.json"
    cli = json.loads(run_aws(small_server.endpoint, "lambda", "invoke", "--function-name", "third",
                             "--cli-binary-format", "raw-in-base64-out", "--payload", '{"action":"ok"}',
                             str(out)).stdout)
    assert cli["StatusCode"] == 200 and json.loads(out.read_text())["ok"] is True
    # Two idle instances of the burst were reclaimed (killed at once, gone a moment later).
    wait_for(lambda: len(bootstrap_pids("bursty")) == 2, timeout=5, what="two instances reclaimed")
    # Busy instances are not idle: with all four in flight a fifth invocation is throttled.
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        slow = [pool.submit(invoke, lambda_client(lam.meta.endpoint_url), "bursty", {"action": "sleep", "ms": 1500})
                for _ in range(4)]
        time.sleep(0.7)
        with pytest.raises(ClientError) as e:
            invoke(lam, "newcomer", {"action": "ok"})
        assert e.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert all(f.result()[0]["StatusCode"] == 200 for f in slow)


def test_reserved_concurrency_counts_only_invocations_in_flight(small_server):
    lam = lambda_client(small_server.endpoint)
    create(lam, "reserved", Timeout=10)
    lam.publish_version(FunctionName="reserved")
    lam.put_function_concurrency(FunctionName="reserved", ReservedConcurrentExecutions=2)
    invoke(lam, "reserved", {"action": "ok"}, Qualifier="1")  # an idle instance of version 1
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(invoke, lambda_client(lam.meta.endpoint_url), "reserved", {"action": "sleep", "ms": 1000})
        time.sleep(0.4)
        r, body = invoke(lam, "reserved", {"action": "ok"})  # 1 of 2 in flight: runs
        assert r["StatusCode"] == 200 and r["ExecutedVersion"] == "$LATEST"
        assert slow.result()[0]["StatusCode"] == 200
