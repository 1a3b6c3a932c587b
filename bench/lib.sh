# Shared by the bench scripts (source it): a scratch directory removed on
# exit, background processes stopped on exit, and free loopback ports.
# Sets SECS (first argument, default 5), KIT (the bench-kit), NIMBUS (the binary) and work.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECS=${1:-5}
KIT=${BENCH_KIT:-../shared/bench-kit}
# NIMBUS_BIN: another build to measure (e.g. the one before a change, for a before/after in one session).
NIMBUS=${NIMBUS_BIN:-build/src/cli/nimbus}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# create_echo PORT [python]: the C++ echo example as function `echo` on the
# nimbus at PORT (and with `python`, a Python echo as `pyecho`).
create_echo() {
  /usr/bin/python3 - "$@" <<'PY'
import io, sys, zipfile, boto3
from pathlib import Path
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", aws_access_key_id="test",
                   aws_secret_access_key="test", region_name="us-east-1")
role = "arn:aws:iam::000000000000:role/r"
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    info = zipfile.ZipInfo("bootstrap"); info.external_attr = 0o755 << 16
    z.writestr(info, Path("build/examples/echo/bootstrap").read_bytes())
lam.create_function(FunctionName="echo", Runtime="provided.al2023", Role=role, Handler="x",
                    Code={"ZipFile": buf.getvalue()})
if sys.argv[2:] == ["python"]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return event\n")
    lam.create_function(FunctionName="pyecho", Runtime="python3.11", Role=role, Handler="app.handler",
                        Code={"ZipFile": buf.getvalue()})
PY
}
