"""A nimbus server for a benchmark: built binary, free loopback port,
temporary data directory, log file; stopped (SIGTERM) on exit."""
import contextlib
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = dict(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")


class Server:
    def __init__(self, endpoint, log_path, data_dir, pid=None):
        self.endpoint, self.log_path, self.data_dir, self.pid = endpoint, log_path, data_dir, pid

    def client(self, service):
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, **KEYS)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


@contextlib.contextmanager
def nimbus(*extra_args):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as data:
        log_path = os.path.join(data, "nimbus.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen([str(ROOT / "build/src/cli/nimbus"), "serve", "--port", str(port), "--data-dir",
                                     os.path.join(data, "d"), *extra_args], stdout=log, stderr=subprocess.STDOUT)
            endpoint = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(endpoint + "/_nimbus/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield Server(endpoint, log_path, os.path.join(data, "d"), proc.pid)
            finally:
                proc.terminate()
                proc.wait(timeout=60)
