"""streaming: a Python function that streams its response (a nimbus extension:
a handler returning a generator streams each item as one chunk).

The event says how: {"chunks": 3, "sleep_ms": 2000, "fail_after": 2} yields
"chunk 0\\n", "chunk 1\\n", ... pausing between them, and, with fail_after,
raises after that many chunks (the stream ends with the error)."""
import time


def handler(event, context):
    chunks = int(event.get("chunks", 3))
    sleep_ms = int(event.get("sleep_ms", 0))
    fail_after = event.get("fail_after")
    context.response_content_type = "text/plain"
    for i in range(chunks):
        if fail_after is not None and i == int(fail_after):
            raise RuntimeError(f"failed after {i} chunks")
        if i and sleep_ms:
            time.sleep(sleep_ms / 1000)
        print(f"sending chunk {i}")
        yield f"chunk {i}\n"
    if fail_after is not None and int(fail_after) == chunks:
        raise RuntimeError(f"failed after {chunks} chunks")
