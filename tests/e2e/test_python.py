"""The Python runtime: functions created with `--runtime python3.x` run on
Debian's /usr/bin/python3 with nimbus's bootstrap, as AWS Lambda runs them.
Each behaviour is checked with instances forked from the zygote and with
plainly started ones (--python-zygote off)."""
import base64
import io
import json
import os
import signal
import subprocess
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, run_aws
from test_lambda import ROLE, lambda_client, wait_for

APP = r'''
import json, logging, os, time
import helper                      # from python/ in the package
logger = logging.getLogger()
logger.setLevel(logging.INFO)
COUNT = 0

def context_fields(event, context):
    return {"request_id": context.aws_request_id, "arn": context.invoked_function_arn,
            "name": context.function_name, "version": context.function_version,
            "memory": context.memory_limit_in_mb, "group": context.log_group_name,
            "stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            "cognito": context.identity.cognito_identity_id, "event": event,
            "trace": os.environ.get("_X_AMZN_TRACE_ID"), "helper": helper.VALUE}

def warm(event, context):
    global COUNT
    COUNT += 1
    with open("/tmp/nimbus-python-test-%s" % context.function_name, "a") as f:
        f.write("x")
    with open("/tmp/nimbus-python-test-%s" % context.function_name) as f:
        return {"count": COUNT, "tmp": len(f.read()), "pid": os.getpid()}

def fails(event, context):
    raise ValueError("it broke: " + event.get("why", ""))

def unserialisable(event, context):
    return {1, 2}

def talk(event, context):
    print("printed", event["n"])
    logger.info("logged %s", event["n"])
    return "ok"

def loop(event, context):
    import urllib.parse
    import boto3
    s3 = boto3.client("s3")
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        s3.put_object(Bucket=record["s3"]["bucket"]["name"], Key=key + "+", Body=b"again")
        print("LOOPED " + key)

def identity(event, context):
    import random
    return {"pid": os.getpid(), "random": random.random(), "mark": os.environ.get("MARK"),
            "leaked": sorted(k for k in os.environ if k.startswith("NIMBUS_")), "cwd": os.getcwd(),
            "task_root": os.environ["LAMBDA_TASK_ROOT"]}

def allocate(event, context):
    return len(bytearray(event["mb"] << 20))

def own_boto3(event, context):
    import boto3
    return boto3.WHOSE

def from_pythonpath(event, context):
    import extra_mod
    return extra_mod.VALUE

def sleepy(event, context):
    time.sleep(event["s"])
    return "woke"

def s3_round_trip(event, context):
    import boto3                   # Debian's 1.26: no AWS_ENDPOINT_URL support of its own
    s3 = boto3.resource("s3")
    s3.Object(event["bucket"], "from-python.txt").put(Body=b"written by a handler")
    body = s3.Object(event["bucket"], "from-python.txt").get()["Body"].read()
    client = boto3.client("s3")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=event["bucket"])["Contents"]]
    from PIL import Image          # Debian's python3-pil
    import numpy                   # and python3-numpy
    return {"body": body.decode(), "keys": keys, "pil": Image.__name__, "numpy": int(numpy.arange(4).sum())}
'''


def package(files=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", APP)
        z.writestr("python/helper.py", "VALUE = 42\n")
        z.writestr("pkg/__init__.py", "")
        z.writestr("pkg/sub/__init__.py", "")
        z.writestr("pkg/sub/mod.py", "def handler(event, context):\n    return 'nested'\n")
        for name, text in (files or {}).items():
            z.writestr(name, text)
    return buf.getvalue()


def zygote_ready(server):
    """Creating the first Python function starts the zygote; until it has
    imported its modules, instances start plainly. Wait for it."""
    create(lambda_client(server.endpoint), "first-python-function", "app.warm")
    wait_for(lambda: "ready (Python 3." in server.log_text(), what="the zygote")
    return server


@pytest.fixture(params=["zygote", "plain"])
def server(request, tmp_path):
    s = Nimbus(tmp_path / "data", [] if request.param == "zygote" else ["--python-zygote", "off"]).start()
    yield zygote_ready(s) if request.param == "zygote" else s
    assert s.stop() == 0, s.log_text()


@pytest.fixture
def zygote_server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    yield zygote_ready(s)
    assert s.stop() == 0, s.log_text()


def create(lam, name, handler, runtime="python3.11", **kw):
    args = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code={"ZipFile": package()},
                Timeout=5, MemorySize=256)
    args.update(kw)
    return lam.create_function(**args)


def call(lam, name, event=None, **kw):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kw)
    return r, json.loads(r["Payload"].read())


def test_create_with_the_cli_and_context(server, tmp_path):
    zip_path = tmp_path / "fn.zip"
    zip_path.write_bytes(package())
    run_aws(server.endpoint, "lambda", "create-function", "--function-name", "ctx", "--runtime", "python3.11",
            "--handler", "app.context_fields", "--role", ROLE, "--memory-size", "256", "--timeout", "5",
            "--zip-file", f"fileb://{zip_path}")
    out = tmp_path / "out.json"
    run_aws(server.endpoint, "lambda", "invoke", "--function-name", "ctx", "--cli-binary-format",
            "raw-in-base64-out", "--payload", '{"hello": "python"}', str(out))
    got = json.loads(out.read_text())
    assert got["event"] == {"hello": "python"}
    assert got["name"] == "ctx" and got["version"] == "$LATEST" and got["memory"] == "256"
    assert got["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:ctx"
    assert got["group"] == "/aws/lambda/ctx" and "[$LATEST]" in got["stream"]
    assert 0 < got["remaining"] <= 5000
    assert got["trace"].startswith("Root=1-") and got["helper"] == 42 and got["cognito"] is None
    r, again = call(lambda_client(server.endpoint), "ctx")
    assert again["request_id"] == r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert "nimbus python runtime: /usr/bin/python3 3." in server.log_text()


def test_every_python_runtime_name(server):
    lam = lambda_client(server.endpoint, validate=False)
    for minor in range(9, 15):
        create(lam, f"py3{minor}", "pkg/sub/mod.handler", runtime=f"python3.{minor}")
        assert call(lam, f"py3{minor}")[1] == "nested"
    create(lam, "dotted", "pkg.sub.mod.handler")
    assert call(lam, "dotted")[1] == "nested"
    with pytest.raises(ClientError) as e:
        create(lam, "old", "app.warm", runtime="python2.7")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_warm_state_persists(server):
    lam = lambda_client(server.endpoint)
    create(lam, "warm", "app.warm")
    runs = [call(lam, "warm")[1] for _ in range(3)]
    assert [r["count"] for r in runs] == [1, 2, 3]
    assert [r["tmp"] for r in runs][-1] >= 3
    assert len({r["pid"] for r in runs}) == 1


def test_errors_as_lambda_reports_them(server):
    lam = lambda_client(server.endpoint)
    create(lam, "fails", "app.fails")
    r, err = call(lam, "fails", {"why": "bad input"})
    assert r["FunctionError"] == "Unhandled"
    assert err["errorType"] == "ValueError" and err["errorMessage"] == "it broke: bad input"
    assert err["requestId"] == r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert any("app.py" in line and "in fails" in line for line in err["stackTrace"])
    assert not any("bootstrap.py" in line for line in err["stackTrace"])

    create(lam, "unserialisable", "app.unserialisable")
    assert call(lam, "unserialisable")[1]["errorType"] == "Runtime.MarshalError"

    create(lam, "nomodule", "missing_module.handler")
    r, err = call(lam, "nomodule")
    assert err["errorType"] == "Runtime.ImportModuleError"
    assert err["errorMessage"] == "Unable to import module 'missing_module': No module named 'missing_module'"

    create(lam, "nohandler", "app.nothing_here")
    err = call(lam, "nohandler")[1]
    assert err["errorType"] == "Runtime.HandlerNotFound"
    assert err["errorMessage"] == "Handler 'nothing_here' missing on module 'app'"

    create(lam, "syntax", "broken.handler", Code={"ZipFile": package({"broken.py": "def handler(:\n"})})
    assert call(lam, "syntax")[1]["errorType"] == "Runtime.UserCodeSyntaxError"


def test_print_and_logging_in_the_log_tail(server):
    lam = lambda_client(server.endpoint)
    create(lam, "talk", "app.talk")
    r, out = call(lam, "talk", {"n": 7}, LogType="Tail")
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    tail = base64.b64decode(r["LogResult"]).decode()
    assert out == "ok"
    assert "printed 7\n" in tail
    assert f"Z\t{rid}\tlogged 7" in tail and "[INFO]\t" in tail
    assert f"REPORT RequestId: {rid}" in tail


def test_timeout_and_async(server):
    lam = lambda_client(server.endpoint)
    create(lam, "sleepy", "app.sleepy", Timeout=1)
    r, err = call(lam, "sleepy", {"s": 3})
    assert r["FunctionError"] == "Unhandled" and "Task timed out after 1.00 seconds" in err["errorMessage"]
    assert call(lam, "sleepy", {"s": 0})[1] == "woke"   # a fresh instance after the timeout
    create(lam, "talk", "app.talk")
    r = lam.invoke(FunctionName="talk", InvocationType="Event", Payload=b'{"n": 99}')
    assert r["StatusCode"] == 202
    wait_for(lambda: "printed 99" in server.log_text(), what="the async run")


def test_boto3_inside_a_handler_reaches_nimbus(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="from-handlers")
    s3.put_object(Bucket="from-handlers", Key="already.txt", Body=b"x")
    lam = lambda_client(server.endpoint)
    create(lam, "s3user", "app.s3_round_trip")
    r, out = call(lam, "s3user", {"bucket": "from-handlers"})
    assert "FunctionError" not in r, out
    assert out == {"body": "written by a handler", "keys": ["already.txt", "from-python.txt"], "pil": "PIL.Image",
                   "numpy": 6}
    assert s3.get_object(Bucket="from-handlers", Key="from-python.txt")["Body"].read() == b"written by a handler"


def test_the_seed_thumbnail_handler_on_a_bucket_trigger(server, tmp_path):
    import subprocess
    from conftest import ROOT, aws_cli, client_env
    Image = pytest.importorskip("PIL.Image")
    r = subprocess.run(["bash", str(ROOT / "examples/thumbnail/deploy.sh"), "--python", server.endpoint],
                       env=client_env({"AWS_CLI": aws_cli()}), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    Image.new("RGB", (800, 600), (200, 40, 40)).save(tmp_path / "red flower.jpg")
    Image.new("RGBA", (300, 900), (40, 40, 200, 255)).save(tmp_path / "tall.png")
    run_aws(server.endpoint, "s3", "cp", str(tmp_path / "red flower.jpg"), "s3://photos-python/input/red flower.jpg")
    run_aws(server.endpoint, "s3", "cp", str(tmp_path / "tall.png"), "s3://photos-python/input/tall.png")
    s3 = boto3_client(server.endpoint)

    def thumbnail(key):
        try:
            got = s3.get_object(Bucket="photos-python", Key=key)
        except ClientError:
            return None
        return got["ContentType"], Image.open(io.BytesIO(got["Body"].read()))

    wait_for(lambda: thumbnail("serverless/input/red flower.jpg") and thumbnail("serverless/input/tall.png"),
             timeout=30, what="the seed handler's thumbnails")
    mime, im = thumbnail("serverless/input/red flower.jpg")
    assert mime == "image/jpeg" and im.format == "JPEG" and im.size == (200, 150)
    mime, im = thumbnail("serverless/input/tall.png")
    assert mime == "image/png" and im.format == "PNG" and im.size == (66, 200)
    assert "resized s3://photos-python/input/red flower.jpg 800x600 -> serverless/input/red flower.jpg 200x150" \
        in server.log_text()


def test_memory_limit_is_enforced(server):
    lam = lambda_client(server.endpoint)
    create(lam, "hungry", "app.allocate", MemorySize=128)
    # Most of the limit is the function's, forked or not (what the zygote
    # preloaded does not count against it).
    assert call(lam, "hungry", {"mb": 96})[1] == 96 << 20
    r, err = call(lam, "hungry", {"mb": 512})
    assert r["FunctionError"] == "Unhandled" and err["errorType"] == "MemoryError"


def test_a_package_with_its_own_copy_of_a_preloaded_module_gets_its_own(server):
    lam = lambda_client(server.endpoint)
    create(lam, "mine", "app.own_boto3", Code={"ZipFile": package({"boto3/__init__.py": "WHOSE = 'mine'\n"})})
    assert call(lam, "mine")[1] == "mine"


def test_pythonpath_in_the_function_environment(server):
    lam = lambda_client(server.endpoint)
    create(lam, "pp", "app.from_pythonpath", Environment={"Variables": {"PYTHONPATH": "extra"}},
           Code={"ZipFile": package({"extra/extra_mod.py": "VALUE = 'found'\n"})})
    assert call(lam, "pp")[1] == "found"


def test_instances_forked_from_the_zygote_are_separate(zygote_server):
    server = zygote_server
    lam = lambda_client(server.endpoint)
    create(lam, "who", "app.identity", Environment={"Variables": {"MARK": "set"}})
    create(lam, "who2", "app.identity")
    a, b = call(lam, "who")[1], call(lam, "who2")[1]
    assert "(asked for AWS_Lambda_python3.11; forked from the zygote)" in server.log_text()
    assert a["pid"] != b["pid"] and a["random"] != b["random"]  # random is reseeded in each fork
    assert a["mark"] == "set" and b["mark"] is None and a["leaked"] == []
    assert a["cwd"] == a["task_root"] and a["cwd"] != b["cwd"]
    # Shipping its own boto3 or setting PYTHONPATH starts an instance plainly instead.
    create(lam, "mine", "app.own_boto3", Code={"ZipFile": package({"boto3/__init__.py": "WHOSE = 'mine'\n"})})
    assert call(lam, "mine")[1] == "mine"
    assert "(asked for AWS_Lambda_python3.11; started)" in server.log_text()


def test_a_killed_zygote_is_replaced_and_nothing_fails(zygote_server):
    server = zygote_server
    lam = lambda_client(server.endpoint)
    create(lam, "before", "app.identity")
    assert call(lam, "before")[1]["pid"]
    assert "forked from the zygote" in server.log_text()
    # The zygote is nimbus's child; the instances it forked are its own.
    zygotes = subprocess.run(["pgrep", "-P", str(server.proc.pid), "-x", "nimbus-zygote"], capture_output=True, text=True)
    pids = [int(p) for p in zygotes.stdout.split()]
    assert len(pids) == 1, zygotes
    os.kill(pids[0], signal.SIGKILL)
    wait_for(lambda: "ended (signal: killed)" in server.log_text(), what="nimbus noticing the zygote's end")
    # The instance it forked went with it; the next invocation starts plainly.
    create(lam, "after", "app.identity")
    assert call(lam, "after")[1]["pid"]
    assert call(lam, "before")[1]["pid"]


def test_a_handler_writing_into_its_own_trigger_is_stopped(server):
    """The classic runaway loop, written the way Python users write it: boto3 with
    no endpoint and no keys in the code. nimbus knows each write's invocation."""
    import time
    s3 = boto3_client(server.endpoint)
    lam = lambda_client(server.endpoint)
    s3.create_bucket(Bucket="pyloop")
    create(lam, "pylooper", "app.loop", Timeout=30)
    s3.put_bucket_notification_configuration(Bucket="pyloop", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:pylooper",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    s3.put_object(Bucket="pyloop", Key="in/start", Body=b"go")
    wait_for(lambda: "recursive loop stopped" in server.log_text(), timeout=60, what="the loop to be stopped")
    time.sleep(1)  # nothing more may run
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pyloop")["Contents"]]
    assert len(keys) == 17, keys  # the upload, then 16 invocations that each wrote once
    assert server.log_text().count("LOOPED ") == 16
