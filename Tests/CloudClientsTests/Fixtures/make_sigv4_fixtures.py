#!/usr/bin/env python3
"""Writes sigv4_fixtures.json: AWS Signature Version 4 results computed by botocore.

The Swift SigV4Signer must reproduce these byte for byte. Credentials and the clock are fixed,
so the output is deterministic; re-run after changing a case:

    python3 Tests/CloudClientsTests/Fixtures/make_sigv4_fixtures.py

Needs only botocore (pip install botocore).
"""

import datetime
import json
import os
from unittest import mock
from urllib.parse import quote

import botocore
import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TIMESTAMP = datetime.datetime(2025, 1, 15, 8, 30, 0)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+session/token="


def aws_query(params):
    """The query string as a careful client puts it on the wire (RFC 3986 unreserved kept)."""
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in params)


CASES = [
    {
        "name": "get-query-needing-encoding",
        "method": "GET",
        "base": "https://ce.us-east-1.amazonaws.com/a%20path/./with/../%C3%BCn%C3%AFcode//x~y",
        "params": [
            ("Prefix", "reports/2025 01/"),
            ("filter", "name=a&b;c+d*e"),
            ("a", "2"),
            ("a", "10"),
            ("Ü", "€ and 😀"),
            ("empty", ""),
            ("tilde~", "-_.~!'()"),
        ],
        "headers": [("X-Custom", "  spaced   out\tvalue  ")],
        "body": "",
        "service": "ce",
        "region": "us-east-1",
        "token": None,
    },
    {
        "name": "post-form-sts",
        "method": "POST",
        "base": "https://sts.amazonaws.com/",
        "params": [],
        "headers": [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
        "body": "Action=GetCallerIdentity&Version=2011-06-15",
        "service": "sts",
        "region": "us-east-1",
        "token": None,
    },
    {
        "name": "post-form-session-token",
        "method": "POST",
        "base": "https://sts.eu-west-1.amazonaws.com",
        "params": [],
        "headers": [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("User-Agent", "cumulus/1.0 (not signed)"),
        ],
        "body": "Action=GetCallerIdentity&Version=2011-06-15",
        "service": "sts",
        "region": "eu-west-1",
        "token": SESSION_TOKEN,
    },
    {
        "name": "post-json-cost-explorer-duplicate-header-custom-port",
        "method": "POST",
        "base": "http://127.0.0.1:4566/",
        "params": [],
        "headers": [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "AWSInsightsIndexService.GetCostAndUsage"),
            ("X-Dup", "one"),
            ("x-dup", "two  words"),
        ],
        "body": json.dumps(
            {
                "TimePeriod": {"Start": "2025-01-01", "End": "2025-02-01"},
                "Granularity": "MONTHLY",
                "Metrics": ["UnblendedCost"],
            },
            separators=(",", ":"),
        ),
        "service": "ce",
        "region": "us-east-1",
        "token": SESSION_TOKEN,
    },
    {
        # S3 rules: the path is signed as sent (no normalisation, no second encoding) and the
        # payload hash travels in X-Amz-Content-SHA256 (botocore's S3SigV4Auth).
        "name": "s3-put-path-as-is-content-sha256",
        "method": "PUT",
        "base": "https://example-bucket.s3.eu-central-1.amazonaws.com:443/dir//key%20with%20space.txt",
        "params": [("x-id", "PutObject")],
        "headers": [("Content-Type", "text/plain")],
        "body": "hello, world\n",
        "service": "s3",
        "region": "eu-central-1",
        "token": None,
        "s3": True,
    },
]


def sign(case):
    body = case["body"].encode("utf-8")
    request = AWSRequest(method=case["method"], url=case["base"], data=body, params=case["params"])
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPMessage appends, so duplicates stay duplicates
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, case["token"])
    auth_class = S3SigV4Auth if case.get("s3") else SigV4Auth
    auth = auth_class(credentials, case["service"], case["region"])
    # Record the intermediate strings add_auth itself computes (recomputing them afterwards
    # would also sign the Authorization header it has just added).
    seen = {}
    real_canonical, real_sts = auth.canonical_request, auth.string_to_sign

    def canonical_request(req):
        seen["canonical_request"] = real_canonical(req)
        return seen["canonical_request"]

    def string_to_sign(req, canonical):
        seen["string_to_sign"] = real_sts(req, canonical)
        return seen["string_to_sign"]

    auth.canonical_request, auth.string_to_sign = canonical_request, string_to_sign
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=TIMESTAMP):
        auth.add_auth(request)
    canonical_request, string_to_sign = seen["canonical_request"], seen["string_to_sign"]
    url = case["base"]
    if case["params"]:
        url += "?" + aws_query(case["params"])
    return {
        "name": case["name"],
        "method": case["method"],
        "url": url,
        "headers": [[n, v] for n, v in case["headers"]],
        "body": case["body"],
        "service": case["service"],
        "region": case["region"],
        "accessKeyID": ACCESS_KEY,
        "secretAccessKey": SECRET_KEY,
        "sessionToken": case["token"],
        "s3": bool(case.get("s3")),
        "date": TIMESTAMP.strftime("%Y%m%dT%H%M%SZ"),
        "expected": {
            "authorization": request.headers["Authorization"],
            "xAmzDate": request.headers["X-Amz-Date"],
            "xAmzSecurityToken": request.headers.get("X-Amz-Security-Token"),
            "xAmzContentSHA256": request.headers.get("X-Amz-Content-SHA256"),
            "canonicalRequest": canonical_request,
            "stringToSign": string_to_sign,
        },
    }


def main():
    fixtures = {
        "generator": f"botocore {botocore.__version__} SigV4Auth",
        "cases": [sign(case) for case in CASES],
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigv4_fixtures.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(fixtures, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(fixtures['cases'])} cases to {out}")


if __name__ == "__main__":
    main()
