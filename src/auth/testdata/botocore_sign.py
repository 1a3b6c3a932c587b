"""Signs tricky requests with botocore (Debian's python3-botocore) and prints
them as JSON lines, one request each: the oracle for sigv4_botocore_test.

Run with /usr/bin/python3. Output: {"method", "target", "headers": [[k, v]...],
"now_ms", "service"}.
"""
import json
import sys
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
CASES = [
    ("s3", "GET", "http://127.0.0.1:4566/bucket/plain.txt", {}, b""),
    ("s3", "PUT", "http://127.0.0.1:4566/bucket/dir/a%20b%2Bc%E2%82%AC.txt", {"Content-Type": "text/plain",
                                                                             "X-Amz-Meta-Note": "  two  spaces "}, b"body"),
    ("s3", "GET", "http://127.0.0.1:4566/bucket?list-type=2&prefix=a%2Fb%20c&delimiter=%2F&max-keys=7", {}, b""),
    ("s3", "POST", "http://127.0.0.1:4566/bucket/key?uploads", {}, b""),
    ("s3", "DELETE", "http://127.0.0.1:4566/bucket/k%27%28%29%2A%21?uploadId=abc%3D%3D", {}, b""),
    ("s3", "GET", "http://127.0.0.1:4566/bucket/%E6%97%A5%E6%9C%AC/..%2Fx", {"Range": "bytes=0-9"}, b""),
    ("s3-presign", "GET", "http://127.0.0.1:4566/bucket/pre%20signed.txt?response-content-type=text%2Fplain", {}, b""),
    ("lambda", "POST", "http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
     {"X-Amz-Invocation-Type": "Event"}, b'{"k": 1}'),
]

for kind, method, url, headers, body in CASES:
    req = AWSRequest(method=method, url=url, headers=headers, data=body)
    if kind == "s3":
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    elif kind == "s3-presign":
        S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=300).add_auth(req)
    else:
        SigV4Auth(creds, "lambda", "us-east-1").add_auth(req)
    split = urlsplit(req.url)
    target = split.path + ("?" + split.query if split.query else "")
    hdrs = [[k.lower(), v.decode() if isinstance(v, bytes) else v] for k, v in req.headers.items()]
    hdrs.append(["host", split.netloc])
    date = req.context.get("timestamp") or dict(hdrs).get("x-amz-date")
    print(json.dumps({"method": method, "target": target, "headers": hdrs, "amz_date": date,
                      "service": "lambda" if kind == "lambda" else "s3",
                      "body_sha256": __import__("hashlib").sha256(body).hexdigest()}))
sys.stdout.flush()
