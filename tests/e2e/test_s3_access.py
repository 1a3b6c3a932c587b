"""S3 ACLs and public access with real clients: canned ACLs and grant headers
on writes, Get/Put Object and Bucket ACLs, anonymous (unsigned) GET/HEAD
through public-read, the public access block and object ownership controls
(boto3 and the AWS CLI; plain HTTP for anonymous callers)."""
import io
import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import aws_clis, boto3_client, run_aws, run_modern_python

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def anon(endpoint, path, method="GET", data=None, headers=None):
    """An unsigned request: (status, body, headers)."""
    req = urllib.request.Request(endpoint + path, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def grants(acl):
    out = set()
    for g in acl["Grants"]:
        who = g["Grantee"].get("URI") or g["Grantee"].get("ID")
        out.add((who, g["Permission"]))
    return out


@pytest.fixture
def s3(nimbus):
    return boto3_client(nimbus.endpoint)


def test_canned_acl_public_read_lets_anonymous_get_and_head(nimbus, s3):
    s3.create_bucket(Bucket="pub")
    s3.put_object(Bucket="pub", Key="open.txt", Body=b"hello world", ACL="public-read")
    s3.put_object(Bucket="pub", Key="closed.txt", Body=b"secret")
    acl = s3.get_object_acl(Bucket="pub", Key="open.txt")
    assert acl["Owner"]["ID"]
    assert (ALL_USERS, "READ") in grants(acl)
    assert (acl["Owner"]["ID"], "FULL_CONTROL") in grants(acl)
    assert grants(s3.get_object_acl(Bucket="pub", Key="closed.txt")) == {(acl["Owner"]["ID"], "FULL_CONTROL")}

    status, body, _ = anon(nimbus.endpoint, "/pub/open.txt")
    assert (status, body) == (200, b"hello world")
    status, _, headers = anon(nimbus.endpoint, "/pub/open.txt", method="HEAD")
    assert status == 200 and headers["Content-Length"] == "11"
    # response-* overrides are for signed requests only, as S3.
    status, body, _ = anon(nimbus.endpoint, "/pub/open.txt?response-content-type=text/html")
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body
    status, body, _ = anon(nimbus.endpoint, "/pub/closed.txt")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    # A missing key is 403 to a caller who may not list the bucket, as S3.
    assert anon(nimbus.endpoint, "/pub/nothing-here")[0] == 403
    # Anonymous writes, listings and bucket-level reads are refused.
    assert anon(nimbus.endpoint, "/pub/new.txt", method="PUT", data=b"x")[0] == 403
    assert anon(nimbus.endpoint, "/pub")[0] == 403
    assert anon(nimbus.endpoint, "/")[0] == 403

    # Overwriting starts the object private again; deleting it forgets the ACL.
    s3.put_object(Bucket="pub", Key="open.txt", Body=b"v2")
    assert anon(nimbus.endpoint, "/pub/open.txt")[0] == 403
    s3.put_object(Bucket="pub", Key="open.txt", Body=b"v3", ACL="public-read")
    assert anon(nimbus.endpoint, "/pub/open.txt")[:2] == (200, b"v3")
    s3.delete_object(Bucket="pub", Key="open.txt")
    s3.put_object(Bucket="pub", Key="open.txt", Body=b"v4")
    assert anon(nimbus.endpoint, "/pub/open.txt")[0] == 403


def test_object_acls_belong_to_versions(nimbus, s3):
    """Each version has its own ACL (issue 12): a new PUT starts with its own, the old version keeps
    its own, and ?versionId= addresses one for Get/PutObjectAcl and anonymous reads."""
    s3.create_bucket(Bucket="pubver")
    s3.put_object(Bucket="pubver", Key="null.txt", Body=b"before versioning", ACL="public-read")
    s3.put_bucket_versioning(Bucket="pubver", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="pubver", Key="k", Body=b"one", ACL="public-read")["VersionId"]
    v2 = s3.put_object(Bucket="pubver", Key="k", Body=b"two")["VersionId"]
    ep = nimbus.endpoint
    owner = s3.get_object_acl(Bucket="pubver", Key="k")["Owner"]["ID"]
    assert grants(s3.get_object_acl(Bucket="pubver", Key="k")) == {(owner, "FULL_CONTROL")}
    assert grants(s3.get_object_acl(Bucket="pubver", Key="k", VersionId=v2)) == {(owner, "FULL_CONTROL")}
    assert (ALL_USERS, "READ") in grants(s3.get_object_acl(Bucket="pubver", Key="k", VersionId=v1))
    # Anonymous: the old public-read version is readable by id, the private current one is not.
    assert anon(ep, f"/pubver/k?versionId={v1}")[:2] == (200, b"one")
    assert anon(ep, f"/pubver/k?versionId={v1}", method="HEAD")[0] == 200
    assert anon(ep, "/pubver/k")[0] == 403
    assert anon(ep, f"/pubver/k?versionId={v2}")[0] == 403
    # PutObjectAcl with a version id changes that version only.
    s3.put_object_acl(Bucket="pubver", Key="k", VersionId=v2, ACL="public-read")
    s3.put_object_acl(Bucket="pubver", Key="k", VersionId=v1, ACL="private")
    assert anon(ep, "/pubver/k")[:2] == (200, b"two")
    assert anon(ep, f"/pubver/k?versionId={v1}")[0] == 403
    assert grants(s3.get_object_acl(Bucket="pubver", Key="k", VersionId=v1)) == {(owner, "FULL_CONTROL")}
    # The null version written before versioning kept the ACL it was written with.
    s3.put_object(Bucket="pubver", Key="null.txt", Body=b"after")
    assert anon(ep, "/pubver/null.txt?versionId=null")[:2] == (200, b"before versioning")
    assert anon(ep, "/pubver/null.txt")[0] == 403
    # Unknown versions and delete markers, as S3 answers them.
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="pubver", Key="k", VersionId="0" * 32)
    assert code_of(e) == "NoSuchVersion"
    marker = s3.delete_object(Bucket="pubver", Key="k")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="pubver", Key="k", VersionId=marker)
    assert code_of(e) == "MethodNotAllowed"
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="pubver", Key="k")
    assert code_of(e) == "NoSuchKey"
    assert anon(ep, f"/pubver/k?versionId={v2}")[:2] == (200, b"two")  # behind the marker, still public
    # Removing the marker brings v2 back as current, with its ACL; removing v2 takes its ACL along.
    s3.delete_object(Bucket="pubver", Key="k", VersionId=marker)
    assert anon(ep, "/pubver/k")[:2] == (200, b"two")
    s3.delete_object(Bucket="pubver", Key="k", VersionId=v2)
    assert anon(ep, "/pubver/k")[0] == 403  # v1, private
    # Multipart and copy writes put their canned ACL on the version they made.
    up = s3.create_multipart_upload(Bucket="pubver", Key="mp", ACL="public-read")["UploadId"]
    etag = s3.upload_part(Bucket="pubver", Key="mp", UploadId=up, PartNumber=1, Body=b"mp")["ETag"]
    mv = s3.complete_multipart_upload(Bucket="pubver", Key="mp", UploadId=up,
                                      MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})["VersionId"]
    cv = s3.copy_object(Bucket="pubver", Key="mp", CopySource={"Bucket": "pubver", "Key": "mp"},
                        MetadataDirective="REPLACE")["VersionId"]
    pv = s3.copy_object(Bucket="pubver", Key="cp", CopySource={"Bucket": "pubver", "Key": "mp"},
                        ACL="public-read")["VersionId"]
    assert anon(ep, f"/pubver/mp?versionId={mv}")[:2] == (200, b"mp")
    assert anon(ep, f"/pubver/mp?versionId={cv}")[0] == 403
    assert anon(ep, f"/pubver/cp?versionId={pv}")[:2] == (200, b"mp")


NEW_BOTO3_VERSION_ACLS = r"""
import sys, urllib.request, urllib.error, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1", config=Config(retries={"max_attempts": 0}))
def anon(path):
    try:
        with urllib.request.urlopen(sys.argv[1] + path, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
s3.create_bucket(Bucket="newboto-aclv")
s3.put_bucket_versioning(Bucket="newboto-aclv", VersioningConfiguration={"Status": "Enabled"})
v1 = s3.put_object(Bucket="newboto-aclv", Key="k", Body=b"1", ACL="public-read")["VersionId"]
v2 = s3.put_object(Bucket="newboto-aclv", Key="k", Body=b"2")["VersionId"]
assert anon(f"/newboto-aclv/k?versionId={v1}") == 200
assert anon("/newboto-aclv/k") == 403
s3.put_object_acl(Bucket="newboto-aclv", Key="k", VersionId=v2, ACL="public-read")
assert anon("/newboto-aclv/k") == 200
g = s3.get_object_acl(Bucket="newboto-aclv", Key="k", VersionId=v1)["Grants"]
assert any(x["Grantee"].get("URI", "").endswith("AllUsers") for x in g), g
print("ok")
"""


def test_newest_boto3_object_acls_by_version(nimbus):
    r = run_modern_python(NEW_BOTO3_VERSION_ACLS, nimbus.endpoint)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_cli_object_acls_by_version(nimbus, tmp_path, cli):
    if cli is None:
        pytest.skip("no AWS CLI")
    b = "cli-aclv-v" + str(aws_clis().index(cli))
    ep = nimbus.endpoint

    def aws(*args, **kw):
        return run_aws(ep, *args, cli=cli, **kw)
    aws("s3api", "create-bucket", "--bucket", b)
    aws("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")
    src = tmp_path / "f"
    src.write_text("old")
    v1 = json.loads(aws("s3api", "put-object", "--bucket", b, "--key", "f", "--body", str(src),
                        "--acl", "public-read").stdout)["VersionId"]
    src.write_text("new")
    v2 = json.loads(aws("s3api", "put-object", "--bucket", b, "--key", "f", "--body", str(src)).stdout)["VersionId"]
    out = json.loads(aws("s3api", "get-object-acl", "--bucket", b, "--key", "f", "--version-id", v1).stdout)
    assert any(g["Grantee"].get("URI") == ALL_USERS and g["Permission"] == "READ" for g in out["Grants"])
    out = json.loads(aws("s3api", "get-object-acl", "--bucket", b, "--key", "f").stdout)
    assert not any(g["Grantee"].get("URI") == ALL_USERS for g in out["Grants"])
    assert anon(ep, f"/{b}/f?versionId={v1}")[:2] == (200, b"old")
    assert anon(ep, f"/{b}/f")[0] == 403
    aws("s3api", "put-object-acl", "--bucket", b, "--key", "f", "--version-id", v2, "--acl", "public-read")
    aws("s3api", "put-object-acl", "--bucket", b, "--key", "f", "--version-id", v1, "--acl", "private")
    assert anon(ep, f"/{b}/f")[:2] == (200, b"new")
    assert anon(ep, f"/{b}/f?versionId={v1}")[0] == 403
    r = aws("s3api", "put-object-acl", "--bucket", b, "--key", "f", "--version-id", "0" * 32, "--acl", "private",
            check=False)
    assert r.returncode != 0 and "NoSuchVersion" in r.stderr, r.stderr


def test_anonymous_request_to_missing_bucket_is_404(nimbus):
    status, body, _ = anon(nimbus.endpoint, "/no-such-bucket/key")
    assert status == 404 and b"<Code>NoSuchBucket</Code>" in body
    status, body, _ = anon(nimbus.endpoint, "/no-such-bucket")
    assert status == 404 and b"<Code>NoSuchBucket</Code>" in body


def test_invalid_canned_acl_and_mixed_headers_are_refused(nimbus, s3):
    s3.create_bucket(Bucket="bad-acl")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bad-acl", Key="k", Body=b"x", ACL="public")
    assert code_of(e) == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bad-acl", Key="k", Body=b"x", ACL="public-read", GrantRead=f'uri="{ALL_USERS}"')
    assert code_of(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bad-acl", Key="k", Body=b"x", GrantRead='emailAddress="a@example.com"')
    assert code_of(e) == "UnresolvableGrantByEmailAddress"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="bad-acl-2", ACL="everyone")
    assert code_of(e) == "InvalidArgument"
    # Nothing was written by the refused requests.
    assert s3.list_objects_v2(Bucket="bad-acl")["KeyCount"] == 0


def test_grant_headers_and_acl_xml(nimbus, s3):
    s3.create_bucket(Bucket="grants")
    owner = s3.get_bucket_acl(Bucket="grants")["Owner"]
    s3.put_object(Bucket="grants", Key="k", Body=b"data", GrantRead=f'uri="{ALL_USERS}"',
                  GrantFullControl=f'id="{owner["ID"]}"')
    assert grants(s3.get_object_acl(Bucket="grants", Key="k")) == {(ALL_USERS, "READ"), (owner["ID"], "FULL_CONTROL")}
    assert anon(nimbus.endpoint, "/grants/k")[:2] == (200, b"data")
    # An AccessControlPolicy body replaces it.
    s3.put_object_acl(Bucket="grants", Key="k", AccessControlPolicy={
        "Owner": owner, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}]})
    assert grants(s3.get_object_acl(Bucket="grants", Key="k")) == {(owner["ID"], "FULL_CONTROL")}
    assert anon(nimbus.endpoint, "/grants/k")[0] == 403
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="grants", Key="k", AccessControlPolicy={
            "Owner": owner, "Grants": [{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "LOOK"}]})
    assert code_of(e) == "MalformedACLError"
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="grants", Key="missing")
    assert code_of(e) == "NoSuchKey"


def test_bucket_acl_public_read_lists_anonymously(nimbus, s3):
    s3.create_bucket(Bucket="listable", ACL="public-read")
    s3.put_object(Bucket="listable", Key="a.txt", Body=b"a")
    assert (ALL_USERS, "READ") in grants(s3.get_bucket_acl(Bucket="listable"))
    status, body, _ = anon(nimbus.endpoint, "/listable?list-type=2")
    assert status == 200 and b"<Key>a.txt</Key>" in body
    # Listing is allowed, so a missing key is 404, but the private object stays private.
    assert anon(nimbus.endpoint, "/listable/missing")[0] == 404
    assert anon(nimbus.endpoint, "/listable/a.txt")[0] == 403
    s3.put_bucket_acl(Bucket="listable", ACL="private")
    assert anon(nimbus.endpoint, "/listable?list-type=2")[0] == 403
    # public-read-write lets anonymous callers write.
    s3.put_bucket_acl(Bucket="listable", ACL="public-read-write")
    assert anon(nimbus.endpoint, "/listable/anon.txt", method="PUT", data=b"from anon")[0] == 200
    assert s3.get_object(Bucket="listable", Key="anon.txt")["Body"].read() == b"from anon"


def test_copy_and_multipart_carry_the_acl(nimbus, s3):
    s3.create_bucket(Bucket="carry")
    s3.put_object(Bucket="carry", Key="src", Body=b"source", ACL="public-read")
    # A copy does not inherit the source's ACL; it takes the one it asks for.
    s3.copy_object(Bucket="carry", Key="copy-private", CopySource={"Bucket": "carry", "Key": "src"})
    assert anon(nimbus.endpoint, "/carry/copy-private")[0] == 403
    s3.copy_object(Bucket="carry", Key="copy-public", CopySource={"Bucket": "carry", "Key": "src"}, ACL="public-read")
    assert anon(nimbus.endpoint, "/carry/copy-public")[:2] == (200, b"source")
    from boto3.s3.transfer import TransferConfig
    data = b"m" * (6 << 20)
    s3.upload_fileobj(io.BytesIO(data), "carry", "big", ExtraArgs={"ACL": "public-read"},
                      Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
    status, body, _ = anon(nimbus.endpoint, "/carry/big")
    assert status == 200 and body == data
    assert (ALL_USERS, "READ") in grants(s3.get_object_acl(Bucket="carry", Key="big"))


def test_public_access_block(nimbus, s3):
    s3.create_bucket(Bucket="blocked")
    with pytest.raises(ClientError) as e:
        s3.get_public_access_block(Bucket="blocked")
    assert code_of(e) == "NoSuchPublicAccessBlockConfiguration"
    s3.put_object(Bucket="blocked", Key="was-public", Body=b"x", ACL="public-read")
    s3.put_public_access_block(Bucket="blocked", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    cfg = s3.get_public_access_block(Bucket="blocked")["PublicAccessBlockConfiguration"]
    assert cfg == {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
                   "RestrictPublicBuckets": False}
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="blocked", Key="k", Body=b"x", ACL="public-read")
    assert code_of(e) == "AccessDenied"
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="blocked", Key="was-public", ACL="public-read-write")
    assert code_of(e) == "AccessDenied"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="blocked", ACL="public-read")
    assert code_of(e) == "AccessDenied"
    s3.put_object(Bucket="blocked", Key="k", Body=b"x", ACL="private")  # private ACLs are fine
    # BlockPublicAcls does not hide what is already public; IgnorePublicAcls does.
    assert anon(nimbus.endpoint, "/blocked/was-public")[0] == 200
    s3.put_public_access_block(Bucket="blocked", PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert anon(nimbus.endpoint, "/blocked/was-public")[0] == 403
    s3.delete_public_access_block(Bucket="blocked")
    assert anon(nimbus.endpoint, "/blocked/was-public")[0] == 200
    with pytest.raises(ClientError) as e:
        s3.get_public_access_block(Bucket="blocked")
    assert code_of(e) == "NoSuchPublicAccessBlockConfiguration"


def test_ownership_controls_bucket_owner_enforced(nimbus, s3):
    s3.create_bucket(Bucket="enforced", ObjectOwnership="BucketOwnerEnforced")
    rules = s3.get_bucket_ownership_controls(Bucket="enforced")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="enforced", Key="k", Body=b"x", ACL="public-read")
    assert code_of(e) == "AccessControlListNotSupported"
    s3.put_object(Bucket="enforced", Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object(Bucket="enforced", Key="plain", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="enforced", ACL="public-read")
    assert code_of(e) == "AccessControlListNotSupported"
    assert s3.get_bucket_acl(Bucket="enforced")["Grants"]  # reading ACLs still works
    # Switching to ObjectWriter turns ACLs back on.
    s3.put_bucket_ownership_controls(Bucket="enforced", OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_object(Bucket="enforced", Key="pub", Body=b"x", ACL="public-read")
    assert anon(nimbus.endpoint, "/enforced/pub")[0] == 200
    # Enforcing again disables the object's public ACL (the bucket's own ACL is private).
    s3.put_bucket_ownership_controls(Bucket="enforced", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert anon(nimbus.endpoint, "/enforced/pub")[0] == 403
    s3.delete_bucket_ownership_controls(Bucket="enforced")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_ownership_controls(Bucket="enforced")
    assert code_of(e) == "OwnershipControlsNotFoundError"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="enforced-2", ObjectOwnership="BucketOwnerEnforced", ACL="public-read")
    assert code_of(e) == "InvalidBucketAclWithObjectOwnership"


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_cli_acls(nimbus, tmp_path, cli):
    if cli is None:
        pytest.skip("no AWS CLI")
    tag = "v" + str(aws_clis().index(cli))
    ep = nimbus.endpoint

    def aws(*args, **kw):
        return run_aws(ep, *args, cli=cli, **kw)
    aws("s3", "mb", f"s3://cli-acl-{tag}")
    src = tmp_path / "page.html"
    src.write_text("<h1>hi</h1>")
    aws("s3", "cp", str(src), f"s3://cli-acl-{tag}/page.html", "--acl", "public-read")
    assert anon(ep, f"/cli-acl-{tag}/page.html")[:2] == (200, b"<h1>hi</h1>")
    out = json.loads(aws("s3api", "get-object-acl", "--bucket", f"cli-acl-{tag}", "--key", "page.html").stdout)
    assert any(g["Grantee"].get("URI") == ALL_USERS and g["Permission"] == "READ" for g in out["Grants"])
    aws("s3api", "put-object-acl", "--bucket", f"cli-acl-{tag}", "--key", "page.html", "--acl", "private")
    assert anon(ep, f"/cli-acl-{tag}/page.html")[0] == 403
    aws("s3api", "put-public-access-block", "--bucket", f"cli-acl-{tag}", "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
    out = json.loads(aws("s3api", "get-public-access-block", "--bucket", f"cli-acl-{tag}").stdout)
    assert out["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    r = aws("s3api", "put-object-acl", "--bucket", f"cli-acl-{tag}", "--key", "page.html", "--acl", "public-read",
                check=False)
    assert r.returncode != 0 and "AccessDenied" in r.stderr
    aws("s3api", "put-bucket-ownership-controls", "--bucket", f"cli-acl-{tag}", "--ownership-controls",
            "Rules=[{ObjectOwnership=BucketOwnerPreferred}]")
    out = json.loads(aws("s3api", "get-bucket-ownership-controls", "--bucket", f"cli-acl-{tag}").stdout)
    assert out["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerPreferred"


def public_policy(bucket, resource_suffix="/public/*", action="s3:GetObject", effect="Allow", principal="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicRead", "Effect": effect, "Principal": principal, "Action": action,
        "Resource": f"arn:aws:s3:::{bucket}{resource_suffix}"}]})


def test_bucket_policy_lets_anonymous_read_a_prefix(nimbus, s3):
    s3.create_bucket(Bucket="site")
    s3.put_object(Bucket="site", Key="public/index.html", Body=b"<h1>site</h1>")
    s3.put_object(Bucket="site", Key="private/secret", Body=b"no")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket="site")
    assert code_of(e) == "NoSuchBucketPolicy"
    policy = public_policy("site")
    s3.put_bucket_policy(Bucket="site", Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket="site")["Policy"]) == json.loads(policy)
    assert s3.get_bucket_policy_status(Bucket="site")["PolicyStatus"]["IsPublic"] is True
    assert anon(nimbus.endpoint, "/site/public/index.html")[:2] == (200, b"<h1>site</h1>")
    assert anon(nimbus.endpoint, "/site/public/index.html", method="HEAD")[0] == 200
    assert anon(nimbus.endpoint, "/site/private/secret")[0] == 403
    assert anon(nimbus.endpoint, "/site/public/missing")[0] == 403  # no s3:ListBucket: 403, as S3
    assert anon(nimbus.endpoint, "/site?list-type=2")[0] == 403
    assert anon(nimbus.endpoint, "/site/public/new", method="PUT", data=b"x")[0] == 403

    # {"AWS": "*"} and a list of actions, with s3:ListBucket on the bucket itself.
    s3.put_bucket_policy(Bucket="site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::site/*"]},
        {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::site/private/*"}]}))
    assert anon(nimbus.endpoint, "/site/private/secret")[0] == 403  # Deny wins
    assert anon(nimbus.endpoint, "/site/public/missing")[0] == 404
    status, body, _ = anon(nimbus.endpoint, "/site?list-type=2&prefix=public/")
    assert status == 200 and b"<Key>public/index.html</Key>" in body

    # A Deny beats a public-read ACL.
    s3.put_object(Bucket="site", Key="private/acl-public", Body=b"x", ACL="public-read")
    assert anon(nimbus.endpoint, "/site/private/acl-public")[0] == 403

    # A statement with a Condition is not evaluated for anonymous callers: its Allow grants nothing.
    s3.put_bucket_policy(Bucket="site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}}]}))
    assert s3.get_bucket_policy_status(Bucket="site")["PolicyStatus"]["IsPublic"] is False
    assert anon(nimbus.endpoint, "/site/public/index.html")[0] == 403

    s3.delete_bucket_policy(Bucket="site")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket="site")
    assert code_of(e) == "NoSuchBucketPolicy"
    assert anon(nimbus.endpoint, "/site/public/index.html")[0] == 403


def test_bucket_policy_validation(nimbus, s3):
    s3.create_bucket(Bucket="strict")
    bad = [
        "not json",
        "{",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::strict/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::strict/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::other-bucket/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                                   "Resource": "arn:aws:s3:::strict/*"}]}),
    ]
    for doc in bad:
        with pytest.raises(ClientError) as e:
            s3.put_bucket_policy(Bucket="strict", Policy=doc)
        assert code_of(e) == "MalformedPolicy", doc
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket="strict")
    assert code_of(e) == "NoSuchBucketPolicy"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket="no-such-bucket-here", Policy=public_policy("no-such-bucket-here"))
    assert code_of(e) == "NoSuchBucket"


def test_public_access_block_and_policies(nimbus, s3):
    s3.create_bucket(Bucket="pab-policy")
    s3.put_object(Bucket="pab-policy", Key="public/x", Body=b"x")
    s3.put_public_access_block(Bucket="pab-policy", PublicAccessBlockConfiguration={"BlockPublicPolicy": True})
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket="pab-policy", Policy=public_policy("pab-policy"))
    assert code_of(e) == "AccessDenied"
    s3.put_bucket_policy(Bucket="pab-policy", Policy=public_policy("pab-policy", effect="Deny"))  # not public
    s3.delete_public_access_block(Bucket="pab-policy")
    s3.put_bucket_policy(Bucket="pab-policy", Policy=public_policy("pab-policy"))
    assert anon(nimbus.endpoint, "/pab-policy/public/x")[0] == 200
    s3.put_public_access_block(Bucket="pab-policy", PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    assert anon(nimbus.endpoint, "/pab-policy/public/x")[0] == 403


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_cli_bucket_policy(nimbus, tmp_path, cli):
    if cli is None:
        pytest.skip("no AWS CLI")
    tag = "v" + str(aws_clis().index(cli))
    ep = nimbus.endpoint

    def aws(*args, **kw):
        return run_aws(ep, *args, cli=cli, **kw)
    aws("s3", "mb", f"s3://cli-policy-{tag}")
    src = tmp_path / "a.txt"
    src.write_text("public text")
    aws("s3", "cp", str(src), f"s3://cli-policy-{tag}/public/a.txt")
    policy = tmp_path / "policy.json"
    policy.write_text(public_policy(f"cli-policy-{tag}"))
    aws("s3api", "put-bucket-policy", "--bucket", f"cli-policy-{tag}", "--policy", f"file://{policy}")
    out = json.loads(aws("s3api", "get-bucket-policy", "--bucket", f"cli-policy-{tag}").stdout)
    assert json.loads(out["Policy"])["Statement"][0]["Sid"] == "PublicRead"
    out = json.loads(aws("s3api", "get-bucket-policy-status", "--bucket", f"cli-policy-{tag}").stdout)
    assert out["PolicyStatus"]["IsPublic"] is True
    assert anon(ep, f"/cli-policy-{tag}/public/a.txt")[:2] == (200, b"public text")
    r = aws("s3api", "put-bucket-policy", "--bucket", f"cli-policy-{tag}", "--policy", "{bad", check=False)
    assert r.returncode != 0 and "MalformedPolicy" in r.stderr
    aws("s3api", "delete-bucket-policy", "--bucket", f"cli-policy-{tag}")
    r = aws("s3api", "get-bucket-policy", "--bucket", f"cli-policy-{tag}", check=False)
    assert r.returncode != 0 and "NoSuchBucketPolicy" in r.stderr


def curl(*args):
    """curl -si: (status, headers as a lowercase dict, body)."""
    import subprocess
    out = subprocess.run(["curl", "-si", "--max-time", "10", *args], capture_output=True, check=True).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


CORS_RULES = {"CORSRules": [
    {"ID": "app", "AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag", "x-amz-request-id"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]},
]}


def test_cors_configuration_round_trip_and_validation(nimbus, s3):
    s3.create_bucket(Bucket="cors")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="cors")
    assert code_of(e) == "NoSuchCORSConfiguration"
    s3.put_bucket_cors(Bucket="cors", CORSConfiguration=CORS_RULES)
    rules = s3.get_bucket_cors(Bucket="cors")["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["https://*.example.com"]
    assert rules[0]["AllowedHeaders"] == ["x-amz-*", "content-type"]
    assert rules[0]["ExposeHeaders"] == ["ETag", "x-amz-request-id"] and rules[0]["MaxAgeSeconds"] == 600
    assert rules[1]["AllowedMethods"] == ["GET", "HEAD"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors", CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})
    assert code_of(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors", CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://*.*.com"], "AllowedMethods": ["GET"]}]})
    assert code_of(e) == "InvalidRequest"
    import hashlib
    from sigv4 import Signer, send
    bad = b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"
    headers = {"host": f"127.0.0.1:{nimbus.port}", "content-type": "application/xml"}
    Signer().sign("PUT", "/cors", headers, hashlib.sha256(bad).hexdigest(), query="cors=")
    status, _, body = send(nimbus.port, "PUT", "/cors", headers, body=bad, query="cors=")
    assert status == 400 and b"MalformedXML" in body
    assert len(s3.get_bucket_cors(Bucket="cors")["CORSRules"]) == 2  # the refused ones changed nothing
    s3.delete_bucket_cors(Bucket="cors")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="cors")
    assert code_of(e) == "NoSuchCORSConfiguration"


def test_cors_preflight_and_actual_responses(nimbus, s3):
    ep = nimbus.endpoint
    s3.create_bucket(Bucket="web")
    s3.put_object(Bucket="web", Key="app.js", Body=b"js", ACL="public-read")
    status, _, body = curl("-X", "OPTIONS", "-H", "Origin: https://app.example.com",
                           "-H", "Access-Control-Request-Method: GET", ep + "/web/app.js")
    assert status == 403 and b"CORS is not enabled for this bucket" in body
    s3.put_bucket_cors(Bucket="web", CORSConfiguration=CORS_RULES)

    status, h, _ = curl("-X", "OPTIONS", "-H", "Origin: https://app.example.com",
                        "-H", "Access-Control-Request-Method: PUT",
                        "-H", "Access-Control-Request-Headers: Content-Type, X-Amz-Date", ep + "/web/upload.bin")
    assert status == 200
    assert h["access-control-allow-origin"] == "https://app.example.com"
    assert h["access-control-allow-methods"] == "GET, PUT"
    assert h["access-control-allow-headers"] == "content-type, x-amz-date"
    assert h["access-control-expose-headers"] == "ETag, x-amz-request-id"
    assert h["access-control-max-age"] == "600"
    assert h["access-control-allow-credentials"] == "true"
    assert "Origin" in h["vary"]

    # The catch-all rule answers "*" for GET from anywhere, but not for PUT.
    status, h, _ = curl("-X", "OPTIONS", "-H", "Origin: https://other.org", "-H", "Access-Control-Request-Method: GET",
                        ep + "/web/app.js")
    assert status == 200 and h["access-control-allow-origin"] == "*"
    for headers in (["-H", "Origin: https://other.org", "-H", "Access-Control-Request-Method: PUT"],
                    ["-H", "Origin: https://app.example.com", "-H", "Access-Control-Request-Method: PUT",
                     "-H", "Access-Control-Request-Headers: authorization"]):
        status, _, body = curl("-X", "OPTIONS", *headers, ep + "/web/app.js")
        assert status == 403 and b"<Code>AccessForbidden</Code>" in body and b"CORSResponse: This CORS request is not allowed" in body
    status, _, body = curl("-X", "OPTIONS", "-H", "Access-Control-Request-Method: GET", ep + "/web/app.js")
    assert status == 400 and b"Origin request header needed" in body
    status, _, body = curl("-X", "OPTIONS", "-H", "Origin: https://a.example.com",
                           "-H", "Access-Control-Request-Method: GET", ep + "/no-such-bucket/x")
    assert status == 404 and b"NoSuchBucket" in body

    # Actual responses carry the headers when the Origin matches, for anonymous and signed callers.
    status, h, body = curl("-H", "Origin: https://app.example.com", ep + "/web/app.js")
    assert status == 200 and body == b"js"
    assert h["access-control-allow-origin"] == "https://app.example.com"
    assert h["access-control-expose-headers"] == "ETag, x-amz-request-id"
    status, h, _ = curl("-H", "Origin: https://app.example.com", ep + "/web/missing")
    assert status == 403 and h["access-control-allow-origin"] == "https://app.example.com"  # errors too
    status, h, _ = curl("-H", "Origin: https://other.org", ep + "/web/app.js")
    assert h["access-control-allow-origin"] == "*"
    status, h, _ = curl("-X", "DELETE", "-H", "Origin: https://other.org", ep + "/web/app.js")
    assert "access-control-allow-origin" not in h and "Origin" in h["vary"]
    seen = {}
    s3.meta.events.register("after-call.s3.GetObject", lambda http_response, **kw: seen.update(http_response.headers))
    s3.get_object(Bucket="web", Key="app.js", ResponseContentType="text/javascript")
    assert "access-control-allow-origin" not in {k.lower() for k in seen}  # no Origin, no CORS headers
    signed = boto3_client(ep)
    signed.meta.events.register("before-sign.s3.GetObject",
                                lambda request, **kw: request.headers.__setitem__("Origin", "https://x.example.com"))
    signed.meta.events.register("after-call.s3.GetObject", lambda http_response, **kw: seen.update(http_response.headers))
    signed.get_object(Bucket="web", Key="app.js")
    assert {k.lower(): v for k, v in seen.items()}["access-control-allow-origin"] == "https://x.example.com"


@pytest.mark.parametrize("cli", aws_clis() or [None])
def test_cli_cors(nimbus, tmp_path, cli):
    if cli is None:
        pytest.skip("no AWS CLI")
    tag = "v" + str(aws_clis().index(cli))
    ep = nimbus.endpoint

    def aws(*args, **kw):
        return run_aws(ep, *args, cli=cli, **kw)
    aws("s3", "mb", f"s3://cli-cors-{tag}")
    cfg = tmp_path / "cors.json"
    cfg.write_text(json.dumps({"CORSRules": [{"AllowedOrigins": ["http://localhost:*"], "AllowedMethods": ["GET"]}]}))
    aws("s3api", "put-bucket-cors", "--bucket", f"cli-cors-{tag}", "--cors-configuration", f"file://{cfg}")
    out = json.loads(aws("s3api", "get-bucket-cors", "--bucket", f"cli-cors-{tag}").stdout)
    assert out["CORSRules"][0]["AllowedOrigins"] == ["http://localhost:*"]
    status, h, _ = curl("-X", "OPTIONS", "-H", "Origin: http://localhost:3000", "-H", "Access-Control-Request-Method: GET",
                        ep + f"/cli-cors-{tag}/x")
    assert status == 200 and h["access-control-allow-origin"] == "http://localhost:3000"
    aws("s3api", "delete-bucket-cors", "--bucket", f"cli-cors-{tag}")
    r = aws("s3api", "get-bucket-cors", "--bucket", f"cli-cors-{tag}", check=False)
    assert r.returncode != 0 and "NoSuchCORSConfiguration" in r.stderr
