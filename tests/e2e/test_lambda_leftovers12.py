"""Issue 12's Lambda leftovers, with the AWS CLI (and curl where it is HTTP):
GetFunction's Code.Location downloads the zip that was uploaded."""
import base64
import hashlib
import json
import subprocess
import time

import pytest

from conftest import Nimbus, aws_clis, python_zip, run_aws
from test_lambda import ROLE

APP = r'''
import json, os

def handler(event, context):
    return {"mark": os.environ.get("MARK", ""), "version": context.function_version}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("leftovers12") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


def zip_file(tmp_path, text=APP, name="fn.zip"):
    z = tmp_path / name
    z.write_bytes(python_zip({"app.py": text}))
    return z


def curl(url, out):
    """Status code of a GET of url, its body written to out."""
    r = subprocess.run(["curl", "-s", "-o", str(out), "-w", "%{http_code}", url], capture_output=True, text=True,
                       timeout=60)
    return int(r.stdout)


def sha256_b64(path):
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


# 1. Code.Location: the deployment package, downloadable for 10 minutes.

@pytest.mark.parametrize("cli", aws_clis())
def test_code_location_downloads_each_versions_zip(server, tmp_path, cli):
    ep, name = server.endpoint, "codeloc" + str(abs(hash(cli)) % 1000)
    first = zip_file(tmp_path, name="one.zip")
    run_aws(ep, "lambda", "create-function", "--function-name", name, "--runtime", "python3.11", "--handler",
            "app.handler", "--role", ROLE, "--zip-file", f"fileb://{first}", "--publish", cli=cli)
    second = zip_file(tmp_path, APP.replace("mark", "MARK2"), name="two.zip")
    run_aws(ep, "lambda", "update-function-code", "--function-name", name, "--zip-file", f"fileb://{second}", cli=cli)
    run_aws(ep, "lambda", "create-alias", "--function-name", name, "--name", "live", "--function-version", "1",
            cli=cli)

    for qualifier, package in [(None, second), ("$LATEST", second), ("1", first), ("live", first)]:
        args = ["lambda", "get-function", "--function-name", name] + (["--qualifier", qualifier] if qualifier else [])
        got = json.loads(run_aws(ep, *args, cli=cli).stdout)
        location = got["Code"]["Location"]
        assert location.startswith(ep + "/_nimbus/code/" + name + "/"), location
        out = tmp_path / "download.zip"
        assert curl(location, out) == 200
        assert out.read_bytes() == package.read_bytes()
        assert sha256_b64(out) == got["Configuration"]["CodeSha256"]

    # A link whose signature was changed is refused as S3 refuses a bad presigned URL.
    location = json.loads(run_aws(ep, "lambda", "get-function", "--function-name", name, cli=cli).stdout)["Code"]["Location"]
    out = tmp_path / "refused.xml"
    assert curl(location[:-1] + ("0" if location[-1] != "0" else "1"), out) == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in out.read_text()
    assert curl(location.split("?")[0], out) == 403
    assert "<Code>AccessDenied</Code>" in out.read_text()
    run_aws(ep, "lambda", "delete-function", "--function-name", name, cli=cli)
    # The function's code is gone with it.
    assert curl(location, out) == 404


def test_code_location_expires(tmp_path):
    s = Nimbus(tmp_path / "data", extra_args=["--code-url-expiry-seconds", "1"]).start()
    try:
        z = zip_file(tmp_path)
        run_aws(s.endpoint, "lambda", "create-function", "--function-name", "expiring", "--runtime", "python3.11",
                "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}")
        got = json.loads(run_aws(s.endpoint, "lambda", "get-function", "--function-name", "expiring").stdout)
        out = tmp_path / "out"
        assert curl(got["Code"]["Location"], out) == 200
        time.sleep(2.2)
        assert curl(got["Code"]["Location"], out) == 403
        body = out.read_text()
        assert "<Code>AccessDenied</Code>" in body and "<Message>Request has expired</Message>" in body
    finally:
        assert s.stop() == 0, s.log_text()


def test_code_location_of_code_kept_before_zips_were(tmp_path):
    """A data directory whose function was unpacked by an older nimbus (no zip beside the code):
    the download is a zip made again from the unpacked files, the same files but not the same bytes."""
    s = Nimbus(tmp_path / "data").start()
    z = zip_file(tmp_path)
    run_aws(s.endpoint, "lambda", "create-function", "--function-name", "older", "--runtime", "python3.11",
            "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{z}")
    assert s.stop() == 0
    for kept in (tmp_path / "data" / "functions" / "older").glob("*.zip"):
        kept.unlink()
    s.start()
    try:
        got = json.loads(run_aws(s.endpoint, "lambda", "get-function", "--function-name", "older").stdout)
        out = tmp_path / "again.zip"
        assert curl(got["Code"]["Location"], out) == 200
        import zipfile
        with zipfile.ZipFile(out) as zf:
            assert zf.read("app.py").decode() == APP
    finally:
        assert s.stop() == 0, s.log_text()
