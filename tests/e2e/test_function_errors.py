"""How a function's failures reach its caller and its log, as Lambda reports
them (issue 12): a response over 6 MB fails at once with
Function.ResponseSizeTooLarge; a Python exception is one log event with its
traceback."""
import io
import json
import time
import zipfile

import pytest

from conftest import Nimbus, run_aws
from test_lambda import ROLE, lambda_client

APP = r'''
def big(event, context):
    return "x" * event["n"]

def small(event, context):
    return "fine"
'''


def package():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", APP)
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def create(lam, name, handler, **kw):
    args = dict(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler, Code={"ZipFile": package()},
                Timeout=30, MemorySize=256)
    args.update(kw)
    return lam.create_function(**args)


def test_a_response_over_6_mb_fails_at_once(server, tmp_path):
    lam = lambda_client(server.endpoint)
    create(lam, "big", "app.big")
    start = time.time()
    r = lam.invoke(FunctionName="big", Payload=json.dumps({"n": 7_000_000}).encode())
    took = time.time() - start
    assert took < 10, f"the caller waited {took:.1f} s (the function's timeout is 30 s)"
    assert r["StatusCode"] == 200 and r["FunctionError"] == "Unhandled"
    err = json.loads(r["Payload"].read())
    assert err == {"errorType": "Function.ResponseSizeTooLarge",
                   "errorMessage": "Response payload size (7000002 bytes) exceeded maximum allowed payload size "
                                   "(6291556 bytes)."}
    # Just under the limit (the JSON string's two quotes count) is delivered whole.
    r = lam.invoke(FunctionName="big", Payload=json.dumps({"n": 6291556 - 2}).encode())
    assert "FunctionError" not in r and len(r["Payload"].read()) == 6291556
    # The AWS CLI sees the same failure.
    out = tmp_path / "out.json"
    cli = json.loads(run_aws(server.endpoint, "lambda", "invoke", "--function-name", "big", "--cli-binary-format",
                             "raw-in-base64-out", "--payload", '{"n": 6500000}', str(out)).stdout)
    assert cli["StatusCode"] == 200 and cli["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text())["errorType"] == "Function.ResponseSizeTooLarge"
