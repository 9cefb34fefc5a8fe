#!/usr/bin/env python3
"""Writes testdata/sql-edges/: Kinesis records in the S3 layout that exercise the rules the SQL of
`kinesis-insights sql` must reproduce and the bundled sample does not (time offsets, leap
seconds, fractions, bad times, Unicode white space, the user and stream rules' corners, an
organization trail's key). tests/sql/run_engine.py runs the engines on them and compares with
the CLI. Called by generate.py; deterministic.

common/: every engine reads these as the CLI does.
types/: fields of unexpected JSON types, which the CLI and DuckDB read as absent while Spark and
Athena read them as their text (README), so only DuckDB is compared on them.
"""

import gzip
import io
import json
import os
import shutil
import sys

KEY = "AWSLogs/o-aa11bb22cc/111122223333/CloudTrail/us-east-1/2024/03/09"
FILE = "111122223333_CloudTrail_us-east-1_20240309T1200Z_edges.json.gz"


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def rec(time="2024-03-09T10:00:00Z", name="PutRecord", ident=None, **extra):
    r = {
        "eventVersion": "1.09",
        "eventTime": time,
        "eventSource": "kinesis.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "81.2.69.142",
        "userIdentity": ident if ident is not None else {"type": "IAMUser", "userName": "alice"},
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
    }
    r.update(extra)
    return {k: v for k, v in r.items() if v is not None}


ARN = "arn:aws:kinesis:us-east-1:111122223333:stream/"

COMMON = [
    # Times: offsets, a leap second, fractions, separators, padding; and bad ones (skipped).
    rec("2024-03-09T12:30:00+05:30"),
    rec("2024-03-09T01:15:00-0800", "GetRecords"),
    rec("2024-03-09T23:59:60Z"),
    rec("2024-03-09t10:00:00.1234567Z"),
    rec("2024-03-09 10:00:00.5", "ListShards"),
    rec("\u30002024-03-09T11:00:00Z\t"),
    rec("2024-03-09T10:59:59.999+00:00"),
    rec("2024-02-30T10:00:00Z"),
    rec("2024-03-09T24:00:00Z"),
    rec("1969-12-31T23:59:59Z"),
    rec("2024-03-09T10:00:00+24:00"),
    rec("2024-03-09T10:00:00.Z"),
    rec("2024-3-09T10:00:00Z"),
    # White space of every kind around values.
    rec(eventSource="\u00a0kinesis.amazonaws.com\u2003"),
    rec(name="\u2028ListStreams\u2029"),
    rec(sourceIPAddress=" 10.0.0.1\n", awsRegion="\u205feu-west-1\u3000"),
    # Addresses for --source-ip networks: IPv4-mapped, a leading zero (no IPv4 address for
    # Rust), an octet over 255, IPv6.
    rec(sourceIPAddress="::ffff:10.1.2.3"),
    rec(sourceIPAddress="::FFFF:192.168.7.7"),
    rec(sourceIPAddress="010.0.0.1"),
    rec(sourceIPAddress="10.0.0.256"),
    rec(sourceIPAddress="2001:db8::1"),
    rec(sourceIPAddress="192.168.255.255"),
    # The user rule's corners.
    rec(ident={"type": "AssumedRole", "userName": "\u3000",
               "sessionContext": {"sessionIssuer": {"userName": "etl-role"}}}),
    rec(ident={"type": "FederatedUser", "arn": "arn:aws:sts::111122223333:federated-user/",
               "principalId": "111122223333:nobody"}),
    rec(ident={"type": "FederatedUser", "arn": "arn:aws:sts::111122223333:federated-user/bob/extra"}),
    rec(ident={"type": "Root", "arn": "arn:aws:iam::111122223333:root"}),
    rec(ident=None, userIdentity=None),
    rec(ident={"type": "AWSService", "invokedBy": " firehose.amazonaws.com "}),
    rec(ident={"type": "AWSAccount", "accountId": "444455556666", "principalId": "AROAX:job"}),
    rec(ident={"type": "AWSAccount", "principalId": "AROAX:job"}),
    rec(ident={"type": "AssumedRole",
               "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789ABCDEF/",
               "principalId": "AROAY:jane@corp",
               "sessionContext": {"sessionIssuer": {"userName": "AWSReservedSSO_Dev_0123456789ABCDEF"}}}),
    rec(ident={"type": "AssumedRole", "principalId": "AROAY",
               "sessionContext": {"sessionIssuer": {"userName": "AWSReservedSSO_Ops_0123456789abcdeg"}}}),
    rec(ident={"type": "AssumedRole",
               "arn": "arn:aws:sts::1:assumed-role/AWSReservedSSO__0123456789abcdef/x/y",
               "sessionContext": {"sessionIssuer": {"userName": "AWSReservedSSO__0123456789abcdef"}}}),
    rec(ident={"type": "IAMUser", "userName": "user[1]"}),
    # The stream rule's corners.
    rec(requestParameters={"streamARN": ARN + "a:stream/b/consumer/c:1"}),
    rec(requestParameters={"consumerARN": ARN + "orders/consumer/app:123"}),
    rec(resources=[{"ARN": ARN + "clicks", "type": "AWS::Kinesis::Stream"}]),
    rec(resources=[{"type": "AWS::Kinesis::Stream"}, {"ARN": ARN + "second"}]),
    rec(requestParameters={"streamName": "  ", "streamARN": ARN + "padded "}),
    rec(requestParameters={"resourceARN": "arn:aws:kinesis:us-east-1:1:stream/"}),
    # Errors: padded code without a message; a message without a code is no error.
    rec(errorCode="\tThrottlingException "),
    rec(errorCode="", errorMessage="not an error"),
    # Not counted: Insights, no eventName, another service; no recipientAccountId: the key's.
    rec(eventType="AwsCloudTrailInsight"),
    rec(name=""),
    rec(eventSource="s3.amazonaws.com"),
    rec(recipientAccountId=None, name="DescribeLimits"),
]

TYPES = [
    rec(ident={"type": "IAMUser", "userName": 5, "principalId": "AIDA5"}),
    rec(ident="x"),
    rec(resources={"ARN": ARN + "object"}),
    rec(requestParameters={"streamName": ["a"], "streamARN": ARN + "from-arn"}),
    rec(time=1709980000),
    rec(awsRegion=None, errorCode=7, errorMessage={"m": 1}),
    rec(ident={"type": ["Root"], "userName": "typed"}),
]


def build(root):
    out = os.path.join(root, "sql-edges")
    shutil.rmtree(out, ignore_errors=True)
    for sub, recs in (("common", COMMON), ("types", TYPES)):
        path = os.path.join(out, sub, KEY, FILE)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(gz(json.dumps({"Records": recs}, ensure_ascii=False).encode()))
    return out


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
