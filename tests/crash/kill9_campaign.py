#!/usr/bin/python3
"""The kill -9 campaign: rounds of concurrent load on a real `nimbus serve`,
each ended by kill -9 at a random moment, then a restart on the same data
directory and a check that nothing acknowledged was lost.

Load per round: PUTs (small and large), multipart uploads, overwrites of a
few hot keys, async invokes carrying unique ids, and uploads to a bucket whose
notification triggers a function. The function (Python, forked by the zygote)
writes a marker object per event, so a delivery is visible only once it has
really run; markers are S3 objects, durable like the rest.

Checked after every restart, and for everything at the end:
  - every acknowledged object reads back byte for byte (md5 and size);
  - an overwritten key holds a version the register rule allows (below);
  - no attempted-but-torn content is ever visible, and tmp/ is empty;
and at the end, every accepted async event and every notification of an
acknowledged upload has been delivered at least once.

The rule for a key written by several attempts: attempt A may be the one read
back unless some acknowledged attempt B started after A ended, where A ended
when its response arrived (acknowledged) or, unacknowledged, at the kill of
its round (after kill -9 nothing of it can still take effect). That allows the
last acknowledged version and any overlapping or in-flight one, and never a
torn one nor one older than a version acknowledged after it.

    /usr/bin/python3 tests/crash/kill9_campaign.py --rounds 30 --seconds 8 --seed 1

The binary comes from NIMBUS_BIN, else build/src/cli/nimbus. Exits non-zero
on any loss; prints the counts either way.
"""
import argparse
import hashlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from conftest import ACCESS_KEY, REGION, SECRET_KEY, SANITIZER_REPORT, Nimbus, boto3_client  # noqa: E402

ARN = "arn:aws:lambda:us-east-1:000000000000:function:marker"
MIB = 1 << 20

# One marker object per event. Writing it before returning is what makes a
# delivery count: an event whose instance was killed first is owed again.
HANDLER = '''
import urllib.parse
import boto3

s3 = boto3.client("s3")

def handler(event, context):
    if "Records" in event:
        for rec in event["Records"]:
            key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
            s3.put_object(Bucket="markers", Key="notify/" + key, Body=rec["eventName"].encode())
    else:
        s3.put_object(Bucket="markers", Key="async/" + event["id"], Body=b"1")
    return "ok"
'''


def lambda_client(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("lambda", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name=REGION,
                        config=Config(retries={"max_attempts": 0}, read_timeout=30, connect_timeout=5))


def body_for(seed, key, n, size):
    """Deterministic content of attempt n on key: regenerated, never kept."""
    return random.Random(f"{seed}/{key}/{n}").randbytes(size)


class Attempt:
    def __init__(self, key, size, digest, start, round_):
        self.key, self.size, self.digest, self.start, self.round = key, size, digest, start, round_
        self.acked = None     # monotonic time the response arrived
        self.request_id = ""  # the server's x-amz-request-id of the acknowledgement
        self.ended = None     # acked, or the kill of its round


class Ledger:
    """What the clients sent and what the server acknowledged, across rounds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = {}        # key -> [Attempt]
        self.events = set()       # async event ids accepted (202)
        self.notified = set()     # keys of acknowledged uploads to the notified bucket
        self.counts = dict(puts=0, large=0, multipart=0, overwrites=0, invokes=0, notified=0, failed=0)
        self.round = 0
        self.killing = threading.Event()   # set just before the kill: errors after it are expected
        self.errors = []                   # errors from a server that was not being killed
        self.mismatches = []               # acknowledgements that were not the request's own

    def begin(self, key, size, digest):
        a = Attempt(key, size, digest, time.monotonic(), self.round)
        with self.lock:
            self.attempts.setdefault(key, []).append(a)
        return a

    def ack(self, a, kind):
        a.acked = a.ended = time.monotonic()
        with self.lock:
            self.counts[kind] += 1

    def end_round(self, killed_at):
        with self.lock:
            for tries in self.attempts.values():
                for a in tries:
                    if a.ended is None:
                        a.ended = killed_at

    def allowed(self, key, digest, size):
        """Whether (digest, size) may be what key holds now, by the rule above."""
        tries = self.attempts.get(key, [])
        latest_acked_start = max((b.start for b in tries if b.acked is not None), default=None)
        for a in tries:
            if a.digest == digest and a.size == size:
                if latest_acked_start is None or latest_acked_start <= a.ended:
                    return True
        return False

    def acknowledged_keys(self):
        with self.lock:
            return [k for k, tries in self.attempts.items() if any(a.acked is not None for a in tries)]


def worker(wid, endpoint, seed, ledger, stop):
    rng = random.Random(f"{seed}/worker/{wid}/{ledger.round}")  # the mix repeats with the seed; timing does not
    s3 = boto3_client(endpoint)
    lam = lambda_client(endpoint)
    n = 0
    while not stop.is_set():
        n += 1
        tag = f"w{wid}-{os.getpid()}-{time.monotonic_ns()}-{n}"
        roll = rng.random()
        try:
            if roll < 0.25:
                # Async invoke: accepted means queued durably, owed a delivery.
                reply = lam.invoke(FunctionName="marker", InvocationType="Event", Payload=json.dumps({"id": tag}).encode())
                # As for PUTs (check_reply): a 202 without the server's headers is no acceptance.
                if reply.get("StatusCode") != 202 or not reply["ResponseMetadata"].get("HTTPHeaders"):
                    raise NotAnswered(f"invoke {tag}: status {reply.get('StatusCode')} without the server's headers")
                with ledger.lock:
                    ledger.events.add(tag)
                    ledger.counts["invokes"] += 1
            elif roll < 0.45:
                key = f"n/{tag}"
                body = body_for(seed, key, 0, rng.choice([10, 2000]))
                a = ledger.begin(key, len(body), hashlib.md5(body).hexdigest())
                check_reply(ledger, key, a, s3.put_object(Bucket="notified", Key=key, Body=body))
                ledger.ack(a, "notified")
                with ledger.lock:
                    ledger.notified.add(key)
            elif roll < 0.52:
                # Overwrites of hot keys may be multipart too; parts of 5 MiB, as S3 requires.
                key = f"hot/{rng.randrange(4)}" if rng.random() < 0.5 else f"mp/{tag}"
                sizes = [5 * MIB, rng.randrange(1, MIB)]
                parts = [body_for(seed, key + "/part", f"{tag}/{i}", s) for i, s in enumerate(sizes)]
                whole = b"".join(parts)
                a = ledger.begin(key, len(whole), hashlib.md5(whole).hexdigest())
                up = s3.create_multipart_upload(Bucket="data", Key=key)["UploadId"]
                etags = [s3.upload_part(Bucket="data", Key=key, UploadId=up, PartNumber=i + 1, Body=p)["ETag"]
                         for i, p in enumerate(parts)]
                s3.complete_multipart_upload(Bucket="data", Key=key, UploadId=up, MultipartUpload={
                    "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
                ledger.ack(a, "multipart")
            else:
                hot = roll < 0.75
                key = f"hot/{rng.randrange(4)}" if hot else f"obj/{tag}"
                large = rng.random() < 0.1
                size = rng.randrange(MIB, 4 * MIB) if large else rng.choice([0, 1, 100, 4096, 70000, 300000])
                body = body_for(seed, key, tag, size)
                a = ledger.begin(key, size, hashlib.md5(body).hexdigest())
                check_reply(ledger, key, a, s3.put_object(Bucket="data", Key=key, Body=body))
                ledger.ack(a, "overwrites" if hot else "large" if large else "puts")
        except Exception as e:  # noqa: BLE001
            # The server died under us: this attempt stays unacknowledged, and
            # the worker's round is over. Before the kill, an error is a finding.
            with ledger.lock:
                ledger.counts["failed"] += 1
                if not ledger.killing.is_set():
                    ledger.errors.append(f"round {ledger.round}, worker {wid}: {type(e).__name__}: {e}")
            return


class NotAnswered(Exception):
    """The client library's "success" was not the server's reply."""


def check_reply(ledger, key, attempt, reply):
    """Whether a PUT's 2xx is really the server's answer to it. At a kill -9,
    Debian's botocore sometimes returns status 200 with no headers at all for
    the request in flight: no x-amz-request-id, no ETag. That is no
    acknowledgement. A reply with headers must carry this body's md5 as its
    ETag; another is a reply to some other request, a finding."""
    meta = reply["ResponseMetadata"]
    attempt.request_id = meta.get("HTTPHeaders", {}).get("x-amz-request-id", "")
    if not attempt.request_id:
        raise NotAnswered(f"{key}: status {meta.get('HTTPStatusCode')} without the server's headers")
    etag = reply.get("ETag", "").strip('"')
    if etag != attempt.digest:
        with ledger.lock:
            ledger.mismatches.append(f"{key}: PUT answered with ETag {etag}, not its body's md5 {attempt.digest} "
                                     f"(request id {attempt.request_id})")


def bucket_for(key):
    return "notified" if key.startswith("n/") else "data"


def verify(s3, ledger, keys, data_dir):
    """Reads keys back, and every listed key never acknowledged (an in-flight
    write that landed must be whole); returns the problems found."""
    problems = []
    listed = set()
    for bucket in ("data", "notified"):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            listed.update(o["Key"] for o in page.get("Contents", []))
    acked = set(ledger.acknowledged_keys())
    problems += [f"{k}: listed but never written" for k in sorted(listed) if k not in ledger.attempts]
    for key in sorted(set(keys) | {k for k in listed - acked if k in ledger.attempts}):
        try:
            body = s3.get_object(Bucket=bucket_for(key), Key=key)["Body"].read()
        except Exception as e:  # noqa: BLE001 — any failure to read an acknowledged object is a loss
            ids = [a.request_id for a in ledger.attempts[key] if a.acked is not None]
            problems.append(f"{key}: acknowledged (request id {', '.join(ids)}) but unreadable: {e}")
            continue
        if not ledger.allowed(key, hashlib.md5(body).hexdigest(), len(body)):
            problems.append(f"{key}: holds {len(body)} bytes that no allowed version has (lost, torn or stale)")
    leftovers = os.listdir(Path(data_dir) / "tmp") if (Path(data_dir) / "tmp").exists() else []
    if leftovers:
        problems.append(f"tmp/ holds {len(leftovers)} files after the restart")
    return problems


def markers(s3):
    got = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="markers"):
        got.update(o["Key"] for o in page.get("Contents", []))
    return got


def owed(ledger):
    """The marker keys every accepted event and acknowledged notified upload owes."""
    with ledger.lock:
        return {"async/" + e for e in ledger.events} | {"notify/" + k for k in ledger.notified}


def deploy(server):
    s3 = boto3_client(server.endpoint)
    for b in ("data", "notified", "markers"):
        s3.create_bucket(Bucket=b)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", HANDLER)
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="marker", Runtime="python3.11", Role="arn:aws:iam::000000000000:role/r",
                        Handler="app.handler", Code={"ZipFile": buf.getvalue()}, Timeout=30, MemorySize=256)
    s3.put_bucket_notification_configuration(Bucket="notified", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": ARN, "Events": ["s3:ObjectCreated:*"]}]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0, help="most a round runs before its kill -9")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--sample", type=int, default=100, help="older keys re-read after each round")
    ap.add_argument("--deliver-timeout", type=float, default=180.0)
    ap.add_argument("--keep", action="store_true", help="keep the data directory and log")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"kill -9 campaign: {args.rounds} rounds of up to {args.seconds}s, {args.workers} workers, seed {seed}",
          flush=True)

    work = Path(tempfile.mkdtemp(prefix="nimbus-kill9-"))
    data_dir = work / "data"
    # Retries a few hundred ms apart, not Lambda's minutes: a run must end.
    server_args = ["--async-retry-delays-ms", "200", "--async-retry-delays-ms", "500"]
    ledger = Ledger()
    problems = []
    server = Nimbus(data_dir, server_args).start()
    deploy(server)
    verified = owed_across_kills = 0
    for r in range(1, args.rounds + 1):
        ledger.round = r
        ledger.killing.clear()
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(w, server.endpoint, seed, ledger, stop))
                   for w in range(args.workers)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, args.seconds))
        ledger.killing.set()
        server.kill9()
        ledger.end_round(time.monotonic())
        stop.set()
        for t in threads:
            t.join()
        server = Nimbus(data_dir, server_args).start()
        s3 = boto3_client(server.endpoint)
        acked = ledger.acknowledged_keys()
        # This round's keys, the hot ones, and a sample of older ones (all of
        # them are read at the end): a later crash must not damage them either.
        keys = {k for k in acked if k.startswith("hot/") or ledger.attempts[k][-1].round == r}
        keys.update(rng.sample(acked, min(args.sample, len(acked))))
        found = verify(s3, ledger, sorted(keys), data_dir)
        verified += len(keys) - len(found)
        problems += [f"round {r}: {p}" for p in found]
        # Deliveries still owed right after the restart: what the kill interrupted or held back.
        owed_now = len(owed(ledger) - markers(s3))
        owed_across_kills += owed_now
        print(f"round {r}: {sum(ledger.counts[k] for k in ('puts', 'large', 'multipart', 'overwrites', 'notified'))}"
              f" uploads and {ledger.counts['invokes']} invokes acknowledged so far; re-read {len(keys)},"
              f" {len(found)} problems; {owed_now} deliveries owed at the restart", flush=True)

    # The end: every acknowledged object, and every owed delivery.
    s3 = boto3_client(server.endpoint)
    acked = ledger.acknowledged_keys()
    found = verify(s3, ledger, sorted(acked), data_dir)
    problems += [f"final: {p}" for p in found]
    deadline = time.time() + args.deliver_timeout
    got = markers(s3)
    while not owed(ledger) <= got and time.time() < deadline:
        time.sleep(1)
        got = markers(s3)
    undelivered = sorted(owed(ledger) - got)
    problems += [f"never delivered: {m}" for m in undelivered[:50]]
    code = server.stop()
    if code != 0:
        problems.append(f"nimbus exited {code} at the final stop")
    if m := SANITIZER_REPORT.search(server.log_text()):
        problems.append("a sanitizer reported in nimbus:\n" + server.log_text()[m.start():m.start() + 6000])

    c = ledger.counts
    events_delivered = len({"async/" + e for e in ledger.events} & got)
    notes_delivered = len({"notify/" + k for k in ledger.notified} & got)
    print(f"acknowledged: {c['puts']} small PUTs, {c['large']} large PUTs, {c['multipart']} multipart, "
          f"{c['overwrites']} overwrites of hot keys, {c['notified']} notified uploads "
          f"({len(acked)} distinct keys); {c['failed']} requests cut by a kill")
    print(f"objects: {len(acked)} verified at the end, {verified} re-reads during rounds, "
          f"{len(found)} lost or wrong at the end")
    print(f"async events: {len(ledger.events)} accepted, {events_delivered} delivered; "
          f"notifications: {len(ledger.notified)} owed, {notes_delivered} delivered; "
          f"{owed_across_kills} deliveries were owed across a kill (summed over rounds)")
    problems += ledger.mismatches
    print(f"errors from a server not being killed: {len(ledger.errors)}")
    for e in ledger.errors[:20]:
        print("ERROR", e)
    for p in problems[:100]:
        print("PROBLEM", p)
    print("FAILED" if problems else "OK", f"(seed {seed}, log {server.log_path})", flush=True)
    if problems or args.keep:
        print(f"data kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
