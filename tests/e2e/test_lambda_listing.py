"""Lambda's list operations' filters and paging (issue 13's audit found them
accepted and ignored): ListAliases FunctionVersion, MaxItems and Marker on
ListAliases and ListVersionsByFunction, ListFunctions FunctionVersion=ALL
and MasterRegion. boto3 paginators and the AWS CLI, which follow NextMarker."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import Nimbus, aws_clis, run_aws
from test_lambda_api12 import create, publish
from test_lambda import lambda_client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Nimbus(tmp_path_factory.mktemp("listing") / "data").start()
    yield s
    assert s.stop() == 0, s.log_text()


@pytest.fixture(scope="module")
def lam(server):
    lam = lambda_client(server.endpoint)
    create(lam, "lister")
    for i in range(1, 13):
        assert publish(lam, "lister", f"m{i}") == str(i)
    for name, version in (("blue", "1"), ("green", "2"), ("prod", "1"), ("dev", "$LATEST"), ("old", "1")):
        lam.create_alias(FunctionName="lister", Name=name, FunctionVersion=version)
    create(lam, "other")
    publish(lam, "other", "x")
    return lam


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def test_list_aliases_function_version(lam):
    names = lambda **kw: [a["Name"] for a in lam.list_aliases(FunctionName="lister", **kw)["Aliases"]]
    assert names(FunctionVersion="1") == ["blue", "old", "prod"]
    assert names(FunctionVersion="2") == ["green"]
    assert names(FunctionVersion="$LATEST") == ["dev"]
    assert names(FunctionVersion="9") == []
    assert names() == ["blue", "dev", "green", "old", "prod"]
    page = lam.list_aliases(FunctionName="lister", FunctionVersion="1", MaxItems=2)
    assert [a["Name"] for a in page["Aliases"]] == ["blue", "old"] and page["NextMarker"]
    rest = lam.list_aliases(FunctionName="lister", FunctionVersion="1", MaxItems=2, Marker=page["NextMarker"])
    assert [a["Name"] for a in rest["Aliases"]] == ["prod"] and "NextMarker" not in rest
    pages = lam.get_paginator("list_aliases").paginate(FunctionName="lister", PaginationConfig={"PageSize": 2})
    assert [a["Name"] for p in pages for a in p["Aliases"]] == ["blue", "dev", "green", "old", "prod"]
    with pytest.raises(ClientError) as e:
        lam.list_aliases(FunctionName="lister", FunctionVersion="latest")
    assert code(e) == "ValidationException"


def test_list_versions_pages(lam):
    first = lam.list_versions_by_function(FunctionName="lister", MaxItems=5)
    assert [v["Version"] for v in first["Versions"]] == ["$LATEST", "1", "2", "3", "4"]
    second = lam.list_versions_by_function(FunctionName="lister", MaxItems=5, Marker=first["NextMarker"])
    assert [v["Version"] for v in second["Versions"]] == ["5", "6", "7", "8", "9"]
    pages = lam.get_paginator("list_versions_by_function").paginate(FunctionName="lister",
                                                                     PaginationConfig={"PageSize": 5})
    assert [v["Version"] for p in pages for v in p["Versions"]] == ["$LATEST"] + [str(i) for i in range(1, 13)]
    with pytest.raises(ClientError) as e:
        lam.list_versions_by_function(FunctionName="lister", Marker="not-a-version")
    assert code(e) == "InvalidParameterValueException"


def test_list_functions_all_versions(lam):
    arns = lambda pages: [f["FunctionArn"].split(":function:")[1] for p in pages for f in p["Functions"]]
    latest = lam.get_paginator("list_functions").paginate()
    assert arns(latest) == ["lister", "other"]
    every = lam.get_paginator("list_functions").paginate(FunctionVersion="ALL", PaginationConfig={"PageSize": 4})
    assert arns(every) == ["lister"] + [f"lister:{i}" for i in range(1, 13)] + ["other", "other:1"]
    one = lam.list_functions(FunctionVersion="ALL", MaxItems=1)
    assert one["Functions"][0]["Version"] == "$LATEST" and one["NextMarker"]
    # A version's configuration is its own: version 3 was published with MARK m3.
    v3 = [f for p in lam.get_paginator("list_functions").paginate(FunctionVersion="ALL") for f in p["Functions"]
          if f["FunctionArn"].endswith("lister:3")]
    assert v3[0]["Environment"]["Variables"]["MARK"] == "m3"
    # MasterRegion selects Lambda@Edge replicas: nimbus has none.
    assert lam.list_functions(FunctionVersion="ALL", MasterRegion="us-east-1")["Functions"] == []
    with pytest.raises(ClientError) as e:
        lam.list_functions(MasterRegion="us-east-1")
    assert code(e) == "InvalidParameterValueException"


@pytest.mark.parametrize("cli", aws_clis())
def test_listing_cli(server, lam, cli):
    ep = server.endpoint
    out = json.loads(run_aws(ep, "lambda", "list-functions", "--function-version", "ALL", "--page-size", "3",
                             cli=cli).stdout)
    assert len(out["Functions"]) == 15
    out = json.loads(run_aws(ep, "lambda", "list-versions-by-function", "--function-name", "lister",
                             "--page-size", "4", cli=cli).stdout)
    assert len(out["Versions"]) == 13
    out = json.loads(run_aws(ep, "lambda", "list-aliases", "--function-name", "lister", "--function-version", "1",
                             cli=cli).stdout)
    assert [a["Name"] for a in out["Aliases"]] == ["blue", "old", "prod"]
    r = run_aws(ep, "lambda", "list-functions", "--function-version", "LATEST", cli=cli, check=False)
    assert r.returncode != 0
