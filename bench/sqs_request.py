"""Writes one SigV4-signed SQS request for wrk to replay (bench/sqs_wrk.sh).

    /usr/bin/python3 bench/sqs_request.py ENDPOINT QUEUE_NAME send|batch OUTDIR

Creates the queue (boto3), then signs, with the query protocol (what boto3 1.26
and the AWS CLI 2.9 send), a SendMessage of a 200-byte body or a
SendMessageBatch of 10 such entries to it, and writes OUTDIR/body and
OUTDIR/headers in the bench-kit driver's format; prints the request path.
Signed requests are valid for 15 minutes.
"""
import hashlib
import os
import sys
from urllib.parse import urlencode, urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"


def main(endpoint, queue, kind, outdir):
    creds = Credentials("test", "test")
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                       aws_secret_access_key="test")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    params = {"Action": "SendMessage" if kind == "send" else "SendMessageBatch", "Version": "2012-11-05",
              "QueueUrl": url}
    if kind == "send":
        params["MessageBody"] = "x" * 200
    else:
        for i in range(1, 11):
            params[f"SendMessageBatchRequestEntry.{i}.Id"] = str(i)
            params[f"SendMessageBatchRequestEntry.{i}.MessageBody"] = "x" * 200
    body = urlencode(params).encode()
    host = urlsplit(endpoint).netloc
    headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
               "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()}
    req = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body, headers=headers)
    SigV4Auth(creds, "sqs", REGION).add_auth(req)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "body"), "wb") as f:
        f.write(body)
    with open(os.path.join(outdir, "headers"), "w") as f:
        for k, v in req.headers.items():
            f.write("%s: %s\n" % (k, v))
    print("/")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
