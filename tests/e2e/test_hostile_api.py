"""Inputs that a review found could end the server, or bring it down again
at every start: each is refused with the service's own error, nimbus keeps
serving, and it starts again on the same data directory."""
import io
import os
import stat
import urllib.request
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, boto3_client, python_zip
from sigv4 import Signer, send
from test_lambda import ROLE, lambda_client

APP = "def handler(event, context):\n    return {'ok': True}\n"


@pytest.fixture
def server(tmp_path):
    s = Nimbus(tmp_path / "data").start()
    lambda_client(s.endpoint).create_function(FunctionName="f", Runtime="python3.11", Role=ROLE,
                                              Handler="app.handler", Code={"ZipFile": python_zip({"app.py": APP})})
    yield s
    assert s.stop() == 0, s.log_text()[-3000:]


def restarts(server):
    """Stops nimbus and starts it again on the same data: nothing stored may stop it."""
    assert server.stop() == 0, server.log_text()[-3000:]
    server.start()
    r = lambda_client(server.endpoint).invoke(FunctionName="f", Payload=b"{}")
    assert r["StatusCode"] == 200 and "FunctionError" not in r


def error_code(e):
    return e.value.response["Error"]["Code"]


def test_numeric_qualifier_too_large_for_an_int(server):
    lam = lambda_client(server.endpoint)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="f:99999999999", Payload=b"{}")
    assert error_code(e) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName="f", Qualifier="99999999999")
    assert error_code(e) == "ResourceNotFoundException"
    # A notification to such a qualifier is refused, not queued to crash the dispatcher at every start.
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="qualifier")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="qualifier", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f:99999999999",
                "Events": ["s3:ObjectCreated:*"]}]})
    assert error_code(e) == "InvalidArgument"
    restarts(server)


def symlink_zip(entries):
    """entries: (name, link target or None for a file with content 'x')."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, target in entries:
            info = zipfile.ZipInfo(name)
            if target is None:
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                z.writestr(info, "x")
            else:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, target)
    return buf.getvalue()


def test_bootstrap_symlink_loop(server):
    lam = lambda_client(server.endpoint)
    try:
        lam.create_function(FunctionName="loop", Runtime="provided.al2023", Role=ROLE, Handler="x",
                            Code={"ZipFile": symlink_zip([("bootstrap", "bootstrap")])})
        r = lam.invoke(FunctionName="loop", Payload=b"{}")
        assert r.get("FunctionError") or r["StatusCode"] >= 400
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    assert server.proc.poll() is None
    restarts(server)


def test_symlink_chain_cannot_write_outside_the_function(server):
    lam = lambda_client(server.endpoint)
    chain = [("d/l", ".."), ("d/l/l2", ".."), ("d/l/l2/l3", ".."), ("d/l/l2/l3/ESCAPED.txt", None),
             ("bootstrap", None)]
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="slip", Runtime="provided.al2023", Role=ROLE, Handler="x",
                            Code={"ZipFile": symlink_zip(chain)})
    assert error_code(e) == "InvalidParameterValueException"
    escaped = [os.path.join(d, f) for d, _, fs in os.walk(server.data_dir) for f in fs if f == "ESCAPED.txt"]
    escaped += [p for p in [os.path.join(os.path.dirname(server.data_dir), "ESCAPED.txt")] if os.path.exists(p)]
    assert not escaped, escaped


def test_notification_rule_that_is_not_utf8(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="utf8-rules")
    body = (b'<NotificationConfiguration><CloudFunctionConfiguration><Id>x</Id>'
            b'<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>'
            b'<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name>'
            b'<Value>\xff\xfe</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>'
            b'</NotificationConfiguration>')
    headers = {"host": f"127.0.0.1:{server.port}", "content-length": str(len(body))}
    import hashlib
    Signer().sign("PUT", "/utf8-rules", headers, hashlib.sha256(body).hexdigest(), "notification")
    status, _, out = send(server.port, "PUT", "/utf8-rules", headers, body, "notification")
    assert status == 400 and b"InvalidArgument" in out, out
    restarts(server)


def test_nul_in_a_published_configuration(server):
    lam = lambda_client(server.endpoint)
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName="f", Description="a\x00b")
    assert error_code(e) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName="f", Environment={"Variables": {"K": "x\x00memory_mb\x00z"}})
    assert error_code(e) == "InvalidParameterValueException"
    lam.publish_version(FunctionName="f")
    restarts(server)


def test_no_response_header_injection(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="inject")
    s3.put_object(Bucket="inject", Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": "inject", "Key": "k", "ResponseContentType": "text/plain\r\nX-Injected: yes"})
    try:
        with urllib.request.urlopen(url) as r:
            headers = dict(r.headers)
    except urllib.error.HTTPError as e:
        assert e.code == 400
        headers = dict(e.headers)
    assert "X-Injected" not in headers
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="inject2", CreateBucketConfiguration={"LocationConstraint": "eu\r\nX-Injected: yes"})
    assert error_code(e) == "InvalidLocationConstraint"


def test_keys_that_xml_cannot_carry_are_refused_and_listings_stay_parseable(server):
    s3 = boto3_client(server.endpoint)
    s3.create_bucket(Bucket="keys")
    for key in ["nul\x00key", "bell\x07", "esc\x1b[0m"]:
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket="keys", Key=key, Body=b"x")
        assert error_code(e) == "InvalidArgument", key
    s3.put_object(Bucket="keys", Key="tab\tok", Body=b"x")
    s3.put_object(Bucket="keys", Key="été 🌞", Body=b"x")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="keys")["Contents"])
    assert keys == ["tab\tok", "été 🌞"]
    from urllib.parse import unquote
    listed = s3.list_objects_v2(Bucket="keys", EncodingType="url")["Contents"]
    assert sorted(unquote(o["Key"]) for o in listed) == ["tab\tok", "été 🌞"]
