"""A function that prints without end: its output goes to the log store,
within that store's caps, and nimbus's own log gets only its first lines
per window and then a summary (before: 100 MB of stdout grew nimbus's own
log by 132 MB and RSS stayed at 140 MB). Memory is returned after."""
import json
import os
import time

from conftest import Nimbus, python_zip
from test_lambda import ROLE, lambda_client, wait_for

APP = '''
import sys
def handler(event, context):
    line = "y" * 999 + "\\n"
    for i in range(event["mb"]):
        sys.stdout.write(line * 1000)
        sys.stdout.write(f"marker {i}\\n")
    sys.stdout.flush()
    return "done"
'''


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def test_a_flood_of_output_stays_out_of_nimbus_log(tmp_path):
    s = Nimbus(tmp_path / "data", ["--log-max-mb", "64"]).start()
    try:
        lam = lambda_client(s.endpoint, read_timeout=120)
        lam.create_function(FunctionName="chatty", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": python_zip({"app.py": APP})}, Timeout=60, MemorySize=512)
        lam.invoke(FunctionName="chatty", Payload=json.dumps({"mb": 1}).encode())  # warm, and a baseline
        time.sleep(1)
        rss_before = rss_mb(s.proc.pid)
        log_before = s.log_path.stat().st_size
        r = lam.invoke(FunctionName="chatty", Payload=json.dumps({"mb": 100}).encode())
        assert json.loads(r["Payload"].read()) == "done"
        grown = s.log_path.stat().st_size - log_before
        print(f"100 MB of function output grew nimbus's own log by {grown} bytes")
        assert grown < 2 << 20, f"nimbus's own log grew by {grown} bytes for 100 MB of function output"
        wait_for(lambda: "more lines of output" in s.log_text(), timeout=30, what="the summary line")
        # The output is in the function's log group (the store's caps apply there).
        from test_logs import all_events, logs_client
        logs = logs_client(s.endpoint)
        wait_for(lambda: all_events(logs, "/aws/lambda/chatty", filterPattern='"marker 99"'), timeout=60,
                 what="the last marker in the log group")
        # And memory goes back once the burst is written (not under ASan, whose
        # allocator keeps freed memory in quarantine by design).
        if os.environ.get("NIMBUS_SANITIZED"):
            return
        wait_for(lambda: rss_mb(s.proc.pid) < rss_before + 60, timeout=30,
                 what=f"RSS back near {rss_before:.0f} MB (now {rss_mb(s.proc.pid):.0f} MB)")
    finally:
        assert s.stop() == 0, s.log_text()[-2000:]
