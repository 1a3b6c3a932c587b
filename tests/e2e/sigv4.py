"""An independent SigV4 signer for tests that build requests by hand:
aws-chunked bodies (signed chunks, signed and unsigned trailers) that
Debian's clients do not send, and deliberately broken requests."""
import datetime
import hashlib
import hmac
import http.client
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret, date, region="us-east-1", service="s3"):
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


class Signer:
    def __init__(self, access="test", secret="test", region="us-east-1", service="s3", when=None):
        self.access, self.secret, self.region, self.service = access, secret, region, service
        self.when = when or datetime.datetime.now(datetime.timezone.utc)
        self.amz_date = self.when.strftime("%Y%m%dT%H%M%SZ")
        self.date = self.amz_date[:8]
        self.scope = f"{self.date}/{region}/{service}/aws4_request"
        self.key = signing_key(secret, self.date, region, service)

    def sign(self, method, path, headers, payload_hash, query=""):
        """Adds x-amz-date, x-amz-content-sha256 and Authorization to headers (dict, lowercase names)."""
        headers["x-amz-date"] = self.amz_date
        headers["x-amz-content-sha256"] = payload_hash
        names = sorted(headers)
        canonical_headers = "".join(f"{n}:{' '.join(str(headers[n]).split())}\n" for n in names)
        signed = ";".join(names)
        params = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in
                        (p.split("=", 1) if "=" in p else (p, "") for p in query.split("&") if p))
        cq = "&".join(f"{k}={v}" for k, v in params)
        creq = "\n".join([method, quote(path, safe="/-_.~"), cq, canonical_headers, signed, payload_hash])
        sts = "\n".join(["AWS4-HMAC-SHA256", self.amz_date, self.scope, hashlib.sha256(creq.encode()).hexdigest()])
        sig = hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access}/{self.scope}, "
                                    f"SignedHeaders={signed}, Signature={sig}")
        return sig

    def chunk_signature(self, previous, data):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope, previous, EMPTY_SHA256,
                         hashlib.sha256(data).hexdigest()])
        return hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()

    def trailer_signature(self, previous, trailer_text):
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope, previous,
                         hashlib.sha256(trailer_text.encode()).hexdigest()])
        return hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()


def aws_chunked(data, chunk_size, signer=None, seed=None, trailer=None, sign_trailer=False):
    """Encodes data as aws-chunked. With signer+seed every chunk is signed;
    trailer is a (name, value) checksum header sent after the last chunk."""
    out, prev = [], seed
    pieces = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    for piece in pieces:
        line = b"%x" % len(piece)
        if signer:
            prev = signer.chunk_signature(prev, piece)
            line += b";chunk-signature=" + prev.encode()
        out.append(line + b"\r\n" + piece + (b"\r\n" if piece else b""))
    if trailer:
        text = f"{trailer[0]}:{trailer[1]}\n"
        out.append(f"{trailer[0]}:{trailer[1]}\r\n".encode())
        if sign_trailer:
            out.append(f"x-amz-trailer-signature:{signer.trailer_signature(prev, text)}\r\n".encode())
    out.append(b"\r\n")
    return b"".join(out)


def send(endpoint_port, method, path, headers, body=b"", query=""):
    conn = http.client.HTTPConnection("127.0.0.1", endpoint_port, timeout=30)
    target = quote(path, safe="/-_.~") + (("?" + query) if query else "")
    conn.request(method, target, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data
