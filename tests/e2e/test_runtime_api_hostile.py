"""An instance's Runtime API port (AWS_LAMBDA_RUNTIME_API) is reachable by
any local user: what arrives there must not take nimbus down nor steal the
instance's invocations. One poller per instance (a second is refused, the
first keeps its place), the edge port's header timeouts, and the same
request parser (an oversized chunk trailer aborted nimbus before)."""
import json
import socket
import time

import pytest

from conftest import Nimbus, python_zip, read_until_closed
from test_lambda import ROLE, lambda_client

APP = '''
import os
def handler(event, context):
    return {"api": os.environ["AWS_LAMBDA_RUNTIME_API"], "n": event.get("n")}
'''


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data", ["--stall-timeout", "2", "--python-zygote", "off"]).start()
    lam = lambda_client(s.endpoint)
    lam.create_function(FunctionName="probe", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip({"app.py": APP})}, Timeout=10)
    yield s
    assert s.stop() == 0, s.log_text()


def invoke(server, n):
    r = lambda_client(server.endpoint).invoke(FunctionName="probe", Payload=json.dumps({"n": n}).encode())
    assert "FunctionError" not in r, r
    return json.loads(r["Payload"].read())


def talk(address, data, timeout=5):
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
                if b"\r\n\r\n" in out and b"Content-Length: " in out:
                    head, _, body = out.partition(b"\r\n\r\n")
                    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                    if len(body) >= length:
                        break
        except (socket.timeout, ConnectionResetError):
            pass
        return out


def test_a_second_poller_is_refused_and_the_instance_keeps_its_place(server):
    api = invoke(server, 1)["api"]
    time.sleep(0.5)  # the runtime has sent its answer and is back in GET /next
    # The instance's runtime is waiting in GET /next now: a second poller is refused at once...
    out = talk(api, b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 409") and b"Runtime.PollerAlreadyWaiting" in out, out
    # ...and the instance still gets its invocations, on the same instance.
    for n in range(2, 5):
        r = invoke(server, n)
        assert r == {"api": api, "n": n}


def test_oversized_trailer_on_the_runtime_port_is_refused(server):
    api = invoke(server, 1)["api"]
    big = (b"POST /2018-06-01/runtime/invocation/nope/response HTTP/1.1\r\nHost: x\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Big: " + b"a" * 65600 + b"\r\n\r\n")
    out = talk(api, big)
    assert out.startswith(b"HTTP/1.1 431"), out[:200]
    assert server.proc.poll() is None
    assert invoke(server, 2) == {"api": api, "n": 2}


def test_slow_headers_on_the_runtime_port_are_closed(server):
    api = invoke(server, 1)["api"]
    host, port = api.split(":")
    slow = []
    for _ in range(50):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nX-Slow")
        slow.append(s)
    time.sleep(3.5)  # past --stall-timeout 2: each was answered and closed
    for s in slow:
        out = read_until_closed(s, timeout=2)
        assert out.startswith(b"HTTP/1.1 400") and b"RequestTimeout" in out, out
        s.close()
    assert invoke(server, 2) == {"api": api, "n": 2}
