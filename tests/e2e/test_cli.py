"""The nimbus command itself (issue 12): help and version without a server,
--endpoint beside NIMBUS_ENDPOINT, connection errors in plain words, and a
function whose bootstrap is not executable reported as Lambda reports it."""
import base64
import io
import json
import subprocess
import zipfile

from conftest import client_env, free_port, nimbus_bin, run_aws
from test_lambda import ROLE, lambda_client


def cli(*args, env=None):
    return subprocess.run([nimbus_bin(), *args], env=env or client_env(), capture_output=True, text=True, timeout=30)


def test_help_and_version():
    for args in [(), ("help",), ("--help",)]:
        r = cli(*args)
        assert r.returncode == 0, (args, r.stderr)
        assert "Usage: nimbus" in r.stdout and "serve" in r.stdout and "--endpoint" in r.stdout, args
    r = cli("help", "functions", "ls")
    assert r.returncode == 0 and "Usage: nimbus functions ls" in r.stdout
    r = cli("help", "nope")
    assert r.returncode == 2 and "no command 'nope'" in r.stderr
    for args in [("--version",), ("version",)]:
        r = cli(*args)
        assert r.returncode == 0 and r.stdout.startswith("nimbus 0."), (args, r.stdout)


def test_connection_errors_in_plain_words():
    dead = f"http://127.0.0.1:{free_port()}"
    for args, env in [(("--endpoint", dead, "functions", "ls"), None),
                      (("functions", "ls", "--endpoint", dead), None),
                      (("status",), client_env({"NIMBUS_ENDPOINT": dead}))]:
        r = cli(*args, env=env)
        assert r.returncode == 255, (args, r.stdout, r.stderr)
        assert r.stderr.strip() == f"cannot connect to nimbus at {dead}: connection refused — is `nimbus serve` running?"
        assert r.stdout == "", "no table header before the error"
    r = cli("--endpoint", "http://no-such-host.invalid:4566", "functions", "ls")
    assert r.returncode == 255 and r.stderr.strip() == \
        "cannot connect to nimbus at http://no-such-host.invalid:4566: no such host"
    assert ".hpp" not in r.stderr
    r = cli("serve", "--endpoint", dead)
    assert r.returncode == 2 and "--endpoint is for the commands that talk to a running nimbus" in r.stderr
    for command in ("version", "help"):  # refused, not ignored
        r = cli("--endpoint", dead, command)
        assert r.returncode == 2 and f"nimbus {command}: --endpoint is for the commands" in r.stderr, command


def test_an_endpoint_that_is_not_nimbus():
    import http.server
    import threading

    class NotNimbus(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html>a proxy's page</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotNimbus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        for command in (["functions", "ls"], ["status"], ["events", "ls"]):
            r = cli("--endpoint", url, *command)
            assert r.returncode == 255 and r.stdout == "", (command, r.stdout)
            assert r.stderr.strip() == f"nimbus: the answer from {url} is not one nimbus sends (syntax error) — is it nimbus?"
    finally:
        server.shutdown()


def test_endpoint_flag_wins_over_the_environment(nimbus):
    dead = f"http://127.0.0.1:{free_port()}"
    env = client_env({"NIMBUS_ENDPOINT": dead})
    r = cli("--endpoint", nimbus.endpoint, "functions", "ls", env=env)
    assert r.returncode == 0 and r.stdout.startswith("NAME"), r.stderr
    r = cli("functions", "ls", env=env)
    assert r.returncode == 255 and dead in r.stderr


def package(text, mode):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = mode << 16
        z.writestr(info, text)
    return buf.getvalue()


def not_executable_package():
    return package("#!/bin/sh\necho never\n", 0o644)  # as a zip made by a tool that drops the mode


def test_a_bootstrap_that_is_not_executable(nimbus, tmp_path):
    lam = lambda_client(nimbus.endpoint)
    lam.create_function(FunctionName="noexec", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": not_executable_package()})
    r = lam.invoke(FunctionName="noexec", Payload=b"{}", LogType="Tail")
    assert r["StatusCode"] == 200 and r["FunctionError"] == "Unhandled"
    err = json.loads(r["Payload"].read())
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert err["errorType"] == "Runtime.InvalidEntrypoint"
    assert err["errorMessage"].startswith(f"RequestId: {rid} Error: fork/exec ")
    assert err["errorMessage"].endswith("/bootstrap: permission denied")
    log = base64.b64decode(r["LogResult"]).decode()
    assert f"START RequestId: {rid}" in log and "bootstrap: permission denied" in log and f"END RequestId: {rid}" in log
    # The AWS CLI sees it the same way.
    out = tmp_path / "out.json"
    by_cli = json.loads(run_aws(nimbus.endpoint, "lambda", "invoke", "--function-name", "noexec",
                                str(out)).stdout)
    assert by_cli["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text())["errorType"] == "Runtime.InvalidEntrypoint"


def test_a_bootstrap_whose_interpreter_is_missing(nimbus):
    """A script saved with Windows line ends: its #! line names "/bin/sh\\r"."""
    lam = lambda_client(nimbus.endpoint)
    lam.create_function(FunctionName="crlf", Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": package("#!/bin/sh\r\necho never\r\n", 0o755)})
    r = lam.invoke(FunctionName="crlf", Payload=b"{}", LogType="Tail")
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(r["Payload"].read())
    assert err["errorType"] == "Runtime.InvalidEntrypoint", err
    assert err["errorMessage"].endswith("/bootstrap: no such file or directory"), err
    assert "Error: fork/exec " in base64.b64decode(r["LogResult"]).decode()
