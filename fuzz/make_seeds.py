"""Writes the seed corpora in fuzz/corpus/ (run with /usr/bin/python3 from
anywhere; the output is committed, so run it again only to change seeds).
Requests are signed by botocore (Debian's python3-botocore) and by the
independent signer tests/e2e/sigv4.py, all at 2026-12-02T12:00:00Z, the
moment the targets take as now (fuzz/request_text.h: kSeedTimeMs)."""
import base64
import datetime
import email.utils
import io
import os
import stat
import sys
import time
import zipfile
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import sigv4  # noqa: E402

import botocore.auth as bauth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

NOW = datetime.datetime(2026, 12, 2, 12, 0, 0)
EPOCH = 1796212800


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return NOW


class _DatetimeModule:
    datetime = _FixedDatetime

    def __getattr__(self, name):
        return getattr(datetime, name)


bauth.datetime = _DatetimeModule()
bauth.formatdate = lambda *a, **k: email.utils.formatdate(EPOCH, usegmt=True)
time.time = lambda: float(EPOCH)

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
TEST = Credentials("test", "test")


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def text_request(method, target, headers, body=b""):
    lines = [f"{method} {target}"] + [f"{k}: {v}" for k, v in headers]
    return ("\n".join(lines) + "\n\n").encode() + body


def signed(auth, method, url, headers=None, body=b""):
    req = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    auth.add_auth(req)
    split = urlsplit(req.url)
    target = split.path + ("?" + split.query if split.query else "")
    hdrs = [(k.lower(), v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()]
    hdrs.append(("host", split.netloc))
    return text_request(method, target, hdrs, body)


def auth_seeds():
    s3 = bauth.S3SigV4Auth(CREDS, "s3", "us-east-1")
    out("sigv4", "s3_get", signed(s3, "GET", "http://127.0.0.1:4566/bucket/plain.txt"))
    out("sigv4", "s3_put_meta", signed(s3, "PUT", "http://127.0.0.1:4566/bucket/dir/a%20b%2Bc%E2%82%AC.txt",
                                       {"Content-Type": "text/plain", "X-Amz-Meta-Note": "  two  spaces "}, b"body"))
    out("sigv4", "s3_list", signed(s3, "GET", "http://127.0.0.1:4566/bucket?list-type=2&prefix=a%2Fb%20c&delimiter=%2F"))
    out("sigv4", "s3_presigned", signed(bauth.S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=300), "GET",
                                        "http://127.0.0.1:4566/bucket/pre%20signed.txt?response-content-type=text%2Fplain"))
    out("sigv4", "lambda_invoke", signed(bauth.SigV4Auth(CREDS, "lambda", "us-east-1"), "POST",
                                         "http://127.0.0.1:4566/2015-03-31/functions/f/invocations",
                                         {"X-Amz-Invocation-Type": "Event"}, b'{"k": 1}'))
    out("sigv4", "logs_filter", signed(bauth.SigV4Auth(CREDS, "logs", "us-east-1"), "POST", "http://127.0.0.1:4566/",
                                       {"X-Amz-Target": "Logs_20140328.FilterLogEvents",
                                        "Content-Type": "application/x-amz-json-1.1"},
                                       b'{"logGroupName":"/aws/lambda/f","filterPattern":"ERROR"}'))
    # aws-chunked uploads, signed chunk by chunk (and with a signed trailer).
    signer = sigv4.Signer(when=NOW.replace(tzinfo=datetime.timezone.utc))
    for name, mode, kw in [("chunked_signed", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", {}),
                           ("chunked_signed_trailer", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                            {"trailer": ("x-amz-checksum-crc32", "NSRBwg=="), "sign_trailer": True}),
                           ("chunked_unsigned_trailer", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                            {"trailer": ("x-amz-checksum-crc32", "NSRBwg==")})]:
        headers = {"host": "127.0.0.1:4566", "content-encoding": "aws-chunked",
                   "x-amz-decoded-content-length": "11"}
        if "trailer" in kw:
            headers["x-amz-trailer"] = "x-amz-checksum-crc32"
        seed = signer.sign("PUT", "/bucket/chunked.txt", headers, mode)
        body = sigv4.aws_chunked(b"hello world", 4, signer if "UNSIGNED" not in mode else None, seed, **kw)
        out("sigv4", name, text_request("PUT", "/bucket/chunked.txt", sorted(headers.items()), body))

    v2 = bauth.HmacV1Auth(TEST)
    out("sigv2", "header_get", signed(v2, "GET", "http://127.0.0.1:4566/bucket/key.txt?acl"))
    out("sigv2", "header_put", signed(v2, "PUT", "http://127.0.0.1:4566/bucket/k%20x",
                                      {"Content-Type": "image/png", "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
                                       "X-Amz-Meta-A": "1", "x-amz-meta-a": "2"}, b""))
    out("sigv2", "presigned", signed(bauth.HmacV1QueryAuth(TEST, expires=3600), "GET",
                                     "http://127.0.0.1:4566/bucket/key.txt?response-content-type=text%2Fplain"))
    out("sigv2", "virtual_host", signed(v2, "GET", "http://bucket.s3.localhost:4566/key.txt?uploadId=x&partNumber=2"))


def chunked_seeds():
    # aws_chunked_fuzz: byte 0 the payload mode, byte 1 the split seed, then the body.
    signer = sigv4.Signer(when=NOW.replace(tzinfo=datetime.timezone.utc))
    seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    crc = ("x-amz-checksum-crc32", "DUoRhQ==")
    cases = [
        ("signed_hash", 0, b"hello"),
        ("unsigned", 1, b"anything at all"),
        ("signed_chunks", 2, sigv4.aws_chunked(b"hello world, in chunks", 5, signer, seed)),
        ("signed_trailer", 3, sigv4.aws_chunked(b"hello world", 64, signer, seed, trailer=crc, sign_trailer=True)),
        ("unsigned_trailer", 4, sigv4.aws_chunked(b"hello world", 3, trailer=crc)),
        ("unsigned_two_trailers", 4, b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-checksum-sha256: "
                                     b"LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\r\n\r\n"),
        ("unsigned_empty", 4, b"0\r\n\r\n"),
    ]
    for name, mode, body in cases:
        out("aws_chunked", name, bytes([mode, 7]) + body)


def xml_seeds():
    ns = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
    out("s3_xml", "notification", f'<NotificationConfiguration{ns}><CloudFunctionConfiguration><Id>thumbs</Id>'
        '<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumbnail</CloudFunction>'
        '<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Prefix</Name><Value>in/</Value></FilterRule>'
        '<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>'
        '<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumbnail:live'
        '</CloudFunction><Event>s3:ObjectRemoved:Delete</Event></CloudFunctionConfiguration></NotificationConfiguration>')
    out("s3_xml", "notification_lambda_name", f'<NotificationConfiguration{ns}><LambdaFunctionConfiguration>'
        '<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumbnail</CloudFunction>'
        '<Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Put</Event></LambdaFunctionConfiguration>'
        '<QueueConfiguration/></NotificationConfiguration>')
    out("s3_xml", "notification_empty", f'<NotificationConfiguration{ns}/>')
    out("s3_xml", "notification_eventbridge", f'<NotificationConfiguration{ns}><EventBridgeConfiguration>'
        '</EventBridgeConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:uploads</Queue>'
        '<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>')
    out("s3_xml", "delete", f'<?xml version="1.0" encoding="UTF-8"?>\n<Delete{ns}><Object><Key>a.txt</Key></Object>'
        '<Object><Key>dir/b &amp; c.txt</Key><VersionId>null</VersionId></Object><Quiet>true</Quiet></Delete>')
    out("s3_xml", "complete_multipart", f'<CompleteMultipartUpload{ns}><Part><ETag>"7778aef83f66abc1fa1e8477f296d394"'
        '</ETag><PartNumber>1</PartNumber></Part><Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32>'
        '<ETag>&quot;8e1b7d6c4a3f2e1d0c9b8a7f6e5d4c3b&quot;</ETag><PartNumber>2</PartNumber></Part>'
        '</CompleteMultipartUpload>')
    out("s3_xml", "create_bucket", f'<CreateBucketConfiguration{ns}><LocationConstraint>eu-west-1</LocationConstraint>'
        '</CreateBucketConfiguration>')
    out("s3_xml", "bucket_tagging", f'<Tagging{ns}><TagSet><Tag><Key>project</Key><Value>nimbus e2e</Value></Tag>'
        '<Tag><Key>empty</Key><Value></Value></Tag><Tag><Key> </Key><Value> </Value></Tag></TagSet></Tagging>')
    out("s3_xml", "doctype_entities", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><Delete><Object><Key>&e;'
        '&#x1F600;&#0;</Key></Object></Delete>')


def access_seeds():
    """Bucket access documents (s3_xml) and browser form uploads (s3_form: the
    first byte picks the read size, the rest is the body with boundary B)."""
    out("s3_xml", "cors", '<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>'
        '<AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>'
        '<MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>')
    out("s3_xml", "acl", '<AccessControlPolicy><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a'
        '</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ'
        '</Permission></Grant></AccessControlList></AccessControlPolicy>')
    out("s3_xml", "public_access_block", '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>'
        '</PublicAccessBlockConfiguration>')
    out("s3_form", "form_boto3", b'\x07--B\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/${filename}\r\n'
        b'--B\r\nContent-Disposition: form-data; name="policy"\r\n\r\neyJ4IjoxfQ==\r\n--B\r\nContent-Disposition: '
        b'form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n--B-not-a-boundary\r\n--Bx\r\n'
        b'--B--\r\n')
    out("s3_form", "form_fields_after_file", b'\x00--B\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--B\r\n'
        b'Content-Disposition: form-data; name="file"; filename="f"\r\n\r\n\r\n--B\r\nContent-Disposition: form-data; '
        b'name="ignored"\r\n\r\nv\r\n--B--\r\n')
    out("s3_form", "post_policy", b'\x01{"expiration": "2026-12-03T12:00:00Z", "conditions": [{"bucket": "b"}, '
        b'["starts-with", "$key", "u/"], ["content-length-range", 1, 1000], ["eq", "$Content-Type", "image/png"]]}')
    out("s3_form", "bucket_policy", b'\x02{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
        b'"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}')


def request_seeds():
    out("s3_request", "path_style", text_request("GET", "/photos/in/red%20flower+1.jpg?uploads&prefix=a%2Fb+c",
                                                 [("host", "127.0.0.1:4566"), ("range", "bytes=0-9")]))
    out("s3_request", "virtual_host", text_request("HEAD", "/k%2F..%2Fx?versionId=null",
                                                   [("host", "Bucket.S3.LocalHost:4566"), ("range", "bytes=-5"),
                                                    ("if-none-match", '"d41d8cd98f00b204e9800998ecf8427e", W/"x"')]))
    out("s3_request", "absolute_form", text_request("GET", "http://bucket.localhost:4566/key?x-id=GetObject",
                                                    [("host", "[::1]:4566"), ("range", "bytes=5-")]))
    out("s3_request", "copy", text_request("PUT", "/dst/key", [
        ("host", "localhost:4566"), ("x-amz-copy-source", "/src%20bucket/a%2Fb.txt?versionId=null"),
        ("x-amz-copy-source-if-match", '"d41d8cd98f00b204e9800998ecf8427e"'),
        ("x-amz-copy-source-if-modified-since", "Wed, 02 Dec 2026 11:00:00 GMT"),
        ("x-amz-copy-source-range", "bytes=0-99"), ("content-type", "text/plain"),
        ("content-encoding", "aws-chunked,gzip"), ("x-amz-meta-owner", "me"), ("cache-control", "no-cache"),
        ("if-unmodified-since", "Tuesday, 01-Dec-26 12:00:00 GMT")]))


def json_seeds():
    out("lambda_json", "create_function",
        '{"FunctionName":"thumbnail","Runtime":"provided.al2023","Role":"arn:aws:iam::000000000000:role/lambda",'
        '"Handler":"bootstrap","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},"Description":"",'
        '"Timeout":30,"MemorySize":512,"Publish":false,"Environment":{"Variables":{"BUCKET":"photos"}},'
        '"EphemeralStorage":{"Size":1024},"Architectures":["x86_64"]}')
    out("lambda_json", "update_configuration", '{"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:f:live",'
        '"Timeout":900,"Runtime":"python3.12","Environment":{"Variables":{}}}')
    out("lambda_json", "event_invoke_config", '{"FunctionName":"f","MaximumRetryAttempts":0,'
        '"MaximumEventAgeInSeconds":3600,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:s3:::dlq"},'
        '"OnSuccess":{}}}')
    out("lambda_json", "concurrency", '{"ReservedConcurrentExecutions":10,"ProvisionedConcurrentExecutions":2}')
    out("lambda_json", "code_s3", '{"S3Bucket":"code","S3Key":"fn.zip","FunctionName":"000000000000:function:f"}')
    out("logs_json", "filter_log_events", '{"logGroupName":"/aws/lambda/thumbnail","logStreamNames":["2026/12/02/[$LATEST]ab"],'
        '"startTime":1796212800000,"endTime":1796216400000,"filterPattern":"?ERROR ?WARN -DEBUG","limit":100,'
        '"interleaved":true,"nextToken":"12"}')
    out("logs_json", "get_log_events", '{"logGroupIdentifier":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*",'
        '"logStreamName":"s","startFromHead":true,"nextToken":"f/00000000000000000042","limit":10000}')
    out("logs_json", "describe_log_streams", '{"logGroupName":"/aws/lambda/f","orderBy":"LastEventTime",'
        '"descending":true,"limit":50}')
    out("logs_json", "put_retention", '{"logGroupName":"/aws/lambda/f","retentionInDays":14}')
    out("logs_json", "describe_log_groups", '{"logGroupNamePrefix":"/aws/lambda/","limit":1.5e0}')


def filter_seeds():
    for i, p in enumerate(['', 'ERROR', 'ERROR timeout', '"Task timed out"', '?ERROR ?WARN', '-DEBUG ERROR',
                           '?"s3:ObjectCreated:Put" -"in/a"', '{ $.level = "ERROR" }', '[ip, user, ..., status=5*]',
                           'ERROR -"quoted \\"inner\\"" ?x']):
        out("filter_pattern", f"pattern_{i}", p)


def zip_bytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 2, 12, 0, 0))
            info.create_system = 3
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def zip_seeds():
    reg, exe, lnk, d = stat.S_IFREG | 0o644, stat.S_IFREG | 0o755, stat.S_IFLNK | 0o777, stat.S_IFDIR | 0o755
    out("zip", "python_handler", zip_bytes([("lambda_function.py", "def handler(e, c):\n    return e\n", reg),
                                            ("pkg/", "", d), ("pkg/__init__.py", "", reg)]))
    out("zip", "bootstrap_exec", zip_bytes([("bootstrap", "#!/bin/sh\necho hi\n", exe)]))
    out("zip", "traversal_dotdot", zip_bytes([("../escaped.txt", "x", reg)]))
    out("zip", "traversal_absolute", zip_bytes([("/tmp/nimbus-zip-fuzz-abs.txt", "x", reg)]))
    out("zip", "symlink_out", zip_bytes([("link", "..", lnk), ("link/escaped.txt", "x", reg)]))
    out("zip", "symlink_inside", zip_bytes([("lib/real.py", "x = 1\n", reg), ("alias.py", "lib/real.py", lnk)]))
    out("zip", "empty", zip_bytes([]))


def prelude_seeds():
    # url_prelude: the first byte is the piece size (byte % 16 + 1), then a RESPONSE_STREAM stream.
    nul8 = b"\0" * 8
    out("url_prelude", "status-headers-cookies",
        b"\x03" + b'{"statusCode":201,"headers":{"Content-Type":"text/plain","x-a":"b"},"cookies":["a=1; Path=/"]}'
        + nul8 + b"first chunk")
    out("url_prelude", "headers-only", b"\x0f" + b'{"headers":{"x-n":5}}' + nul8)
    out("url_prelude", "seven-nuls", b"\x00" + b"{}" + b"\0" * 7 + b"x" + nul8 + b"body")
    out("url_prelude", "not-json", b"\x07" + b"[1,2]" + nul8 + b"body\0\0")
    out("url_prelude", "unterminated", b"\x01" + b'{"statusCode":"404"}')


def sqs_seeds():
    # sqs_input: the first byte picks the parser (0 query form, 1 JSON attributes, 2 receipt handle, 3 queue URL).
    out("sqs_input", "query-batch",
        b"\x00Action=SendMessageBatch&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq"
        b"&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
        b"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
        b"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number.float"
        b"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=1.5"
        b"&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two")
    out("sqs_input", "query-attributes",
        b"\x00Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary"
        b"&MessageAttribute.1.Value.BinaryValue=SGVsbG8%3D&MessageSystemAttribute.1.Name=AWSTraceHeader"
        b"&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1"
        b"&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0&AttributeName.1=All&Tag.1.Key=k&Tag.1.Value=v")
    out("sqs_input", "json-attributes",
        b'\x01{"s":{"DataType":"String","StringValue":"v"},"n":{"DataType":"Number","StringValue":"-1e5"},'
        b'"b":{"DataType":"Binary.png","BinaryValue":"AAE="},"l":{"DataType":"String","StringListValues":[]}}')
    out("sqs_input", "receipt", b"\x02" + base64.b64encode(b"nr1 q 6f1d2c1e-0000-4000-8000-000000000000 abcdef"))
    out("sqs_input", "receipt-bad", b"\x02bnIxIHE=")
    out("sqs_input", "url", b"\x03http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q.fifo")
    out("sqs_input", "path-url", b"\x03http://localhost:4566/queue/us-east-1/000000000000/q")
    out("sqs_input", "arn", b"\x03arn:aws:sqs:us-east-1:000000000000:orders")


def scheduler_seeds():
    # scheduler_request: the first byte picks the reader (0 CreateSchedule body, 1 expression and zone, 2 target ARN).
    import json
    role = "arn:aws:iam::000000000000:role/scheduler"
    bodies = {
        "rate-queue": {"Name": "tick", "ScheduleExpression": "rate(5 minutes)", "FlexibleTimeWindow": {"Mode": "OFF"},
                       "Target": {"Arn": "arn:aws:sqs:us-east-1:000000000000:ticks", "RoleArn": role,
                                  "Input": "tick <aws.scheduler.scheduled-time> <aws.scheduler.attempt-number>"}},
        "cron-zone-flexible": {"Name": "morning", "ScheduleExpression": "cron(0 9 ? * MON-FRI *)",
                               "ScheduleExpressionTimezone": "America/New_York", "StartDate": 1796212800,
                               "EndDate": 1830000000.5,
                               "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                               "Target": {"Arn": "arn:aws:lambda:us-east-1:000000000000:function:f", "RoleArn": role,
                                          "Input": "{\"n\": <aws.scheduler.attempt-number>}",
                                          "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
                                          "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}},
        "at-bus": {"Name": "once", "ScheduleExpression": "at(2027-03-14T02:30:00)",
                   "ScheduleExpressionTimezone": "Europe/Berlin", "ActionAfterCompletion": "DELETE",
                   "FlexibleTimeWindow": {"Mode": "OFF"},
                   "Target": {"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default", "RoleArn": role,
                              "Input": "{\"arn\": \"<aws.scheduler.schedule-arn>\"}",
                              "EventBridgeParameters": {"DetailType": "Tick", "Source": "shop.clock"}}},
        "refused": {"Name": "x", "ScheduleExpression": "rate(1 minutes)", "KmsKeyArn": "k",
                    "FlexibleTimeWindow": {"Mode": "FLEXIBLE"},
                    "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "RoleArn": "r",
                               "SqsParameters": {"MessageGroupId": "g"}}},
    }
    for name, body in bodies.items():
        out("scheduler_request", name, b"\x00" + json.dumps(body).encode())
    for name, text in {"cron-dst": "cron(30 1 * * ? *)\nAmerica/New_York", "rate-days": "rate(7 days)\nUTC",
                       "cron-last": "cron(0 0 L * ? 2027-2030)\nAsia/Kolkata", "nth": "cron(15 10 ? * 6#3 *)\n",
                       "at": "at(2027-11-07T01:30:00)\nAmerica/New_York"}.items():
        out("scheduler_request", name, b"\x01" + text.encode())
    out("scheduler_request", "arn", b"\x02arn:aws:lambda:us-east-1:000000000000:function:f:live")


if __name__ == "__main__":
    auth_seeds()
    chunked_seeds()
    xml_seeds()
    access_seeds()
    request_seeds()
    json_seeds()
    filter_seeds()
    zip_seeds()
    prelude_seeds()
    sqs_seeds()
    scheduler_seeds()
