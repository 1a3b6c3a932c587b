"""SQS across kill -9: every SendMessage that was acknowledged is there after
the restart (counted: acknowledged vs. received back), and a message in flight
when nimbus died stays invisible until its visibility deadline, not until the
restart, then comes back with its receive counted."""
import threading
import time

import boto3
from botocore.config import Config

from conftest import Nimbus


def sqs_client(endpoint):
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))


def drain(sqs, url):
    """Every message receivable now, by body (each kept in flight for a minute)."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if not got:
            return bodies
        bodies += [m["Body"] for m in got]


def test_acknowledged_sends_survive_kill9(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    url = sqs_client(server.endpoint).create_queue(QueueName="durable")["QueueUrl"]
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def sender(n):
        sqs = sqs_client(server.endpoint)
        i = 0
        while not stop.is_set():
            body = f"{n}-{i}"
            try:
                if i % 3 == 0:
                    r = sqs.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "MessageBody": f"{body}-{k}"} for k in range(5)])
                    ok = [f"{body}-{e['Id']}" for e in r["Successful"]]
                else:
                    sqs.send_message(QueueUrl=url, MessageBody=body)
                    ok = [body]
            except Exception:  # the server died under this call: not acknowledged
                return
            with lock:
                acked.extend(ok)
            i += 1

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) > 50, "the senders got going before the kill"

    again = Nimbus(data).start()
    try:
        back = drain(sqs_client(again.endpoint), url)
        missing = set(acked) - set(back)
        print(f"acknowledged {len(acked)}, received back {len(back)} (unacknowledged sends that landed: "
              f"{len(set(back) - set(acked))})")
        assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
        assert len(back) == len(set(back)), "no message twice"
    finally:
        assert again.stop() == 0


def test_in_flight_messages_come_back_at_their_deadline_not_at_restart(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    sqs = sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="leases")["QueueUrl"]
    for i in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    held = []
    leased_after = time.time()  # every lease below ends 5 s after this, or later
    while len(held) < 10:
        held += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10 - len(held), VisibilityTimeout=5)["Messages"]
    received_at = time.time()
    held_bodies = {m["Body"] for m in held}
    server.kill9()

    again = Nimbus(data).start()
    try:
        sqs = sqs_client(again.endpoint)
        if time.time() - received_at < 4:  # the restart was quicker than the lease: it must still hold
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            assert counts["ApproximateNumberOfMessagesNotVisible"] == "10", counts
            now = drain(sqs, url)
            assert len(now) == 10 and not (set(now) & held_bodies), now
        else:
            drain(sqs, url)
        back = []
        while len(back) < 10:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10,
                                      AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
            assert got, "the held messages came back within a wait after their deadline"
            back += got
        assert {m["Body"] for m in back} == held_bodies
        assert all(m["Attributes"]["ApproximateReceiveCount"] == "2" for m in back)
        assert time.time() - leased_after >= 5, "not before the visibility deadline"
    finally:
        assert again.stop() == 0
