"""HTTP framing an attacker controls never takes nimbus down, never exhausts
it and never desynchronises it: chunk trailers and extensions count against
the header limit, Transfer-Encoding that does not end in chunked is refused
and the connection closed (RFC 9112 6.3), absurd chunk sizes and bare-LF
chunk lines fail at once, a stalled body is told RequestTimeout."""
import socket
import time

import pytest

from conftest import Nimbus, boto3_client, read_until_closed
from sigv4 import Signer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("hostile") / "data", ["--stall-timeout", "3"]).start()
    boto3_client(s.endpoint).create_bucket(Bucket="hostile")
    yield s
    assert s.stop() == 0, s.log_text()


def alive(server):
    assert server.proc.poll() is None, "nimbus died:\n" + server.log_text()[-3000:]
    s3 = boto3_client(server.endpoint)
    s3.put_object(Bucket="hostile", Key="alive", Body=b"yes")
    assert s3.get_object(Bucket="hostile", Key="alive")["Body"].read() == b"yes"


def signed_head(server, method, path, extra):
    """A request head signed for an unsigned payload, so that nimbus reads the body."""
    headers = {"host": f"127.0.0.1:{server.port}"}
    headers.update(extra)
    Signer().sign(method, path, headers, "UNSIGNED-PAYLOAD")
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def exchange(server, data, timeout=10, chunks=None):
    """Sends data (and then each of chunks, while the server still reads), returns all it answers until close."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        try:
            for c in chunks or ():
                s.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the end: the answer is what matters
        return read_until_closed(s)


def chunked_put(server, key, body_chunks, extra=None):
    head = signed_head(server, "PUT", f"/hostile/{key}", {"transfer-encoding": "chunked", **(extra or {})})
    return exchange(server, head + body_chunks)


def test_large_trailer_field_is_refused_not_a_crash(server):
    # 65,600 bytes in one trailer field aborted nimbus before (Beast threw std::length_error).
    out = chunked_put(server, "t1", b"5\r\nhello\r\n0\r\nX-Big: " + b"a" * 65600 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431") and b"RequestHeaderSectionTooLarge" in out, out[:300]
    alive(server)
    # Within the budget a trailer is fine, and the object is stored.
    out = chunked_put(server, "t2", b"5\r\nhello\r\n0\r\nX-Small: " + b"a" * 1000 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200"), out[:300]
    assert boto3_client(server.endpoint).get_object(Bucket="hostile", Key="t2")["Body"].read() == b"hello"


def rss_kb(server):
    for line in open(f"/proc/{server.proc.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def test_many_connections_with_endless_trailers_stay_bounded(server):
    before = rss_kb(server)
    conns = []
    for i in range(10):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(signed_head(server, "PUT", f"/hostile/e{i}", {"transfer-encoding": "chunked"}) + b"1\r\nx\r\n0\r\n")
        conns.append(s)
    field = b"X-T: " + b"b" * 60000 + b"\r\n"
    answers = []
    for s in conns:
        try:
            for _ in range(1000):  # 60 MB per connection if nothing stopped it
                s.sendall(field)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = read_until_closed(s)
        answers.append(out)
        s.close()
    assert all(a.startswith(b"HTTP/1.1 431") for a in answers), [a[:80] for a in answers]
    print(f"10 connections x 60 MB of trailers: RSS {before} -> {rss_kb(server)} kB")
    assert rss_kb(server) - before < 64 * 1024, (before, rss_kb(server))
    alive(server)


def test_huge_chunk_extension_is_refused(server):
    head = signed_head(server, "PUT", "/hostile/ext", {"transfer-encoding": "chunked"})
    t = time.time()
    out = exchange(server, head + b"5;name=", chunks=[b"v" * 65536] * 16 + [b"\r\nhello\r\n0\r\n\r\n"])
    assert out.startswith(b"HTTP/1.1 431"), out[:300]
    assert time.time() - t < 3
    alive(server)


@pytest.mark.parametrize("te,status", [
    ("gzip", 400), ("chunked, identity", 400), ("identity", 400), ("xchunked", 400),
    ("gzip, chunked", 501), ("chunked, chunked", 501)])
def test_transfer_encoding_not_ending_in_chunked_is_refused_and_closed(server, te, status):
    # Before, the body was taken as empty and run as the next request, without credentials.
    smuggled = b"DELETE /h/alive HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    head = signed_head(server, "PUT", "/hostile/te", {"transfer-encoding": te})
    out = exchange(server, head + b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 %d" % status), out[:300]
    assert out.count(b"HTTP/1.1 ") == 1, out  # nothing after it was run: the connection was closed
    alive(server)


def test_transfer_encoding_with_content_length_is_refused_and_closed(server):
    head = signed_head(server, "PUT", "/hostile/tecl", {"transfer-encoding": "xchunked", "content-length": "5"})
    t = time.time()
    out = exchange(server, head + b"hello")
    assert out.startswith(b"HTTP/1.1 400") and out.count(b"HTTP/1.1 ") == 1, out[:300]
    assert time.time() - t < 2  # closed by the server, not kept open
    head = signed_head(server, "PUT", "/hostile/tecl", {"transfer-encoding": "chunked", "content-length": "5"})
    assert exchange(server, head + b"5\r\nhello\r\n0\r\n\r\n").startswith(b"HTTP/1.1 400")
    alive(server)


@pytest.mark.parametrize("body", [b"ffffffffffffffff\r\nabc", b"5\nhello\n0\n\n", b"5\r\nhello\r\n0\n\n"],
                         ids=["max-size", "lf-only", "lf-only-last-chunk"])
def test_bad_chunk_lines_fail_at_once(server, body):
    head = signed_head(server, "PUT", "/hostile/bad-chunk", {"transfer-encoding": "chunked"})
    t = time.time()
    out = exchange(server, head + body)
    assert out.startswith(b"HTTP/1.1 400"), out[:300]
    assert time.time() - t < 2, "waited for the stall timeout instead of refusing at once"
    alive(server)


def test_stalled_body_is_told_request_timeout(server):
    head = signed_head(server, "PUT", "/hostile/stall", {"content-length": "100"})
    t = time.time()
    out = exchange(server, head + b"only-a-bit")
    assert out.startswith(b"HTTP/1.1 400") and b"<Code>RequestTimeout</Code>" in out, out[:300]
    assert 2.5 < time.time() - t < 8
    alive(server)
