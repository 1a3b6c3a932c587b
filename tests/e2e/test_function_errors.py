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
from test_lambda import ROLE, lambda_client, wait_for
from test_logs import all_events, logs_client

APP = r'''
def big(event, context):
    return "x" * event["n"]

def small(event, context):
    return "fine"

def helper(n):
    raise ValueError("it broke: %d\nsecond line" % n)

def fails(event, context):
    helper(event["n"])
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


def test_a_python_exception_is_one_log_event_with_its_traceback(server):
    lam = lambda_client(server.endpoint)
    create(lam, "fails", "app.fails")
    r = lam.invoke(FunctionName="fails", Payload=b'{"n": 7}')
    assert r["FunctionError"] == "Unhandled"
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    logs = logs_client(server.endpoint)
    wait_for(lambda: any(e["message"].startswith("REPORT") for e in all_events(logs, "/aws/lambda/fails")),
             what="the invocation's log")
    errors = [e["message"] for e in all_events(logs, "/aws/lambda/fails") if e["message"].startswith("[ERROR]")]
    assert len(errors) == 1, errors
    lines = errors[0].split("\n")
    # awslambdaric's format: the error, the traceback's header, then its frames
    # (indented with no-break spaces, as Lambda's runtime does).
    assert lines[:3] == ["[ERROR] ValueError: it broke: 7", "second line", "Traceback (most recent call last):"]
    frames = [line.replace("\u00a0", " ") for line in lines[3:]]
    assert frames[0].startswith('  File "') and frames[0].endswith('app.py", line 12, in fails'), frames
    assert frames[1] == '    helper(event["n"])'
    assert frames[2].endswith('app.py", line 9, in helper') and "raise ValueError" in frames[3]
    assert not any("_nimbus_runtime" in f for f in frames)
    # `aws logs tail` shows the file and line in the same event as the error.
    tail = run_aws(server.endpoint, "logs", "tail", "/aws/lambda/fails", "--since", "5m").stdout
    at = tail.index("[ERROR] ValueError: it broke: 7")
    assert 'app.py", line 12, in fails' in tail[at:]
    # An import error at init is one event too.
    create(lam, "noimport", "missing_module.handler")
    r = lam.invoke(FunctionName="noimport", Payload=b"{}")
    assert r["FunctionError"] == "Unhandled"
    wait_for(lambda: any(e["message"].startswith("[ERROR] Runtime.ImportModuleError")
                         for e in all_events(logs, "/aws/lambda/noimport")), what="the init error")
    init = [e["message"] for e in all_events(logs, "/aws/lambda/noimport") if e["message"].startswith("[ERROR]")]
    assert init == ["[ERROR] Runtime.ImportModuleError: Unable to import module 'missing_module': "
                    "No module named 'missing_module'\nTraceback (most recent call last):"], init
