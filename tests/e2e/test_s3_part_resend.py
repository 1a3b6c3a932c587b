"""Re-sending an upload part while an earlier send of the same part is still
arriving (issue 12): the send that finishes last is the part, as in S3."""
import hashlib
import http.client

import pytest
from botocore.exceptions import ClientError

from sigv4 import Signer


def test_part_that_finishes_last_wins(nimbus, s3):
    s3.create_bucket(Bucket="resend")
    up = s3.create_multipart_upload(Bucket="resend", Key="k")["UploadId"]
    slow = b"s" * 200_000
    query = f"partNumber=1&uploadId={up}"
    headers = {"host": f"127.0.0.1:{nimbus.port}", "content-length": str(len(slow))}
    Signer().sign("PUT", "/resend/k", headers, "UNSIGNED-PAYLOAD", query=query)
    conn = http.client.HTTPConnection("127.0.0.1", nimbus.port, timeout=30)
    conn.putrequest("PUT", f"/resend/k?{query}", skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    conn.send(slow[:100_000])
    # A second send of part 1 starts later and finishes first.
    fast = s3.upload_part(Bucket="resend", Key="k", UploadId=up, PartNumber=1, Body=b"fast")["ETag"]
    conn.send(slow[100_000:])
    r = conn.getresponse()
    assert r.status == 200, r.read()
    slow_etag = r.getheader("ETag")
    assert slow_etag == '"%s"' % hashlib.md5(slow).hexdigest()
    parts = s3.list_parts(Bucket="resend", Key="k", UploadId=up)["Parts"]
    assert [(p["PartNumber"], p["ETag"]) for p in parts] == [(1, slow_etag)]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="resend", Key="k", UploadId=up,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": fast}]})
    assert e.value.response["Error"]["Code"] == "InvalidPart"
    s3.complete_multipart_upload(Bucket="resend", Key="k", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": slow_etag}]})
    assert s3.get_object(Bucket="resend", Key="k")["Body"].read() == slow
