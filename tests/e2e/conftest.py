"""Fixtures for end-to-end tests: a real `nimbus serve` on a free loopback
port with a temporary data directory, and the real clients pointed at it.

The binary comes from NIMBUS_BIN (set by ctest), else build/src/cli/nimbus.
In a sanitized build (scripts/sanitize.sh) a report in any server's log fails
the test that was running, even if the server went on or exited 0.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"


def nimbus_bin():
    return os.environ.get("NIMBUS_BIN") or str(ROOT / "build" / "src" / "cli" / "nimbus")


# ASan, LSan, TSan headers and UBSan's "file:line:col: runtime error:". No
# leading \S+: on a log with megabyte-long lines that backtracks for minutes.
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|"
                              r":\d+:\d+: runtime error: ")
_scanned = {}  # log path -> characters already scanned


def sanitizer_reports():
    """Sanitizer reports written to the server logs since the last call."""
    found = []
    for path in list(_scanned):
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        m = SANITIZER_REPORT.search(text, _scanned[path])
        _scanned[path] = len(text)
        if m:
            found.append(f"{path}:\n{text[max(0, m.start() - 200):m.start() + 6000]}")
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nimbus:
    """A nimbus server process owned by a test."""

    def __init__(self, data_dir, extra_args=(), nofile=None):
        self.data_dir = str(data_dir)
        self.extra_args = list(extra_args)
        self.nofile = nofile  # (soft, hard) RLIMIT_NOFILE to start nimbus with
        self.port = None
        self.proc = None
        self.log_path = Path(self.data_dir).with_suffix(".log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, port=None):
        self.port = port or free_port()
        self.log = open(self.log_path, "ab")
        _scanned.setdefault(str(self.log_path), 0)
        env = dict(os.environ)
        if os.environ.get("NIMBUS_SERVER_ASAN_OPTIONS"):  # set by scripts/sanitize.sh: see there
            env["ASAN_OPTIONS"] = os.environ["NIMBUS_SERVER_ASAN_OPTIONS"]
        self.proc = subprocess.Popen(
            [nimbus_bin(), "serve", "--port", str(self.port), "--data-dir", self.data_dir, *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=self._limits, env=env)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nimbus exited early: {self.log_text()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_nimbus/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("nimbus did not become ready: " + self.log_text())

    def _limits(self):
        if self.nofile:
            import resource
            resource.setrlimit(resource.RLIMIT_NOFILE, self.nofile)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


@pytest.fixture(autouse=True)
def no_sanitizer_report():
    yield
    reports = sanitizer_reports()
    if reports:
        pytest.fail("a sanitizer reported in nimbus:\n" + "\n".join(reports), pytrace=False)


@pytest.fixture
def nimbus(tmp_path):
    server = Nimbus(tmp_path / "data").start()
    yield server
    code = server.stop()
    assert code == 0, "nimbus did not exit cleanly:\n" + server.log_text()


@pytest.fixture(scope="module")
def shared_nimbus(tmp_path_factory):
    server = Nimbus(tmp_path_factory.mktemp("shared") / "data").start()
    yield server
    code = server.stop()
    reports = sanitizer_reports()
    assert not reports, "a sanitizer reported in nimbus:\n" + "\n".join(reports)
    assert code == 0, "nimbus did not exit cleanly:\n" + server.log_text()


def aws_clis():
    """Debian's AWS CLI v2 (/usr/bin/aws) and the newer `aws` on PATH, those present."""
    found = []
    if os.path.exists("/usr/bin/aws"):
        found.append("/usr/bin/aws")
    path_aws = shutil.which("aws")
    if path_aws and os.path.realpath(path_aws) != "/usr/bin/aws":
        found.append(path_aws)
    return found


def boto3_pythons():
    """/usr/bin/python3 (boto3 1.26) and the python3 on PATH, those that have boto3."""
    found = []
    for p in ("/usr/bin/python3", shutil.which("python3")):
        if p and p not in found and subprocess.run([p, "-c", "import boto3"], capture_output=True).returncode == 0:
            found.append(p)
    return found


def modern_python():
    """The interpreter on PATH, when its boto3 is 1.36+ (aws-chunked + CRC by default)."""
    py = shutil.which("python3")
    if not py or os.path.realpath(py) == os.path.realpath("/usr/bin/python3"):
        return None
    r = subprocess.run([py, "-c", "import boto3; print(boto3.__version__)"], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    major, minor = (int(x) for x in r.stdout.strip().split(".")[:2])
    return py if (major, minor) >= (1, 36) else None


def run_modern_python(script, *args, timeout=120):
    """Runs script with modern_python() (skipping the test without one), its environment freed of
    this interpreter's PYTHON* variables: the CompletedProcess."""
    py = modern_python()
    if not py:
        pytest.skip("no boto3 1.36+ on this machine besides Debian's")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([py, "-c", script, *args], capture_output=True, text=True, env=env, timeout=timeout)


def client_env(extra=None):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
    })
    env.pop("AWS_PROFILE", None)
    if extra:
        env.update(extra)
    return env


def aws_cli():
    """Debian's AWS CLI v2 (awscli package)."""
    path = "/usr/bin/aws"
    if not os.path.exists(path):
        pytest.skip("Debian's awscli is not installed")
    return path


def run_aws(endpoint, *args, check=True, cli=None, input=None):
    cmd = [cli or aws_cli(), "--endpoint-url", endpoint, *args]
    r = subprocess.run(cmd, env=client_env(), capture_output=True, text=True, input=input, timeout=600)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def boto3_client(endpoint, **config):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name=REGION, config=Config(retries={"max_attempts": 0}, **config))


@pytest.fixture
def s3(nimbus):
    return boto3_client(nimbus.endpoint)


def read_until_closed(sock, timeout=None):
    """Everything a server sends on sock until it closes the connection (or resets it, or timeout passes)."""
    if timeout is not None:
        sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def which(name):
    return shutil.which(name)


def python_zip(files):
    """A Python function package: {path in the zip: text}."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def bootstrap_zip(bootstrap, extra_files=None):
    """A function package: `bootstrap` (a script's text or an executable's bytes) made executable."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, bootstrap)
        for name, data in (extra_files or {}).items():
            z.writestr(name, data)
    return buf.getvalue()
