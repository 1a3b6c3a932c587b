"""One request signed as real clients sign API Gateway calls (botocore's
SigV4Auth with service execute-api, as awscurl does), sent to nimbus's edge
port; run as a script by each interpreter that has botocore, so both
botocore generations are checked:

    python3 signed_call.py PORT HOST METHOD PATH BODY ACCESS SECRET [TOKEN]

prints {"status", "headers", "body"} as JSON. `signed_call()` runs it."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def interpreters():
    """/usr/bin/python3 and the python3 on PATH, those with botocore."""
    found = []
    for py in ("/usr/bin/python3", shutil.which("python3")):
        if not py or any(os.path.realpath(py) == os.path.realpath(f) for f in found):
            continue
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        if subprocess.run([py, "-c", "import botocore.auth"], env=env, capture_output=True).returncode == 0:
            found.append(py)
    return found


def signed_call(python, port, host, method, path, body=b"", access="test", secret="test", token=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    args = [python, os.path.join(HERE, "signed_call.py"), str(port), host, method, path,
            body.decode() if isinstance(body, bytes) else body, access, secret]
    if token:
        args.append(token)
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    return r["status"], {k.lower(): v for k, v in r["headers"].items()}, r["body"]


def main(port, host, method, path, body, access, secret, token=None):
    import http.client
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=f"http://{host}{path}", data=body.encode(),
                     headers={"Content-Type": "application/json"} if body else {})
    SigV4Auth(Credentials(access, secret, token), "execute-api", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    headers = dict(req.headers.items())
    headers["Host"] = host
    conn.request(method, path, body=body.encode() or None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    print(json.dumps({"status": r.status, "headers": dict(r.getheaders()), "body": data.decode()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
