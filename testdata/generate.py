#!/usr/bin/env python3
"""Deterministic generator of kinesis-insights' sample data and of the expected panels.

    python3 testdata/generate.py            # rewrites testdata/cloudtrail, testdata/broken,
                                            # testdata/doc-sample and testdata/expected

The expected CSV files are computed here, in Python, straight from the records this script
writes, by a second implementation of the documented rules (trimming, the user rule, windows,
sorting). The Rust integration tests compare the binary's output with them, so a mistake in
either implementation shows up as a difference.

Output is byte-for-byte reproducible for a given Python and zlib (gzip mtime is fixed at 0).
"""

import argparse
import bz2
import csv
import math
import gzip
import io
import ipaddress
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

SEED = 20240309
KINESIS = "kinesis.amazonaws.com"
START = datetime(2024, 3, 9, 0, 0, tzinfo=timezone.utc)
DAYS = 2
ACCOUNTS = ["111122223333", "444455556666"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
STREAMS = ["orders", "clickstream", "audit-log", "payments"]

KINESIS_EVENTS = [
    # (name, weight, has stream)
    ("PutRecord", 30, True),
    ("PutRecords", 25, True),
    ("GetRecords", 20, False),
    ("GetShardIterator", 10, True),
    ("DescribeStreamSummary", 6, True),
    ("ListShards", 5, True),
    ("DescribeStream", 4, True),
    ("ListStreams", 3, False),
    ("SubscribeToShard", 2, False),
    ("RegisterStreamConsumer", 1, True),
    ("CreateStream", 1, True),
    ("UpdateShardCount", 1, True),
    ("MergeShards", 1, True),
    ("SplitShard", 1, True),
    ("AddTagsToStream", 1, True),
    ("DeleteStream", 1, True),
]
OTHER_EVENTS = [
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "PutObject"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("iam.amazonaws.com", "ListUsers"),
    ("firehose.amazonaws.com", "PutRecordBatch"),
]

# (identity, weight). The identity builders take the account id.
IDENTITIES = [
    ("iam-alice", 20),
    ("iam-bob", 12),
    ("iam-formula", 1),
    ("role-ingest", 18),
    ("role-analytics", 10),
    ("federated-carol", 4),
    ("root", 2),
    ("service-firehose", 8),
    ("identity-center", 3),
    ("principal-only", 2),
    ("no-identity", 1),
    ("blank-username", 1),
]

SOURCE_IPS = [
    ("81.2.69.142", 10),
    ("89.160.20.112", 8),
    ("216.160.83.56", 8),
    ("175.16.199.3", 5),
    ("2001:480::17", 4),
    ("2a02:cf40::9", 3),
    ("1.1.1.1", 2),
    ("10.0.12.7", 6),
    ("192.168.1.20", 3),
    ("172.16.3.4", 2),
    ("127.0.0.1", 1),
    ("kinesis.amazonaws.com", 4),
    ("firehose.amazonaws.com", 5),
    ("AWS Internal", 2),
]

ERRORS = [
    ("ResourceNotFoundException", "Stream orders-old under account {acct} not found."),
    ("LimitExceededException", "Rate exceeded for stream {stream} under account {acct}."),
    ("ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000001 in stream {stream} under account {acct}."),
    ("AccessDenied", None),
    ("ValidationException", "\x1b[31mred alert\x1b[0m injected"),
    ("InvalidArgumentException", "=HYPERLINK(\"http://example.invalid\",\"click\")"),
]


def weighted(rng, items):
    total = sum(w for _, w in items)
    r = rng.uniform(0, total)
    for item, w in items:
        r -= w
        if r <= 0:
            return item
    return items[-1][0]


def identity(kind, acct):
    if kind == "iam-alice":
        return {"type": "IAMUser", "principalId": "AIDAALICE", "arn": f"arn:aws:iam::{acct}:user/alice",
                "accountId": acct, "accessKeyId": "AKIAALICE", "userName": "alice"}
    if kind == "iam-bob":
        return {"type": "IAMUser", "principalId": "AIDABOB", "arn": f"arn:aws:iam::{acct}:user/bob",
                "accountId": acct, "userName": " bob "}
    if kind == "iam-formula":
        return {"type": "IAMUser", "principalId": "AIDAFORMULA", "arn": f"arn:aws:iam::{acct}:user/=cmd",
                "accountId": acct, "userName": "=cmd@evil"}
    if kind.startswith("role-"):
        role = kind[len("role-"):] + "-role"
        return {"type": "AssumedRole", "principalId": f"AROAXYZ:{role}-session",
                "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{role}-session", "accountId": acct,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAXYZ",
                                                     "arn": f"arn:aws:iam::{acct}:role/{role}",
                                                     "accountId": acct, "userName": role},
                                   "attributes": {"mfaAuthenticated": "false",
                                                  "creationDate": "2024-03-09T00:00:00Z"}}}
    if kind == "federated-carol":
        return {"type": "FederatedUser", "principalId": f"{acct}:carol",
                "arn": f"arn:aws:sts::{acct}:federated-user/carol", "accountId": acct,
                "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "federator"}}}
    if kind == "root":
        return {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root", "accountId": acct}
    if kind == "service-firehose":
        return {"type": "AWSService", "invokedBy": "firehose.amazonaws.com"}
    if kind == "identity-center":
        return {"type": "IdentityCenterUser", "accountId": acct,
                "onBehalfOf": {"userId": "94482488-3041-7026-18f3-be45837cd0e4",
                               "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"},
                "credentialId": "x"}
    if kind == "principal-only":
        return {"type": "Unknown", "principalId": "ANONYMOUS_PRINCIPAL"}
    if kind == "blank-username":
        return {"type": "IAMUser", "principalId": "AIDABLANK", "userName": "   ", "accountId": acct}
    return None


def user_of(ident):
    """The documented user rule, written independently of the Rust code."""
    if not isinstance(ident, dict):
        return "unknown"
    def s(v):
        return v.strip() if isinstance(v, str) else ""
    kind = s(ident.get("type"))
    cands = [s(ident.get("userName"))]
    arn = s(ident.get("arn"))
    cands.append(arn.split("federated-user/", 1)[1] if kind == "FederatedUser" and "federated-user/" in arn else "")
    ctx = ident.get("sessionContext") if isinstance(ident.get("sessionContext"), dict) else {}
    issuer = ctx.get("sessionIssuer") if isinstance(ctx.get("sessionIssuer"), dict) else {}
    role = s(issuer.get("userName"))
    principal = s(ident.get("principalId"))
    if role.startswith("AWSReservedSSO_"):
        # IAM Identity Center: AWSReservedSSO_<permission set>_<16 hex> / the session's name.
        m = re.fullmatch(r".*?:assumed-role/[^/]*/(.+)", arn)
        session = m.group(1) if m else (principal.split(":", 1)[1] if ":" in principal else "")
        if session:
            m = re.fullmatch(r"(AWSReservedSSO_.+)_[0-9a-fA-F]{16}", role)
            role = (m.group(1) if m else role) + "/" + session
    cands.append(role)
    cands.append("root" if kind == "Root" else "")
    cands.append(s(ident.get("invokedBy")))
    obo = ident.get("onBehalfOf") if isinstance(ident.get("onBehalfOf"), dict) else {}
    cands.append(s(obo.get("userId")))
    acct = s(ident.get("accountId"))
    cands.append(f"{acct}/{principal}" if kind == "AWSAccount" and acct and principal else principal)
    return next((c for c in cands if c), "unknown")


def fmt_time(dt, style):
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    ms = dt.microsecond // 1000
    return {
        "z": base + "Z",
        "frac": f"{base}.{ms:03d}Z",
        "colon": base + "+00:00",
        "plain": base + "+0000",
    }[style]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.n = 0

    def uuid(self):
        r = self.rng.getrandbits(128)
        h = f"{r:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def record(self, acct, region, when, kinesis):
        rng = self.rng
        self.n += 1
        rec = {"eventVersion": "1.09"}
        kind = weighted(rng, IDENTITIES)
        ident = identity(kind, acct)
        if ident is not None:
            rec["userIdentity"] = ident
        style = rng.choice(["z", "z", "z", "frac", "colon", "plain"])
        rec["eventTime"] = fmt_time(when, style)
        if kinesis:
            name, _, has_stream = weighted(rng, [((n, w, s), w) for n, w, s in KINESIS_EVENTS])
            source = KINESIS
        else:
            source, name = rng.choice(OTHER_EVENTS)
            has_stream = False
        # Messy real data: stray whitespace in a few fields.
        rec["eventSource"] = source if rng.random() > 0.02 else f" {source} "
        rec["eventName"] = name if rng.random() > 0.03 else f" {name}"
        rec["awsRegion"] = region if rng.random() > 0.05 else region + " "
        ip = weighted(rng, SOURCE_IPS)
        rec["sourceIPAddress"] = ip if rng.random() > 0.03 else f"{ip} "
        rec["userAgent"] = rng.choice([
            "aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17",
            "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
            "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux",
            "firehose.amazonaws.com",
            "\x1b]0;pwned\x07evil-agent",
        ])
        stream = rng.choice(STREAMS)
        if has_stream:
            if rng.random() < 0.3:
                rec["requestParameters"] = {"streamARN": f"arn:aws:kinesis:{region}:{acct}:stream/{stream}",
                                            "shardId": "shardId-000000000000"}
            else:
                rec["requestParameters"] = {"streamName": stream, "partitionKey": "pk-" + str(rng.randint(1, 99))}
        elif kinesis and name == "GetRecords":
            rec["requestParameters"] = {"shardIterator": "AAAAAAAA" + str(rng.randint(1, 1 << 30)), "limit": 1000}
            # A data event names its stream only in resources[].
            rec["resources"] = [{"accountId": acct, "type": "AWS::Kinesis::Stream",
                                 "ARN": f"arn:aws:kinesis:{region}:{acct}:stream/{stream}"}]
        elif kinesis and name == "SubscribeToShard":
            rec["requestParameters"] = {
                "consumerARN": f"arn:aws:kinesis:{region}:{acct}:stream/{stream}/consumer/app1:1709942400",
                "shardId": "shardId-000000000000"}
        else:
            rec["requestParameters"] = None
        rec["responseElements"] = None
        if rng.random() < 0.08:
            code, msg = rng.choice(ERRORS)
            rec["errorCode"] = code
            if msg is not None:
                rec["errorMessage"] = msg.format(acct=acct, stream=stream)
        rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()
        rec["readOnly"] = name.startswith(("Get", "Describe", "List"))
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = name not in ("PutRecord", "PutRecords", "GetRecords")
        rec["recipientAccountId"] = acct
        rec["eventCategory"] = "Management" if rec["managementEvent"] else "Data"
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                             "clientProvidedHostHeader": f"kinesis.{region}.amazonaws.com"}
        return rec


def gz_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def java_double(x):
    """A double as Java's Double.toString writes it, which is how CloudWatch Metric Streams write
    the numbers of `value` (the real export in shared/realdata/metricstreams-real has
    "sum":1.5898017E7 and "min":3.597669E7 beside "max":100.0): the shortest digits that read
    back to the same double; from 10^-3 up to below 10^7 as a decimal with at least one digit
    after the point ("3.0", "12.75"), otherwise one digit, the point, at least one more digit and
    an exponent ("1.5898017E7", "1.0E-4", "-2.5E10")."""
    from decimal import Decimal
    x = float(x)
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    if 1e-3 <= x < 1e7:
        return sign + repr(x)  # Python's repr is plain here, with the same shortest digits
    d = Decimal(repr(x))
    digits = "".join(map(str, d.as_tuple().digits)).rstrip("0") or "0"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{d.adjusted()}"


def stream_dumps(rec):
    """A Metric Streams record as CloudWatch writes it: compact JSON, the floats of its `value`
    object written by `java_double`."""
    value = rec.get("value")
    if not isinstance(value, dict):
        return dumps(rec)
    text = dumps({**rec, "value": "\u0001value"})
    members = ",".join(dumps(k) + ":" + (java_double(v) if isinstance(v, float) else dumps(v))
                       for k, v in value.items())
    return text.replace(dumps("\u0001value"), "{" + members + "}", 1)


# ---------------------------------------------------------------------------------------------
# The sample dump


def build_sample(root, seed=SEED, days=DAYS, records_per_file=30, block_hours=3):
    """Writes the S3-style sample under root; returns every record that counts as input."""
    g = Gen(seed)
    rng = g.rng
    counted = []
    for acct in ACCOUNTS:
        for region in REGIONS:
            for block in range(days * 24 // block_hours):
                begin = START + timedelta(hours=block * block_hours)
                n = rng.randint(records_per_file // 2, records_per_file * 3 // 2)
                recs = []
                for _ in range(n):
                    when = begin + timedelta(milliseconds=rng.randrange(block_hours * 3_600_000))
                    recs.append(g.record(acct, region, when, kinesis=rng.random() < 0.6))
                recs.sort(key=lambda r: r["eventTime"])
                counted.extend(recs)
                end = begin + timedelta(hours=block_hours)
                stamp = end.strftime("%Y%m%dT%H%MZ")
                day = begin.strftime("%Y/%m/%d")
                name = f"{acct}_CloudTrail_{region}_{stamp}_{g.uuid()[:16].replace('-', '')}.json.gz"
                path = os.path.join(root, "AWSLogs", acct, "CloudTrail", region, day, name)
                write(path, gz_bytes(dumps({"Records": recs}).encode()))
                if block % 8 == 0:
                    digest = {"awsAccountId": acct,
                              "digestStartTime": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "digestEndTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "digestS3Bucket": "trail-bucket", "logFiles": [{"s3Object": name}]}
                    dname = f"{acct}_CloudTrail-Digest_{region}_trail_{region}_{stamp}.json.gz"
                    dpath = os.path.join(root, "AWSLogs", acct, "CloudTrail-Digest", region, day, dname)
                    write(dpath, gz_bytes(dumps(digest).encode()))
    # An Insights file: its records look like Kinesis calls but are not; skipped by path.
    insight = {"Records": [{"eventVersion": "1.08", "eventTime": "2024-03-09T12:00:00Z",
                            "eventSource": KINESIS, "eventName": "PutRecord", "awsRegion": "us-east-1",
                            "eventType": "AwsCloudTrailInsight", "eventCategory": "Insight",
                            "insightDetails": {"state": "Start", "eventSource": KINESIS,
                                               "eventName": "PutRecord", "insightType": "ApiCallRateInsight"}}]}
    write(os.path.join(root, "AWSLogs", ACCOUNTS[0], "CloudTrail-Insight", "us-east-1", "2024/03/09",
                       f"{ACCOUNTS[0]}_CloudTrail-Insight_us-east-1_20240309T1200Z_x.json.gz"),
          gz_bytes(dumps(insight).encode()))

    extra = os.path.join(root, "extra")
    acct = "777788889999"
    # lookup-events output (pretty-printed, as the AWS CLI prints it).
    recs = [g.record(acct, "us-east-1", START + timedelta(hours=30, minutes=7 * i), kinesis=i % 4 != 3)
            for i in range(20)]
    counted.extend(recs)
    lookup = {"Events": [{"EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "false",
                          "EventTime": r["eventTime"], "EventSource": r["eventSource"],
                          "Username": user_of(r.get("userIdentity")), "Resources": [],
                          "CloudTrailEvent": dumps(r)} for r in recs],
              "NextToken": "abc"}
    write(os.path.join(extra, "lookup-events.json"), json.dumps(lookup, indent=4).encode())
    # JSON lines, gzipped, no file extension (as a Firehose delivery might be).
    recs = [g.record(acct, "eu-west-1", START + timedelta(hours=20, seconds=37 * i), kinesis=i % 5 != 0)
            for i in range(60)]
    counted.extend(recs)
    write(os.path.join(extra, "firehose", "delivery-2024-03-09-20"),
          gz_bytes("".join(dumps(r) + "\n" for r in recs).encode()))
    # Concatenated objects with no separator, plain text.
    recs = [g.record(acct, "us-west-2", START + timedelta(hours=40, seconds=101 * i), kinesis=True)
            for i in range(15)]
    counted.extend(recs)
    write(os.path.join(extra, "concatenated.json"), "".join(dumps(r) for r in recs).encode())
    # A top-level JSON array (as some exporters and the stratus-red-team logs write).
    recs = [g.record(acct, "us-east-1", START + timedelta(hours=5, seconds=53 * i), kinesis=i % 3 != 0)
            for i in range(30)]
    counted.extend(recs)
    write(os.path.join(extra, "array.json"), json.dumps(recs, indent=2).encode())
    # A digest recognised by its content alone.
    write(os.path.join(extra, "copied-digest.json"),
          dumps({"awsAccountId": acct, "digestStartTime": "2024-03-09T00:00:00Z",
                 "digestEndTime": "2024-03-09T01:00:00Z", "logFiles": []}).encode())
    return counted


DOC_SAMPLE = """{
  "eventVersion":"1.01",
  "userIdentity":{
     "type":"IAMUser",
     "principalId":"EX_PRINCIPAL_ID",
     "arn":"arn:aws:iam::012345678910:user/Alice",
     "accountId":"012345678910",
     "accessKeyId":"vmLwWTxSQrcvzD",
     "userName":"Gosia"
  },
  "eventTime":"2017-11-01T21:23:30+0000",
  "errorCode":"LimitExceedException",
  "errorMessage":"Rate exceeded for stream CWL-Kinesis under account 656757657843",
  "eventSource":"kinesis.amazonaws.com",
  "eventName":"MergeShards",
  "awsRegion":"us-east-2 ",
  "sourceIPAddress":"187.185.157.125",
  "userAgent":"aws-sdk-java/unknown-version Linux/x.xx",
  "requestParameters":{
     "streamName":"GoodStream",
     "adjacentShardToMerge":"shardId-000000000002",
     "shardToMerge":"shardId-000000000001"
  },
  "responseElements":null,
  "requestID":"e9f9c8eb-c757-11e3-bf1d-6948db3cd570",
  "eventID":"77cf0d06-ce90-42da-9576-71986fec411f"
}
"""


def build_identities(root):
    """Kinesis calls by the identities the user rule names specially: IAM Identity Center role
    sessions (AWSReservedSSO_*), callers from another account (AWSAccount) and Identity Center
    users (IdentityCenterUser), in the shapes CloudTrail writes them."""
    acct = "111122223333"
    sso = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    ro = "AWSReservedSSO_ReadOnly_fedcba9876543210"
    def role_session(role, session, with_arn=True):
        ident = {"type": "AssumedRole", "accountId": acct,
                 "principalId": f"AROAEXAMPLEID:{session}" if session else "AROAEXAMPLEID",
                 "accessKeyId": "ASIAEXAMPLE",
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID",
                                                      "arn": f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{role}",
                                                      "accountId": acct, "userName": role},
                                    "attributes": {"creationDate": "2024-03-09T08:00:00Z",
                                                   "mfaAuthenticated": "false"}}}
        if with_arn:
            ident["arn"] = f"arn:aws:sts::{acct}:assumed-role/{role}/{session}"
        return ident
    identities = [
        role_session(sso, "jane.doe@example.com"),
        role_session(sso, "jane.doe@example.com"),
        role_session(ro, "jane.doe@example.com"),
        role_session(sso, "raj.patel@example.com", with_arn=False),
        role_session("AWSReservedSSO_DataEngineer_0a1b2c3d4e5f6a7b", None, with_arn=False),
        {"type": "AWSAccount", "principalId": "AROAOTHERACCOUNT:etl-job", "accountId": "444455556666"},
        {"type": "AWSAccount", "principalId": "AIDAOTHERUSER", "accountId": "444455556666"},
        {"type": "AWSAccount", "principalId": "AIDANOACCOUNT"},
        {"type": "IdentityCenterUser", "accountId": acct,
         "onBehalfOf": {"userId": "544894e8-80c1-707f-60e3-3ba6510dfac1",
                        "identityStoreArn": f"arn:aws:identitystore::{acct}:identitystore/d-9067642ac7"},
         "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"},
        {"type": "AssumedRole", "principalId": "AROAPLAIN:i-0abc", "accountId": acct,
         "arn": f"arn:aws:sts::{acct}:assumed-role/ingest-role/i-0abc",
         "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "ingest-role"}}},
    ]
    names = ["PutRecord", "DescribeStreamSummary", "GetRecords", "ListShards"]
    recs = []
    for i, ident in enumerate(identities):
        recs.append({"eventVersion": "1.09", "userIdentity": ident,
                     "eventTime": f"2024-03-09T{8 + i % 4:02d}:{i * 7 % 60:02d}:00Z",
                     "eventSource": KINESIS, "eventName": names[i % len(names)], "awsRegion": "us-east-1",
                     "sourceIPAddress": f"198.51.100.{10 + i}", "userAgent": "aws-cli/2.15.0",
                     "requestParameters": {"streamName": "orders"}, "responseElements": None,
                     "eventID": f"00000000-0000-4000-8000-{i:012d}", "readOnly": i % 2 == 1,
                     "eventType": "AwsApiCall", "managementEvent": i % 4 != 2,
                     "recipientAccountId": acct, "eventCategory": "Management"})
    write(os.path.join(root, "identities.json"), json.dumps({"Records": recs}, indent=2).encode())
    return recs


def build_broken(root):
    g = Gen(SEED + 1)
    recs = [g.record("999900001111", "us-east-1", START + timedelta(minutes=3 * i), kinesis=True)
            for i in range(40)]
    whole = gz_bytes(dumps({"Records": recs}).encode())
    write(os.path.join(root, "truncated.json.gz"), whole[: len(whole) * 2 // 3])
    write(os.path.join(root, "garbage.bin"), bytes(random.Random(7).getrandbits(8) for _ in range(512)))
    write(os.path.join(root, "empty.json"), b"")
    lines = [dumps(r) for r in recs[:5]]
    lines.insert(2, '{"eventTime": "2024-03-09T00:00:00Z", "eventSource": kinesis}')
    write(os.path.join(root, "invalid-line.jsonl"), ("\n".join(lines) + "\n").encode())
    write(os.path.join(root, "wrong-shape.json"), b'{"Records": "x"}')
    write(os.path.join(root, "numbers.json"),
          dumps({"Records": [{"eventTime": 5, "eventSource": KINESIS, "eventName": "PutRecord"},
                             {"eventTime": "2024-03-09T00:00:00Z", "eventSource": KINESIS,
                              "eventName": 7}, 42]}).encode())


# ---------------------------------------------------------------------------------------------
# Envelopes: the records of one day of one account and region of the sample (its S3 files,
# read back), wrapped as other pipelines deliver CloudTrail. Each file under envelopes/ (but
# eventbridge/single/) holds exactly those records, so its panels must equal the S3 files' and
# expected/envelopes/. Shapes as AWS documents them: CloudWatch Logs subscription payloads
# (the message is the event's compact JSON), filter-log-events and get-log-events output as the
# AWS CLI prints it, an export task's 000000.gz, EventBridge "AWS API Call via CloudTrail" events.

ENVELOPE_S3 = os.path.join("AWSLogs", ACCOUNTS[0], "CloudTrail", "us-east-1", "2024", "03", "09")


def envelope_records(cloudtrail_root):
    """The records of the S3 files under ENVELOPE_S3, in file order."""
    d = os.path.join(cloudtrail_root, ENVELOPE_S3)
    recs = []
    for name in sorted(os.listdir(d)):
        with gzip.open(os.path.join(d, name), "rb") as f:
            recs.extend(json.loads(f.read())["Records"])
    return recs


def epoch_ms(rec):
    return int(parse_time(rec["eventTime"]).timestamp() * 1000)


def iso_ms(ms):
    dt = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def build_envelopes(root, recs, seed=SEED + 2):
    rng = random.Random(seed)
    g = Gen(seed)
    acct, region = ACCOUNTS[0], "us-east-1"
    group = f"aws-cloudtrail-logs-{acct}-3f8e2a1b"
    stream = f"{acct}_CloudTrail_{region}"
    # CloudWatch Logs event ids: 56 decimal digits, growing with the timestamp.
    events = [{"id": f"{epoch_ms(r):d}{i:043d}"[:56].ljust(56, "0"), "timestamp": epoch_ms(r),
               "message": dumps(r)} for i, r in enumerate(recs)]
    cwl = os.path.join(root, "cloudwatch-logs")
    # Subscription payloads, in batches, after the control message a new subscription sends.
    control = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
               "logStream": "", "subscriptionFilters": [],
               "logEvents": [{"id": "", "timestamp": epoch_ms(recs[0]),
                              "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}
    payloads = [control]
    i = 0
    while i < len(events):
        n = rng.randint(1, 40)
        payloads.append({"messageType": "DATA_MESSAGE", "owner": acct, "logGroup": group,
                         "logStream": stream, "subscriptionFilters": ["to-firehose"],
                         "logEvents": events[i:i + n]})
        i += n
    # Firehose without decompression writes each payload as it came (gzipped), one after another.
    write(os.path.join(cwl, "firehose", "2024", "03", "09", "00", "to-s3-1-2024-03-09-00-00-00-8d3b"),
          b"".join(gz_bytes(dumps(p).encode()) for p in payloads))
    # With decompression (and no message extraction), the payloads concatenated, no separator.
    write(os.path.join(cwl, "firehose-decompressed", "to-s3-1-2024-03-09-00-00-00-1c5e"),
          "".join(dumps(p) for p in payloads).encode())
    # aws logs filter-log-events (the CLI pages through and prints one document, indent 4).
    fle = {"events": [{"logStreamName": stream, "timestamp": e["timestamp"], "message": e["message"],
                       "ingestionTime": e["timestamp"] + 900 + rng.randint(0, 4000), "eventId": e["id"]}
                      for e in events],
           "searchedLogStreams": [{"logStreamName": stream, "searchedCompletely": True}]}
    write(os.path.join(cwl, "filter-log-events.json"), json.dumps(fle, indent=4, ensure_ascii=False).encode())
    # aws logs get-log-events.
    gle = {"events": [{"timestamp": e["timestamp"], "message": e["message"],
                       "ingestionTime": e["timestamp"] + 900 + rng.randint(0, 4000)} for e in events],
           "nextForwardToken": "f/" + "3" * 56, "nextBackwardToken": "b/" + "3" * 56}
    write(os.path.join(cwl, "get-log-events.json"), json.dumps(gle, indent=4, ensure_ascii=False).encode())
    # create-export-task: <prefix>/<task id>/<log stream>/000000.gz, lines "<ISO time> <message>".
    write(os.path.join(cwl, "export", "5b6c1d7e-0f42-4f0a-9d52-3a7c1e2b9f10", stream, "000000.gz"),
          gz_bytes("".join(f"{iso_ms(e['timestamp'])} {e['message']}\n" for e in events).encode()))
    # EventBridge "AWS API Call via CloudTrail" events, as a Firehose delivery stream archives them.
    def eventbridge(r):
        return {"version": "0", "id": g.uuid(), "detail-type": "AWS API Call via CloudTrail",
                "source": "aws." + r["eventSource"].strip().split(".")[0], "account": acct,
                "time": parse_time(r["eventTime"]).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": r["awsRegion"].strip(), "resources": [], "detail": r}
    bridged = [eventbridge(r) for r in recs]
    eb = os.path.join(root, "eventbridge")
    write(os.path.join(eb, "lines", "kinesis-api-calls-1-2024-03-09-00-00-00-aa01.gz"),
          gz_bytes("".join(dumps(e) + "\n" for e in bridged).encode()))
    write(os.path.join(eb, "concatenated", "kinesis-api-calls-1-2024-03-09-00-00-00-bb02.gz"),
          gz_bytes("".join(dumps(e) for e in bridged).encode()))
    # One event per object (three of them; counted on their own in tests/envelopes.rs).
    for k, e in enumerate(bridged[:3]):
        write(os.path.join(root, "eventbridge-single", f"event-{k}.json"), dumps(e).encode())


def build_compressed(root, broken, recs):
    """The same records as S3-layout JSON in bzip2 (two streams, as pbzip2 writes), read like
    gzip; and archives, which are refused with what they are."""
    half = len(recs) // 2
    write(os.path.join(root, "records.json.bz2"),
          bz2.compress(dumps({"Records": recs[:half]}).encode(), 9)
          + bz2.compress(dumps({"Records": recs[half:]}).encode(), 9))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("records.json", date_time=(2024, 3, 9, 0, 0, 0))
        z.writestr(info, dumps({"Records": recs[:5]}))
    write(os.path.join(broken, "archive.zip"), buf.getvalue())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = dumps({"Records": recs[:5]}).encode()
        info = tarfile.TarInfo("records.json")
        info.size, info.mtime = len(data), 0
        t.addfile(info, io.BytesIO(data))
    write(os.path.join(broken, "archive.tar.gz"), gz_bytes(buf.getvalue()))


# ---------------------------------------------------------------------------------------------
# Expected panels, computed independently


def parse_time(s):
    s = s.strip()
    if s.endswith("+0000"):
        s = s[:-5] + "+00:00"
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.fromisoformat(s)


def stream_of(r):
    """The documented --stream rule: streamName; else the stream in streamARN, consumerARN or
    resourceARN; else in resources[0].ARN; else empty."""
    def s(v):
        return v.strip() if isinstance(v, str) else ""
    def in_arn(arn):
        return arn.rsplit(":stream/", 1)[1].split("/")[0] if ":stream/" in arn else ""
    params = r.get("requestParameters") if isinstance(r.get("requestParameters"), dict) else {}
    if s(params.get("streamName")):
        return s(params.get("streamName"))
    res = r.get("resources")
    first = res[0] if isinstance(res, list) and res and isinstance(res[0], dict) else {}
    for arn in (params.get("streamARN"), params.get("consumerARN"), params.get("resourceARN"), first.get("ARN")):
        name = in_arn(s(arn))
        if name:
            return name
    return ""


def kinesis_events(records):
    out = []
    for r in records:
        if r.get("eventType") == "AwsCloudTrailInsight":
            continue
        if str(r.get("eventSource", "")).strip() != KINESIS:
            continue
        stream = stream_of(r)
        ident = r.get("userIdentity")
        out.append({
            "time": parse_time(r["eventTime"]),
            "event_name": r["eventName"].strip(),
            "region": r["awsRegion"].strip(),
            "source_ip": r["sourceIPAddress"].strip(),
            "user": user_of(ident),
            "user_type": (ident or {}).get("type", ""),
            "error_code": (r.get("errorCode") or "").strip(),
            "error_message": (r.get("errorMessage") or "").strip(),
            "stream": stream,
            "account": str(r.get("recipientAccountId") or "").strip(),
        })
    return out


def by_count(counter):
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def floor_bucket(dt, seconds):
    epoch = int(dt.timestamp() // 1)  # whole seconds; buckets are whole seconds wide
    if dt.timestamp() < 0 and dt.timestamp() != epoch:
        epoch -= 1
    return epoch - epoch % seconds


def panels(events, since=None, until=None, bucket=3600, top=10):
    """Every events panel as a list of CSV rows (header first)."""
    total = len(events)
    out = {}
    names = Counter(e["event_name"] for e in events)
    rows = [["event_name", "count", "percent"]]
    for (name,), n in by_count(Counter((e["event_name"],) for e in events)):
        h = (n * 20000 + total) // (2 * total)
        rows.append([name, n, f"{h // 100}.{h % 100:02d}"])
    out["events"] = rows

    rows = [["time", "event_name", "count"]]
    if events:
        start = since if since is not None else min(e["time"] for e in events)
        end = (until - timedelta(milliseconds=1)) if until is not None else max(e["time"] for e in events)
        counts = Counter((floor_bucket(e["time"], bucket), e["event_name"]) for e in events)
        t = floor_bucket(start, bucket)
        while t <= floor_bucket(end, bucket):
            for name in sorted(names):
                rows.append([iso(datetime.fromtimestamp(t, timezone.utc)), name, counts.get((t, name), 0)])
            t += bucket
    out["events-over-time"] = rows

    def group(header, fields, keep=lambda e: True, limit=None):
        c = Counter(tuple(e[f] for f in fields) for e in events if keep(e))
        body = [list(k) + [n] for k, n in by_count(c)]
        return [header] + (body[:limit] if limit is not None else body)

    out["api-calls"] = group(["region", "user", "event_name", "source_ip", "count"],
                             ["region", "user", "event_name", "source_ip"])
    out["by-user"] = group(["user", "event_name", "count"], ["user", "event_name"])
    out["by-region"] = group(["region", "event_name", "count"], ["region", "event_name"])
    out["errors"] = group(["error_code", "error_message", "event_name", "user", "source_ip", "count"],
                          ["error_code", "error_message", "event_name", "user", "source_ip"],
                          keep=lambda e: e["error_code"] != "")
    out["top-users"] = group(["user", "count"], ["user"],
                             keep=lambda e: e["user_type"] in ("IAMUser", "AssumedRole", "FederatedUser", "Root"),
                             limit=top)
    return out


# ---------------------------------------------------------------------------------------------
# GeoIP test databases: the networks are listed here; tests/geoip.rs builds the .mmdb files from
# testdata/geoip/networks.json in four layouts. The expected locations panel is computed here.

NETWORKS = [
    {"network": "81.2.69.0/24", "country_code": "GB", "country_name": "United Kingdom",
     "region": "England", "city": "London", "latitude": 51.5142, "longitude": -0.0931},
    {"network": "89.160.20.0/24", "country_code": "SE", "country_name": "Sweden",
     "region": "Östergötland County", "city": "Linköping", "latitude": 58.4167, "longitude": 15.6167},
    {"network": "216.160.83.0/24", "country_code": "US", "country_name": "United States",
     "region": "Washington", "city": "Milton", "latitude": 47.2513, "longitude": -122.3149},
    {"network": "175.16.199.0/24", "country_code": "CN", "country_name": "China",
     "region": "Jilin Sheng", "city": "Changchun", "latitude": 43.88, "longitude": 125.3228},
    {"network": "2001:480::/32", "country_code": "US", "country_name": "United States",
     "region": "California", "city": "San Diego", "latitude": 32.7203, "longitude": -117.1552},
    {"network": "2a02:cf40::/29", "country_code": "NO", "country_name": "Norway",
     "region": "", "city": "", "latitude": 62.0, "longitude": 10.0},
]

# ISO 3166-1 English short names of the codes above (flat databases carry no names), as Debian's
# iso-codes package (and Python's pycountry) lists them.
ISO_NAMES = {"GB": "United Kingdom", "SE": "Sweden", "US": "United States", "CN": "China",
             "NO": "Norway"}

# Layout -> (IPv4 only, fields it carries, country names from the database or from ISO 3166,
# coordinates stored as doubles or as 32-bit floats, networks whose record is damaged)
GEO_LAYOUTS = {
    "city": (False, ("country", "region", "city", "coords"), "db", "double", ()),
    "country": (False, ("country",), "db", "double", ()),
    "flat-city-ipv4": (True, ("country", "region", "city", "coords"), "iso", "float", ()),
    "flat-country": (False, ("country",), "iso", "double", ()),
    "city-damaged": (False, ("country", "region", "city", "coords"), "db", "double",
                     ("89.160.20.0/24",)),
}


def float32_shortest(x):
    """The shortest decimal that reads back as the same 32-bit float as x: what a reader should
    show for a coordinate stored as a float (type 15)."""
    import struct
    f32 = lambda v: struct.unpack("<f", struct.pack("<f", v))[0]
    target = f32(x)
    for digits in range(1, 10):
        text = f"{target:.{digits}g}"
        if f32(float(text)) == target:
            return float(text)
    raise AssertionError(x)


def geo_damage(events, layout):
    """(distinct addresses, events) whose record is damaged in `layout`."""
    import ipaddress
    damaged = [ipaddress.ip_network(n) for n in GEO_LAYOUTS[layout][4]]
    hits = Counter()
    for e in events:
        try:
            ip = ipaddress.ip_address(e["source_ip"])
        except ValueError:
            continue
        if any(ip.version == net.version and ip in net for net in damaged):
            hits[e["source_ip"]] += 1
    return len(hits), sum(hits.values())


def is_aws_service(src):
    """CloudTrail's names for calls by AWS itself: `AWS Internal` and service DNS names."""
    if src == "AWS Internal":
        return True
    host = src[:-len(".amazonaws.com")] if src.endswith(".amazonaws.com") else ""
    return host != "" and all(re.fullmatch(r"[A-Za-z0-9-]+", label) for label in host.split("."))


def locations(events, layout):
    import ipaddress
    ipv4_only, fields, names, coords, damaged = GEO_LAYOUTS[layout]
    nets = [(ipaddress.ip_network(n["network"]), n) for n in NETWORKS]
    coord = (lambda c: c) if coords == "double" else float32_shortest
    by_loc = Counter()
    for e in events:
        src = e["source_ip"]
        if is_aws_service(src):
            by_loc[("", "(AWS service)", "", "", "", "")] += 1
            continue
        try:
            # A zone (fe80::1%eth0) names the interface, not the place.
            addr, _, zone = src.partition("%")
            ip = ipaddress.ip_address(addr if ":" in addr and zone else src)
        except ValueError:
            by_loc[("", "(not found)", "", "", "", "")] += 1
            continue
        if not ip.is_global:
            by_loc[("", "(private address)", "", "", "", "")] += 1
            continue
        found = None
        if not (ipv4_only and ip.version == 6):
            hits = [(net, n) for net, n in nets if net.version == ip.version and ip in net]
            if hits:
                found = max(hits, key=lambda h: h[0].prefixlen)[1]
        if found is None or found["network"] in damaged:
            by_loc[("", "(not found)", "", "", "", "")] += 1
            continue
        name = found["country_name"] if names == "db" else ISO_NAMES[found["country_code"]]
        by_loc[(found["country_code"], name,
                found["region"] if "region" in fields else "",
                found["city"] if "city" in fields else "",
                coord(found["latitude"]) if "coords" in fields else "",
                coord(found["longitude"]) if "coords" in fields else "")] += 1

    def key(item):
        (cc, cn, region, city, lat, lon), n = item
        coord = lambda c: (0, 0.0) if c == "" else (1, c)
        return (-n, cc, cn, region, city, coord(lat), coord(lon))

    rows = [["country_code", "country_name", "region", "city", "latitude", "longitude", "count"]]
    for (cc, cn, region, city, lat, lon), n in sorted(by_loc.items(), key=key):
        rows.append([cc, cn, region, city, "" if lat == "" else plain(lat),
                     "" if lon == "" else plain(lon), n])
    return rows


# ---------------------------------------------------------------------------------------------
# Metrics: CloudWatch datapoints in the three saved forms, and the expected panels


M_START = datetime(2024, 3, 9, 0, 0, tzinfo=timezone.utc)
M_MINUTES = 120
MIB = 1048576.0

# id, stream-level metric, shard-level metric, statistic, divisor
METRIC_PANELS = [
    ("incoming-bytes", "IncomingBytes", "IncomingBytes", "Sum", MIB),
    ("incoming-records", "IncomingRecords", "IncomingRecords", "Sum", 1.0),
    ("get-bytes", "GetRecords.Bytes", "OutgoingBytes", "Sum", MIB),
    ("get-records", "GetRecords.Records", "OutgoingRecords", "Sum", 1.0),
    ("put-latency", "PutRecord.Latency", None, "Average", 1.0),
    ("get-latency", "GetRecords.Latency", None, "Average", 1.0),
    ("write-exceeded", "WriteProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded", "Average", 1.0),
    ("read-exceeded", "ReadProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "Average", 1.0),
    ("get-success", "GetRecords.Success", None, "Average", 1.0),
    ("iterator-age", "GetRecords.IteratorAgeMilliseconds", "IteratorAgeMilliseconds", "Maximum", 1.0),
]

# A second account with a stream of the same name in the same region: its series must stay
# apart from the first account's (written to files of its own, with a generator of its own).
M_OTHER_ACCOUNT = ("444455556666", "us-east-1", "orders", ["shardId-000000000000"])

# (region, stream, shards), of account 111122223333
M_STREAMS = [
    ("us-east-1", "orders", ["shardId-000000000000", "shardId-000000000001"]),
    ("us-east-1", "clickstream", ["shardId-000000000000"]),
    ("eu-west-1", "orders", ["shardId-000000000003"]),
]


def metric_value(rng, metric):
    """(sum, count, max, min) of one minute of `metric`."""
    count = float(rng.randint(1, 60))
    if metric.endswith("Bytes"):
        per = [rng.randint(100, 200_000) for _ in range(int(count))]
        return float(sum(per)), count, float(max(per)), float(min(per))
    if metric.endswith("Records") and "Get" not in metric or metric in ("OutgoingRecords", "GetRecords.Records"):
        per = [rng.randint(1, 500) for _ in range(int(count))]
        return float(sum(per)), count, float(max(per)), float(min(per))
    if "Latency" in metric:
        per = [round(rng.uniform(2, 80), 3) for _ in range(int(count))]
        return math.fsum(per), count, max(per), min(per)
    if "Exceeded" in metric:
        per = [1.0 if rng.random() < 0.05 else 0.0 for _ in range(int(count))]
        return math.fsum(per), count, max(per), min(per)
    if metric == "GetRecords.Success":
        per = [0.0 if rng.random() < 0.02 else 1.0 for _ in range(int(count))]
        return math.fsum(per), count, max(per), min(per)
    # iterator age
    per = [float(rng.randint(0, 90_000)) for _ in range(int(count))]
    return math.fsum(per), count, max(per), min(per)


def build_metrics(root):
    """Writes testdata/metrics; returns the datapoints as dicts (the truth for expectations)."""
    rng = random.Random(SEED + 2)
    points = []  # region, namespace, metric, dims, ts, sum, count, max, avg
    by_hour = defaultdict(list)
    for minute in range(M_MINUTES):
        ts = int((M_START + timedelta(minutes=minute)).timestamp() * 1000)
        for region, stream, shards in M_STREAMS:
            # A gap: clickstream reports nothing from 00:40 to 00:59.
            if stream == "clickstream" and 40 <= minute < 60:
                continue
            series = [({"StreamName": stream}, p[1]) for p in METRIC_PANELS]
            series += [({"StreamName": stream, "ShardId": sh}, p[2]) for sh in shards for p in METRIC_PANELS if p[2]]
            # Enhanced fan-out consumers have series of their own; they must not mix in.
            series.append(({"StreamName": stream, "ConsumerName": "analytics"}, "SubscribeToShardEvent.Bytes"))
            for dims, metric in series:
                sm, cnt, mx, mn = metric_value(rng, metric)
                rec = {"metric_stream_name": "KinesisMetrics", "account_id": "111122223333",
                       "region": region, "namespace": "AWS/Kinesis", "metric_name": metric,
                       "dimensions": dims, "timestamp": ts,
                       "value": {"max": mx, "min": mn, "sum": sm, "count": cnt}, "unit": "None"}
                if rng.random() < 0.1:
                    rec["value"]["p99"] = mx
                by_hour[minute // 60].append(rec)
                points.append({"account": "111122223333", "region": region, "namespace": "AWS/Kinesis",
                               "metric": metric, "dims": dims, "ts": ts, "sum": sm, "count": cnt,
                               "max": mx, "avg": None})
        # Another namespace in the same stream of files.
        ec2 = {"metric_stream_name": "KinesisMetrics", "account_id": "111122223333", "region": "us-east-1",
               "namespace": "AWS/EC2", "metric_name": "CPUUtilization", "dimensions": {"InstanceId": "i-0abc"},
               "timestamp": ts, "value": {"max": 50.0, "min": 1.0, "sum": 80.0, "count": 3.0}, "unit": "Percent"}
        by_hour[minute // 60].append(ec2)
        points.append({"account": "111122223333", "region": "us-east-1", "namespace": "AWS/EC2",
                       "metric": "CPUUtilization",
                       "dims": ec2["dimensions"], "ts": ts, "sum": 80.0, "count": 3.0, "max": 50.0, "avg": None})

    streams_dir = os.path.join(root, "streams")
    for hour, recs in sorted(by_hour.items()):
        rng.shuffle(recs)
        half = len(recs) // 2
        stamp = (M_START + timedelta(hours=hour)).strftime("%Y-%m-%d-%H")
        day_dir = os.path.join(streams_dir, (M_START + timedelta(hours=hour)).strftime("%Y/%m/%d/%H"))
        # Firehose delivery objects: gzip with no extension, newline-delimited...
        write(os.path.join(day_dir, f"KinesisMetrics-1-{stamp}-00-00-{hour:04d}aaaa"),
              gz_bytes("".join(stream_dumps(r) + "\n" for r in recs[:half]).encode()))
        # ... and plain, concatenated with no separator at all.
        write(os.path.join(day_dir, f"KinesisMetrics-1-{stamp}-30-00-{hour:04d}bbbb"),
              "".join(stream_dumps(r) for r in recs[half:]).encode())

    # get-metric-data output for stream audit-log, 5-minute periods, with its query file.
    cli = os.path.join(root, "get-metric-data")
    queries = []
    results = []
    specs = [("m1", "IncomingBytes", "Sum"), ("m2", "IncomingRecords", "Sum"),
             ("m3", "PutRecord.Latency", "Sum"), ("m4", "PutRecord.Latency", "SampleCount"),
             ("m5", "GetRecords.Latency", "Average"), ("m6", "GetRecords.IteratorAgeMilliseconds", "Maximum"),
             ("m7", "PutRecord.Latency", "Minimum")]
    for qid, metric, stat in specs:
        queries.append({"Id": qid, "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis", "MetricName": metric,
                        "Dimensions": [{"Name": "StreamName", "Value": "audit-log"}]},
                        "Period": 300, "Stat": stat}, "ReturnData": True})
    queries.append({"Id": "e1", "Expression": "m1/300", "Label": "bytes per second"})
    sums = {}
    for qid, metric, stat in specs:
        times, values = [], []
        for period in range(M_MINUTES // 5):
            if period == 7:  # a gap
                continue
            t = M_START + timedelta(minutes=5 * period)
            ms = int(t.timestamp() * 1000)
            if stat == "Sum" and metric == "PutRecord.Latency":
                v = round(rng.uniform(100, 5000), 3)
                sums[ms] = v
            elif stat == "SampleCount":
                v = float(rng.randint(10, 300))
            elif stat == "Average":
                v = round(rng.uniform(5, 50), 4)
            elif stat == "Maximum":
                v = float(rng.randint(0, 60_000))
            elif stat == "Minimum":
                v = 1.0
            else:
                v = float(rng.randint(1000, 10_000_000))
            times.append(t.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
            values.append(v)
            point = {"account": "", "region": "", "namespace": "AWS/Kinesis", "metric": metric,
                     "dims": {"StreamName": "audit-log"}, "ts": ms,
                     "sum": None, "count": None, "max": None, "avg": None}
            key = {"Sum": "sum", "SampleCount": "count", "Maximum": "max", "Average": "avg"}.get(stat)
            if key:
                point[key] = v
                points.append(point)
        # The CLI lists newest first.
        results.append({"Id": qid, "Label": metric, "Timestamps": times[::-1], "Values": values[::-1],
                        "StatusCode": "Complete"})
    results.append({"Id": "e1", "Label": "bytes per second", "Timestamps": [], "Values": [],
                    "StatusCode": "Complete"})
    write(os.path.join(cli, "queries.json"), json.dumps(queries, indent=2).encode())
    write(os.path.join(cli, "output.json"),
          json.dumps({"MetricDataResults": results, "Messages": []}, indent=4).encode())

    # get-metric-statistics output for stream payments (no dimensions in the file).
    gms = os.path.join(root, "get-metric-statistics")
    for metric, with_sum in (("IncomingBytes", True), ("PutRecord.Latency", False)):
        dps = []
        for period in range(M_MINUTES // 5):
            t = M_START + timedelta(minutes=5 * period)
            ms = int(t.timestamp() * 1000)
            count = float(rng.randint(1, 300))
            avg = round(rng.uniform(1, 100), 3) if not with_sum else float(rng.randint(100, 100_000))
            mx = avg * 2
            dp = {"Timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "SampleCount": count, "Average": avg,
                  "Maximum": mx, "Unit": "Bytes" if with_sum else "Milliseconds"}
            total = avg * count
            if with_sum:
                dp["Sum"] = total
            dps.append(dp)
            points.append({"account": "", "region": "", "namespace": "AWS/Kinesis", "metric": metric,
                           "dims": {"StreamName": "payments"}, "ts": ms,
                           "sum": total, "count": count, "max": mx, "avg": None})
        rng.shuffle(dps)
        write(os.path.join(gms, f"payments-{metric}.json"),
              json.dumps({"Label": metric, "Datapoints": dps}, indent=4).encode())
    return points


def build_other_account(streams_dir):
    """The second account's stream, one gzip object per hour, in a folder of its own
    (testdata/metrics/accounts/: read with streams/ it makes an organisation's dump); returns its
    datapoints."""
    rng = random.Random(SEED + 3)
    account, region, stream, shards = M_OTHER_ACCOUNT
    points, by_hour = [], defaultdict(list)
    for minute in range(M_MINUTES):
        ts = int((M_START + timedelta(minutes=minute)).timestamp() * 1000)
        series = [({"StreamName": stream}, p[1]) for p in METRIC_PANELS]
        series += [({"StreamName": stream, "ShardId": sh}, p[2]) for sh in shards for p in METRIC_PANELS if p[2]]
        for dims, metric in series:
            sm, cnt, mx, mn = metric_value(rng, metric)
            by_hour[minute // 60].append({
                "metric_stream_name": "KinesisMetrics", "account_id": account, "region": region,
                "namespace": "AWS/Kinesis", "metric_name": metric, "dimensions": dims, "timestamp": ts,
                "value": {"max": mx, "min": mn, "sum": sm, "count": cnt}, "unit": "None"})
            points.append({"account": account, "region": region, "namespace": "AWS/Kinesis", "metric": metric,
                           "dims": dims, "ts": ts, "sum": sm, "count": cnt, "max": mx, "avg": None})
    for hour, recs in sorted(by_hour.items()):
        when = M_START + timedelta(hours=hour)
        write(os.path.join(streams_dir, when.strftime("%Y/%m/%d/%H"),
                           f"KinesisMetrics-2-{when.strftime('%Y-%m-%d-%H')}-10-00-{hour:04d}cccc"),
              gz_bytes("".join(stream_dumps(r) + "\n" for r in recs).encode()))
    return points


def metric_panels(points, period_s, since=None, until=None, streams=None, accounts=None):
    """Every metrics panel as CSV rows, from the datapoints, by the documented rules."""
    import fnmatch
    width = period_s * 1000
    kept = []
    for p in points:
        if p["namespace"] != "AWS/Kinesis":
            continue
        dims = p["dims"]
        if set(dims) - {"StreamName", "ShardId"} or "StreamName" not in dims:
            continue
        if since is not None and p["ts"] < since:
            continue
        if until is not None and p["ts"] >= until:
            continue
        if streams is not None and not any(fnmatch.fnmatchcase(dims["StreamName"], s) for s in streams):
            continue
        if accounts is not None and not any(fnmatch.fnmatchcase(p["account"], a) for a in accounts):
            continue
        kept.append(p)
    out = {}
    for pid, stream_metric, shard_metric, stat, div in METRIC_PANELS:
        buckets = defaultdict(list)
        for p in kept:
            shard = p["dims"].get("ShardId", "")
            if (shard == "" and p["metric"] == stream_metric) or (shard != "" and p["metric"] == shard_metric):
                key = (p["account"], p["region"], p["dims"]["StreamName"], shard, p["ts"] - p["ts"] % width)
                buckets[key].append(p)
        rows = [["time", "account", "region", "stream", "shard", "value"]]
        for key in sorted(buckets):
            account, region, stream, shard, t = key
            ps = buckets[key]
            sums = [p["sum"] for p in ps if p["sum"] is not None]
            counts = [p["count"] for p in ps if p["count"] is not None]
            maxes = [p["max"] for p in ps if p["max"] is not None]
            avgs = [p["avg"] for p in ps if p["avg"] is not None]
            if stat == "Sum":
                value = math.fsum(sums) if sums else None
            elif stat == "Maximum":
                value = max(maxes) if maxes else None
            elif sums and counts and math.fsum(counts) > 0:
                value = math.fsum(sums) / math.fsum(counts)
            elif avgs:
                value = math.fsum(avgs) / len(avgs)
            else:
                value = None
            if value is None:
                continue
            when = datetime.fromtimestamp(t / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append([when, account, region, stream, shard, plain(value / div)])
        out[pid] = rows
    return out


def plain(x):
    """A float as Rust's Display writes it: shortest round-trip digits, never an exponent,
    no trailing '.0'."""
    from decimal import Decimal
    text = repr(float(x))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text


def write_expected(dirpath, tables):
    os.makedirs(dirpath, exist_ok=True)
    for pid, rows in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for r in rows:
            w.writerow(r)
        with open(os.path.join(dirpath, pid + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())


# ---------------------------------------------------------------------------------------------
# Benchmark corpora (benches/bench.py): the same record generator, scaled


def bench_cloudtrail(out, total_mb, files, seed=SEED + 10):
    """About `total_mb` MB of uncompressed CloudTrail JSON as `files` S3-style .json.gz files."""
    g = Gen(seed)
    rng = g.rng
    pool = [g.record(ACCOUNTS[i % 2], REGIONS[i % 3], START, kinesis=rng.random() < 0.6) for i in range(4000)]
    per_file = total_mb * 1_000_000 // files
    written = 0
    for n in range(files):
        acct, region = ACCOUNTS[n % 2], REGIONS[(n // 2) % 3]
        begin = START + timedelta(minutes=5 * n)
        parts, size = [], 0
        while size < per_file:
            rec = dict(rng.choice(pool))
            when = begin + timedelta(milliseconds=rng.randrange(300_000))
            rec["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            rec["eventID"] = g.uuid()
            text = dumps(rec)
            parts.append(text)
            size += len(text) + 1
        body = ('{"Records":[' + ",".join(parts) + "]}").encode()
        written += len(body)
        stamp = begin.strftime("%Y%m%dT%H%MZ")
        path = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, begin.strftime("%Y/%m/%d"),
                            f"{acct}_CloudTrail_{region}_{stamp}_{n:06d}.json.gz")
        write(path, gz_bytes(body))
    return written


def bench_tiny(out, files, seed=SEED + 11):
    """`files` files of 1 to 4 records each, as quiet accounts produce."""
    g = Gen(seed)
    rng = g.rng
    written = 0
    for n in range(files):
        acct = f"{100000000000 + n % 500:012d}"
        region = REGIONS[n % 3]
        begin = START + timedelta(minutes=n % 2880)
        recs = [g.record(acct, region, begin + timedelta(seconds=i), kinesis=rng.random() < 0.6)
                for i in range(rng.randint(1, 4))]
        body = dumps({"Records": recs}).encode()
        written += len(body)
        path = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, begin.strftime("%Y/%m/%d"),
                            f"{acct}_CloudTrail_{region}_{begin.strftime('%Y%m%dT%H%MZ')}_{n:06d}.json.gz")
        write(path, gz_bytes(body))
    return written


def bench_metrics(out, total_mb, seed=SEED + 12):
    """About `total_mb` MB of Metric Streams JSON, in Firehose-style gzip objects of ~5 MB."""
    rng = random.Random(seed)
    written, n, buf, size = 0, 0, [], 0
    minute = 0
    series = []
    for s in range(20):
        stream = f"stream-{s:02d}"
        region = REGIONS[s % 3]
        series += [(region, {"StreamName": stream}, p[1]) for p in METRIC_PANELS]
        for sh in range(8):
            series += [(region, {"StreamName": stream, "ShardId": f"shardId-{sh:012d}"}, p[2])
                       for p in METRIC_PANELS if p[2]]

    def flush():
        nonlocal written, n, buf, size
        if not buf:
            return
        body = "".join(buf).encode()
        written += len(body)
        t = M_START + timedelta(minutes=minute)
        path = os.path.join(out, t.strftime("%Y/%m/%d/%H"),
                            f"KinesisMetrics-1-{t.strftime('%Y-%m-%d-%H-%M-%S')}-{n:06d}")
        write(path, gz_bytes(body))
        n += 1
        buf, size = [], 0

    while written + size < total_mb * 1_000_000:
        ts = int((M_START + timedelta(minutes=minute)).timestamp() * 1000)
        for region, dims, metric in series:
            sm, cnt, mx, mn = metric_value(rng, metric)
            line = stream_dumps({"metric_stream_name": "KinesisMetrics", "account_id": "111122223333",
                          "region": region, "namespace": "AWS/Kinesis", "metric_name": metric,
                          "dimensions": dims, "timestamp": ts,
                          "value": {"max": mx, "min": mn, "sum": sm, "count": cnt}, "unit": "None"}) + "\n"
            buf.append(line)
            size += len(line)
            if size > 5_000_000:
                flush()
        minute += 1
    flush()
    return written


DAY_ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
DAY_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
DAY_WORDS = ["orders", "clickstream", "audit", "payments", "telemetry", "inventory", "sessions", "fraud",
             "search", "billing", "ads", "iot", "logs", "cdc", "notifications", "pricing"]
DAY_STAGES = ["prod", "staging", "dev", "ingest", "raw", "enriched"]
# Streams of real accounts: most have a few shards, some many.
DAY_SHARDS = [1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 16, 24, 48]
# Enhanced fan-out consumers' series (dimensions StreamName and ConsumerName): counted, left out.
DAY_CONSUMER_METRICS = ["SubscribeToShard.RateExceeded", "SubscribeToShard.Success",
                        "SubscribeToShardEvent.Bytes", "SubscribeToShardEvent.MillisBehindLatest",
                        "SubscribeToShardEvent.Records", "SubscribeToShardEvent.Success"]
# Other namespaces a metric stream often carries along (left out by the dashboard).
DAY_OTHER = [("AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName"),
             ("AWS/Firehose", "IncomingBytes", "DeliveryStreamName"),
             ("AWS/Lambda", "Duration", "FunctionName"),
             ("AWS/Lambda", "IteratorAge", "FunctionName"),
             ("AWS/EC2", "CPUUtilization", "InstanceId")]


def day_value(rng, metric):
    """(sum, count, max, min) of one minute of `metric`, drawn directly (not from samples, which
    would make a gigabyte take an hour to write), with the digits real exports carry: integral
    byte and record counts, 17-digit latency sums, 0/1 ratios."""
    count = float(rng.randint(1, 120))
    if metric.endswith("Bytes"):
        mx = float(rng.randint(200, 1_000_000))
        mn = float(rng.randint(100, int(mx)))
        return float(int(count * rng.uniform(mn, mx))), count, mx, mn
    if "Records" in metric and "Latency" not in metric:
        mx = float(rng.randint(1, 500))
        return float(int(count * rng.uniform(1, mx))), count, mx, 1.0
    if "Latency" in metric or metric in ("Duration",):
        mn, mx = rng.uniform(1, 10), rng.uniform(10, 400)
        return count * rng.uniform(mn, mx), count, mx, mn
    if "Exceeded" in metric or "Success" in metric:
        hits = float(rng.randint(0, int(count)) if rng.random() < 0.05 else (count if "Success" in metric else 0))
        return hits, count, 1.0 if hits else 0.0, 0.0 if hits < count else 1.0
    if "CPU" in metric:
        v = rng.uniform(0, 100)
        return v, 1.0, v, v
    mx = float(rng.randint(0, 86_400_000) if rng.random() < 0.02 else rng.randint(0, 5_000))
    return mx * count / 2, count, mx, 0.0


def bench_metrics_day(out, total_mb, seed=SEED + 13):
    """A day (1,440 minutes) of Metric Streams JSON of realistic cardinality, about `total_mb` MB:
    as many streams as fill it (three accounts, five regions, 1 to 48 shards each, shard ids as
    resharding leaves them), enhanced fan-out consumers, other namespaces, each minute's lines in
    the random order a metric stream delivers them, as Firehose objects of ~5 MB in gzip.
    Returns the bytes of JSON written."""
    rng = random.Random(seed)
    minutes = 1440
    line_bytes = 360  # about, for sizing the stream list
    budget = total_mb * 1_000_000 / (minutes * line_bytes)  # lines per minute
    series, names = [], set()
    while len(series) < budget:
        while True:
            name = f"{rng.choice(DAY_WORDS)}-{rng.choice(DAY_STAGES)}"
            name = name if name not in names else f"{name}-{len(names)}"
            if name not in names:
                names.add(name)
                break
        acct, region = rng.choice(DAY_ACCOUNTS), rng.choice(DAY_REGIONS)
        series += [(acct, region, "AWS/Kinesis", {"StreamName": name}, p[1]) for p in METRIC_PANELS]
        first = rng.choice([0, 0, 0, 2, 6, 14])  # shard ids after resharding
        for sh in range(rng.choice(DAY_SHARDS)):
            shard = f"shardId-{first + sh:012d}"
            series += [(acct, region, "AWS/Kinesis", {"StreamName": name, "ShardId": shard}, p[2])
                       for p in METRIC_PANELS if p[2]]
        if rng.random() < 0.3:
            consumer = f"{rng.choice(DAY_WORDS)}-consumer"
            series += [(acct, region, "AWS/Kinesis", {"StreamName": name, "ConsumerName": consumer}, m)
                       for m in DAY_CONSUMER_METRICS]
        if rng.random() < 0.2:
            ns, metric, dim = rng.choice(DAY_OTHER)
            series.append((acct, region, ns, {dim: f"{name}-{dim.lower()}"}, metric))
    start = datetime(2024, 3, 9, tzinfo=timezone.utc)
    written, n, buf, size = 0, 0, [], 0

    def flush(minute):
        nonlocal written, n, buf, size
        body = "".join(buf).encode()
        written += len(body)
        t = start + timedelta(minutes=minute)
        path = os.path.join(out, t.strftime("%Y/%m/%d/%H"),
                            f"KinesisMetrics-1-{t.strftime('%Y-%m-%d-%H-%M-%S')}-{n:04d}-{rng.getrandbits(32):08x}")
        write(path, gzip.compress(body, compresslevel=6, mtime=0))
        n += 1
        buf, size = [], 0

    for minute in range(minutes):
        ts = int((start + timedelta(minutes=minute)).timestamp() * 1000)
        order = list(range(len(series)))
        rng.shuffle(order)
        for i in order:
            acct, region, ns, dims, metric = series[i]
            sm, cnt, mx, mn = day_value(rng, metric)
            unit = "Bytes" if metric.endswith("Bytes") else "Milliseconds" if "Latency" in metric else "Count"
            line = stream_dumps({"metric_stream_name": "kinesis-metrics", "account_id": acct, "region": region,
                          "namespace": ns, "metric_name": metric, "dimensions": dims, "timestamp": ts,
                          "value": {"max": mx, "min": mn, "sum": sm, "count": cnt}, "unit": unit}) + "\n"
            buf.append(line)
            size += len(line)
            if size > 5_000_000:
                flush(minute)
    if buf:
        flush(minutes - 1)
    return written


# ---------------------------------------------------------------------------------------------
# The realistic benchmark corpus (benches/bench.py): a trail of the cardinality real accounts have.
# Lambda, EC2 and container clients rotate through thousands of addresses, roles have many session
# names, error messages name streams, shards, accounts and sessions, newer SDKs name the stream by
# ARN. Files are generated in parallel, each from its own seed, so the corpus is deterministic.

REAL_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
                "ap-northeast-1", "sa-east-1"]
REAL_WORDS = ["orders", "clicks", "payments", "audit", "telemetry", "metrics", "logs", "events",
              "inventory", "sessions", "billing", "ads", "search", "fraud", "iot", "cdc", "users",
              "shipping", "pricing", "alerts"]
REAL_PROFILES = {
    # (event name, weight, has a stream)
    "producer": [("PutRecord", 45, True), ("PutRecords", 45, True), ("DescribeStreamSummary", 5, True),
                 ("ListShards", 2, True), ("DescribeStream", 3, True)],
    "consumer": [("GetRecords", 50, True), ("GetShardIterator", 20, True), ("ListShards", 10, True),
                 ("DescribeStreamSummary", 8, True), ("SubscribeToShard", 4, True),
                 ("DescribeStreamConsumer", 3, True), ("RegisterStreamConsumer", 1, True),
                 ("ListStreamConsumers", 4, True)],
    "admin": [("ListStreams", 20, False), ("DescribeStream", 20, True), ("DescribeStreamSummary", 15, True),
              ("CreateStream", 5, True), ("DeleteStream", 4, True), ("UpdateShardCount", 4, True),
              ("AddTagsToStream", 5, True), ("ListTagsForStream", 10, True), ("MergeShards", 2, True),
              ("SplitShard", 2, True), ("IncreaseStreamRetentionPeriod", 3, True),
              ("EnableEnhancedMonitoring", 3, True), ("StartStreamEncryption", 2, True),
              ("DescribeLimits", 5, False)],
}
REAL_OTHER = [("sts.amazonaws.com", "AssumeRole"), ("kms.amazonaws.com", "Decrypt"),
              ("kms.amazonaws.com", "GenerateDataKey"), ("s3.amazonaws.com", "GetObject"),
              ("lambda.amazonaws.com", "Invoke"), ("logs.amazonaws.com", "CreateLogStream")]
REAL_AGENTS = ["aws-sdk-java/2.25.{} Linux/5.10.{} OpenJDK_64-Bit_Server_VM/17.0.{}",
               "aws-sdk-go-v2/1.26.{} os/linux lang/go#1.22.{} md/GOARCH#amd64 api/kinesis#1.27.{}",
               "Boto3/1.34.{} md/Botocore#1.34.{} ua/2.0 os/linux#5.10.{} lang#python.3.12",
               "aws-sdk-nodejs/2.1{}.0 linux/v18.{}.0 exec-env/AWS_Lambda_nodejs18.x promise-{}",
               "KinesisProducerLibrary/0.15.{} | aws-sdk-cpp/1.11.{} Linux/{}",
               "aws-cli/2.15.{} Python/3.11.{} Linux/6.1.{} exe/x86_64.amzn.2"]


def _real_universe(seed):
    """Accounts, streams and principals, each principal with its identity, regions, streams,
    addresses and session names. Deterministic for a seed."""
    rng = random.Random(seed)
    hexs = lambda n: "".join(rng.choice("0123456789abcdef") for _ in range(n))
    accounts = [f"{rng.randrange(10**11, 10**12)}" for _ in range(24)]
    streams = {a: sorted({f"{rng.choice(REAL_WORDS)}-{rng.choice(REAL_WORDS)}{rng.choice(['', '-prod', '-dev', '-v2', '-' + str(rng.randint(1, 30))])}"
                          for _ in range(rng.randint(4, 12))}) for a in accounts}
    home = {a: rng.sample(REAL_REGIONS, rng.choice([1, 1, 2, 3])) for a in accounts}

    def aws_v4():  # addresses in AWS's public ranges (Lambda outside a VPC, NAT gateways)
        return f"{rng.choice([3, 13, 18, 34, 35, 44, 52, 54, 100])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    def public_v4():
        while True:
            a = rng.randrange(1, 224)
            if a not in (10, 127, 169, 172, 192, 100):
                return f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    def v6(prefix):
        return prefix + ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(4))

    principals = []
    for i in range(420):
        acct = rng.choice(accounts)
        regions = rng.sample(home[acct], min(len(home[acct]), rng.choice([1, 1, 1, 2])))
        own = rng.sample(streams[acct], min(len(streams[acct]), rng.choice([1, 1, 2, 3, 4])))
        r = rng.random()
        p = {"acct": acct, "regions": regions, "streams": own, "weight": 1 / (i + 8) ** 0.9}
        if r < 0.35:  # Lambda functions: public AWS addresses that rotate, sessions named after functions
            role = f"{rng.choice(REAL_WORDS)}-{rng.choice(['processor', 'ingest', 'fanout', 'writer', 'reader'])}-lambda-role-{i}"
            p.update(kind="role", role=role, profile=rng.choice(["producer", "producer", "consumer"]),
                     sessions=[f"{role.split('-lambda')[0]}-fn-{k}" for k in range(rng.randint(1, 6))],
                     ips=[aws_v4() for _ in range(rng.randint(10, 90))])
        elif r < 0.55:  # EC2 or EKS in a VPC: private addresses, sessions named after instances
            role = f"{rng.choice(REAL_WORDS)}-{rng.choice(['kcl', 'consumer', 'app', 'worker'])}-ec2-{i}"
            p.update(kind="role", role=role, profile=rng.choice(["consumer", "consumer", "producer"]),
                     sessions=[f"i-0{hexs(16)}" for _ in range(rng.randint(2, 40))],
                     ips=[f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(rng.randint(3, 30))]
                     + [v6("2600:1f18:" + hexs(4) + ":" + hexs(4) + ":") for _ in range(rng.randint(0, 8))])
        elif r < 0.68:  # ECS tasks
            role = f"ecs-{rng.choice(REAL_WORDS)}-task-role-{i}"
            p.update(kind="role", role=role, profile=rng.choice(["producer", "consumer"]),
                     sessions=[hexs(32) for _ in range(rng.randint(5, 50))],
                     ips=[f"172.{rng.randrange(16, 32)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(rng.randint(4, 40))])
        elif r < 0.80:  # people and CI through SSO roles or IAM users, from offices and homes
            ips = [public_v4() for _ in range(rng.randint(1, 6))] + [v6("2a02:" + hexs(3) + ":") for _ in range(rng.randint(0, 3))]
            if rng.random() < 0.5:
                role = f"AWSReservedSSO_{rng.choice(['Admin', 'DataEngineer', 'ReadOnly', 'PowerUser'])}_{hexs(16)}"
                p.update(kind="role", role=role, profile="admin", ips=ips,
                         sessions=[f"{rng.choice(REAL_WORDS)}.{rng.choice(REAL_WORDS)}{k}@example.com" for k in range(rng.randint(1, 8))])
            else:
                p.update(kind="user", name=f"{rng.choice(['svc', 'ci', 'etl', 'dev'])}-{rng.choice(REAL_WORDS)}-{i}",
                         profile=rng.choice(["admin", "producer", "consumer"]), ips=ips)
        elif r < 0.86:
            p.update(kind="federated", name=f"{rng.choice(REAL_WORDS)}-fed-{i}", profile="admin",
                     ips=[public_v4() for _ in range(rng.randint(1, 4))])
        elif r < 0.88:
            p.update(kind="root", profile="admin", ips=[public_v4() for _ in range(rng.randint(1, 3))])
        elif r < 0.95:  # AWS services reading or writing on the customer's behalf
            svc = rng.choice(["firehose.amazonaws.com", "kinesisanalytics.amazonaws.com", "lambda.amazonaws.com",
                              "pipes.amazonaws.com"])
            p.update(kind="service", service=svc, profile="consumer", ips=[svc, svc, "AWS Internal"])
        else:
            p.update(kind="center", user_id=f"{hexs(8)}-{hexs(4)}-{hexs(4)}-{hexs(4)}-{hexs(12)}", profile="admin",
                     ips=[public_v4() for _ in range(rng.randint(1, 3))])
        p["principal"] = "AROA" + hexs(17).upper() if p["kind"] == "role" else "AIDA" + hexs(17).upper()
        principals.append(p)
    return principals


_REAL = {}


def _real_identity(rng, p):
    acct = p["acct"]
    kind = p["kind"]
    if kind == "role":
        session = rng.choice(p["sessions"])
        ident = {"type": "AssumedRole", "principalId": f"{p['principal']}:{session}",
                 "arn": f"arn:aws:sts::{acct}:assumed-role/{p['role']}/{session}", "accountId": acct,
                 "accessKeyId": "ASIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": p["principal"],
                                                      "arn": f"arn:aws:iam::{acct}:role/{p['role']}",
                                                      "accountId": acct, "userName": p["role"]}}}
        return ident, f"arn:aws:sts::{acct}:assumed-role/{p['role']}/{session}"
    if kind == "user":
        arn = f"arn:aws:iam::{acct}:user/{p['name']}"
        return {"type": "IAMUser", "principalId": p["principal"], "arn": arn, "accountId": acct,
                "accessKeyId": "AKIA" + p["principal"][4:20], "userName": p["name"]}, arn
    if kind == "federated":
        arn = f"arn:aws:sts::{acct}:federated-user/{p['name']}"
        return {"type": "FederatedUser", "principalId": f"{acct}:{p['name']}", "arn": arn, "accountId": acct,
                "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "federation-broker"}}}, arn
    if kind == "root":
        return {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root", "accountId": acct}, f"arn:aws:iam::{acct}:root"
    if kind == "service":
        return {"type": "AWSService", "invokedBy": p["service"]}, p["service"]
    return {"type": "IdentityCenterUser", "accountId": acct,
            "onBehalfOf": {"userId": p["user_id"], "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-9067"},
            "credentialId": "AAAA" + p["user_id"][:8]}, f"arn:aws:identitystore:::user/{p['user_id']}"


def _real_error(rng, name, acct, region, stream, caller, when):
    """An error code and message as Kinesis returns them, naming the stream, shard and account."""
    shard = f"shardId-{rng.randrange(64):012d}"
    r = rng.random()
    if r < 0.12:
        return "AccessDenied", (f"User: {caller} is not authorized to perform: kinesis:{name} on resource: "
                                f"arn:aws:kinesis:{region}:{acct}:stream/{stream} because no identity-based policy "
                                f"allows the kinesis:{name} action")
    if r < 0.2:
        return "ResourceNotFoundException", f"Stream {stream} under account {acct} not found."
    if name in ("PutRecord", "PutRecords"):
        return "ProvisionedThroughputExceededException", f"Rate exceeded for shard {shard} in stream {stream} under account {acct}."
    if name == "GetRecords":
        if r < 0.6:
            created = when - timedelta(seconds=rng.randrange(300, 900))
            f = "%a %b %d %H:%M:%S UTC %Y"
            return "ExpiredIteratorException", (f"Iterator expired. The iterator was created at time {created.strftime(f)} "
                                                f"while right now it is {when.strftime(f)} which is further in the future "
                                                "than the tolerated delay of 300000 milliseconds.")
        return "ProvisionedThroughputExceededException", f"Rate exceeded for Shard - {acct}/{stream}/{shard}"
    if name == "GetShardIterator":
        return "InvalidArgumentException", (f"StartingSequenceNumber 4959{rng.randrange(10**20):020d} used in GetShardIterator "
                                            f"on shard {shard} in stream {stream} under account {acct} is invalid.")
    if name in ("CreateStream", "DeleteStream", "UpdateShardCount", "MergeShards", "SplitShard"):
        return "ResourceInUseException", f"Stream {stream} under account {acct} not ACTIVE, instead in state UPDATING"
    return "LimitExceededException", f"Rate exceeded for stream {stream} under account {acct}."


def _real_file(job):
    """One S3 delivery file of the realistic corpus: (path, gzip bytes, JSON bytes, records)."""
    out, seed, n, per_file, unique_ips = job
    principals = _REAL.setdefault(seed, _real_universe(seed))
    weights = _REAL.setdefault((seed, "w"), list(itertools.accumulate(p["weight"] for p in principals)))
    profiles = _REAL.setdefault((seed, "p"), {k: (v, list(itertools.accumulate(w for _, w, _ in v)))
                                              for k, v in REAL_PROFILES.items()})
    rng = random.Random(seed * 1_000_003 + n)
    hexs = lambda k: f"{rng.getrandbits(4 * k):0{k}x}"
    uuid = lambda: f"{hexs(8)}-{hexs(4)}-4{hexs(3)}-a{hexs(3)}-{hexs(12)}"
    # A file holds one account's events in one region for five minutes, as CloudTrail delivers.
    lead = rng.choices(principals, cum_weights=weights)[0]
    acct, region = lead["acct"], rng.choice(lead["regions"])
    local = [p for p in principals if p["acct"] == acct and region in p["regions"]] or [lead]
    lw = list(itertools.accumulate(p["weight"] for p in local))
    begin = START + timedelta(minutes=5 * (n % 576))
    parts, size, i = [], 0, 0
    while size < per_file:
        when = begin + timedelta(milliseconds=rng.randrange(300_000))
        p = rng.choices(local, cum_weights=lw)[0]
        ident, caller = _real_identity(rng, p)
        rec = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
        stream = rng.choice(p["streams"])
        ip = rng.choice(p["ips"])
        if unique_ips:  # the stress case: every record from an address of its own
            v = ((n << 12 | i) * 2654435761) & 0xFFFFFFFF
            ip = f"{v >> 24}.{v >> 16 & 255}.{v >> 8 & 255}.{v & 255}"
        if rng.random() < 0.1:
            source, name = rng.choice(REAL_OTHER)
            rec.update(eventSource=source, eventName=name, awsRegion=region, sourceIPAddress=ip,
                       userAgent=rng.choice(REAL_AGENTS).format(*(rng.randrange(40) for _ in range(3))),
                       requestParameters={"keyId": f"arn:aws:kms:{region}:{acct}:key/{uuid()}"}, responseElements=None)
            has_stream = False
        else:
            events, cw = profiles[p["profile"]]
            name, _, has_stream = rng.choices(events, cum_weights=cw)[0]
            rec.update(eventSource=KINESIS, eventName=name, awsRegion=region, sourceIPAddress=ip,
                       userAgent=rng.choice(REAL_AGENTS).format(*(rng.randrange(40) for _ in range(3))))
            arn = f"arn:aws:kinesis:{region}:{acct}:stream/{stream}"
            params = {}
            if has_stream:
                # Newer SDKs send the ARN, older ones the name, some both.
                r = rng.random()
                if r < 0.45:
                    params["streamName"] = stream
                elif r < 0.85:
                    params["streamARN"] = arn
                else:
                    params.update(streamName=stream, streamARN=arn)
            if name == "PutRecord":
                params["partitionKey"] = hexs(8)
            elif name in ("GetRecords", "GetShardIterator"):
                params["shardId" if name == "GetShardIterator" else "limit"] = (
                    f"shardId-{rng.randrange(64):012d}" if name == "GetShardIterator" else 10000)
            rec["requestParameters"] = params or None
            rec["responseElements"] = ({"shardId": f"shardId-{rng.randrange(64):012d}",
                                        "sequenceNumber": f"4959{rng.randrange(10**40):040d}", "encryptionType": "KMS"}
                                       if name == "PutRecord" else None)
            if rng.random() < 0.07:
                code, msg = _real_error(rng, name, acct, region, stream, caller, when)
                rec["errorCode"] = code
                if rng.random() < 0.97:
                    rec["errorMessage"] = msg
                rec["responseElements"] = None
        rec.update(requestID=uuid(), eventID=uuid(), readOnly=name.startswith(("Get", "Describe", "List")),
                   eventType="AwsApiCall", managementEvent=name not in ("PutRecord", "PutRecords", "GetRecords",
                                                                        "GetShardIterator", "SubscribeToShard"),
                   recipientAccountId=acct)
        rec["eventCategory"] = "Management" if rec["managementEvent"] else "Data"
        text = dumps(rec)
        parts.append(text)
        size += len(text) + 1
        i += 1
    body = ('{"Records":[' + ",".join(parts) + "]}").encode()
    stamp = begin.strftime("%Y%m%dT%H%MZ")
    path = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, begin.strftime("%Y/%m/%d"),
                        f"{acct}_CloudTrail_{region}_{stamp}_{n:06d}.json.gz")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as f:
        f.write(body)
    return path, buf.getvalue(), len(body), i


def bench_cloudtrail_realistic(out, total_mb, files, unique_ips=False, seed=SEED + 13):
    """About `total_mb` MB of CloudTrail JSON of realistic cardinality as `files` S3-style .json.gz
    files (with `unique_ips`, every record comes from an address of its own: the stress case)."""
    import multiprocessing
    per_file = total_mb * 1_000_000 // files
    jobs = [(out, seed, n, per_file, unique_ips) for n in range(files)]
    written = records = 0
    with multiprocessing.Pool() as pool:
        for path, data, size, count in pool.imap(_real_file, jobs, chunksize=8):
            write(path, data)
            written += size
            records += count
    print(f"{records} records", flush=True)
    return written


def bench_otel(out, total_mb, seed=SEED + 13, variants=8):
    """About `total_mb` MB of Metric Streams in the OpenTelemetry 1.0.0 format (the same series
    as bench_metrics), in Firehose-style gzip objects of ~5 MB of protobuf; encoded by
    otel_fixtures.py's hand encoder (which it checks against the opentelemetry-proto package).
    Encoding every minute in Python would take hours: `variants` minutes of values are encoded
    once, with placeholder timestamps, and minute m is variant m % variants with its own
    timestamps written in."""
    import struct
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import otel_fixtures as otel
    rng = random.Random(seed)
    series = []
    for s in range(20):
        stream = f"stream-{s:02d}"
        region = REGIONS[s % 3]
        series += [(region, {"StreamName": stream}, p[1]) for p in METRIC_PANELS]
        for sh in range(8):
            series += [(region, {"StreamName": stream, "ShardId": f"shardId-{sh:012d}"}, p[2])
                       for p in METRIC_PANELS if p[2]]
    # Placeholder start time (ms): its start and end (+60 s) in nanoseconds as fixed64 occur
    # nowhere else in the encoding.
    ph_ms = 0x0123456789AB
    ph = (struct.pack("<Q", ph_ms * 1_000_000), struct.pack("<Q", ph_ms * 1_000_000 + 60_000_000_000))
    blocks = []
    for _ in range(variants):
        recs = []
        for region, dims, metric in series:
            sm, cnt, mx, mn = metric_value(rng, metric)
            recs.append({"metric_stream_name": "KinesisMetrics", "account_id": "111122223333",
                         "region": region, "namespace": "AWS/Kinesis", "metric_name": metric,
                         "dimensions": dims, "timestamp": ph_ms,
                         "value": {"max": mx, "min": mn, "sum": sm, "count": cnt}, "unit": "None"})
        block = b""
        for part in otel.chunks(recs, 100):
            msg = otel.request_1_0_hand(part)
            block += otel.varint(len(msg)) + msg
        assert block.count(ph[0]) == len(series) and block.count(ph[1]) == len(series)
        blocks.append(block)
    written, n, body, minute = 0, 0, [], 0
    size = 0
    while written < total_mb * 1_000_000:
        ts = int((M_START + timedelta(minutes=minute)).timestamp() * 1000) * 1_000_000
        block = blocks[minute % variants].replace(ph[0], struct.pack("<Q", ts))
        block = block.replace(ph[1], struct.pack("<Q", ts + 60_000_000_000))
        body.append(block)
        size += len(block)
        if size > 5_000_000:
            t = M_START + timedelta(minutes=minute)
            write(os.path.join(out, t.strftime("%Y/%m/%d/%H"),
                               f"KinesisMetrics-1-{t.strftime('%Y-%m-%d-%H-%M-%S')}-{n:06d}"),
                  gz_bytes(b"".join(body)))
            written += size
            n, body, size = n + 1, [], 0
        minute += 1
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.dirname(os.path.abspath(__file__)),
                    help="the testdata folder to write into")
    ap.add_argument("--bench", metavar="DIR", help="write the benchmark corpora into DIR instead")
    ap.add_argument("--bench-mb", type=int, default=1000, help="MB of CloudTrail JSON (default 1000)")
    ap.add_argument("--bench-files", type=int, default=1000, help="CloudTrail files (default 1000)")
    ap.add_argument("--real-mb", type=int, default=1000,
                    help="MB of realistic-cardinality CloudTrail JSON, and of the stress case (default 1000)")
    ap.add_argument("--tiny-files", type=int, default=20000, help="tiny files (default 20000)")
    ap.add_argument("--metrics-mb", type=int, default=500, help="MB of Metric Streams JSON (default 500)")
    ap.add_argument("--metrics-day-mb", type=int, default=1000,
                    help="MB of the realistic day of Metric Streams JSON (default 1000)")
    ap.add_argument("--otel-mb", type=int, default=500,
                    help="MB of Metric Streams in OpenTelemetry 1.0.0 (default 500)")
    args = ap.parse_args()
    if args.bench:
        sizes = {}
        for name, make in (("cloudtrail", lambda d: bench_cloudtrail(d, args.bench_mb, args.bench_files)),
                           ("tiny", lambda d: bench_tiny(d, args.tiny_files)),
                           ("metrics", lambda d: bench_metrics(d, args.metrics_mb)),
                           ("metrics-day", lambda d: bench_metrics_day(d, args.metrics_day_mb)),
                           ("otel", lambda d: bench_otel(d, args.otel_mb)),
                           ("cloudtrail-real", lambda d: bench_cloudtrail_realistic(d, args.real_mb, args.bench_files)),
                           ("cloudtrail-stress",
                            lambda d: bench_cloudtrail_realistic(d, args.real_mb, args.bench_files, unique_ips=True))):
            d = os.path.join(args.bench, name)
            shutil.rmtree(d, ignore_errors=True)
            sizes[name] = make(d)
            print(f"{name}: {sizes[name] / 1e6:.0f} MB in {d}", flush=True)
        with open(os.path.join(args.bench, "sizes.json"), "w") as f:
            json.dump(sizes, f)
        return
    root = args.root
    for sub in ("cloudtrail", "broken", "doc-sample", "metrics", "expected", "envelopes", "compressed",
                "health", "identities"):  # not geoip/: it holds the .mmdb
        shutil.rmtree(os.path.join(root, sub), ignore_errors=True)

    records = build_sample(os.path.join(root, "cloudtrail"))
    enveloped = envelope_records(os.path.join(root, "cloudtrail"))
    build_envelopes(os.path.join(root, "envelopes"), enveloped)
    build_broken(os.path.join(root, "broken"))
    build_compressed(os.path.join(root, "compressed"), os.path.join(root, "broken"), enveloped)
    write(os.path.join(root, "doc-sample", "sumo-sample.json"), DOC_SAMPLE.encode())

    events = kinesis_events(records)
    exp = os.path.join(root, "expected")
    write_expected(os.path.join(exp, "all"), panels(events))

    since = datetime(2024, 3, 9, 6, 30, tzinfo=timezone.utc)
    until = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
    windowed = [e for e in events if since <= e["time"] < until]
    write_expected(os.path.join(exp, "window"), panels(windowed, since=since, until=until, bucket=6 * 3600))

    filtered = [e for e in events
                if e["region"] in ("us-east-1", "eu-west-1") and e["event_name"].startswith("Put")
                and e["stream"] == "orders"]
    write_expected(os.path.join(exp, "filtered"), panels(filtered, top=3))

    write_expected(os.path.join(exp, "envelopes"), panels(kinesis_events(enveloped)))
    single = kinesis_events(enveloped[:3])
    write_expected(os.path.join(exp, "envelopes-single"), panels(single))

    # CIDR networks and exclusions: --source-ip 10.0.0.0/8 --source-ip 2001:480::/32
    # --user '!alice' --event-name '!Describe*'.
    nets = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:480::/32")]
    def in_nets(ip):
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr.version == n.version and addr in n for n in nets)
    write_expected(os.path.join(exp, "cidr-exclude"),
                   panels([e for e in events if in_nets(e["source_ip"]) and e["user"] != "alice"
                           and not e["event_name"].startswith("Describe")]))

    # --account: the calls to one account's resources (recipientAccountId).
    write_expected(os.path.join(exp, "account"),
                   panels([e for e in events if e["account"] == ACCOUNTS[1]]))

    write_expected(os.path.join(exp, "identities"),
                   panels(kinesis_events(build_identities(os.path.join(root, "identities")))))

    doc = kinesis_events([json.loads(DOC_SAMPLE)])
    write_expected(os.path.join(exp, "doc-sample"), panels(doc))

    geo = os.path.join(root, "geoip")
    os.makedirs(geo, exist_ok=True)
    with open(os.path.join(geo, "networks.json"), "w", encoding="utf-8") as f:
        json.dump(NETWORKS, f, indent=2, ensure_ascii=False)
        f.write("\n")
    write_expected(os.path.join(exp, "locations"),
                   {layout: locations(events, layout) for layout in GEO_LAYOUTS})
    write_expected(os.path.join(exp, "locations-window"),
                   {"city": locations(windowed, "city")})
    addresses, damaged_events = geo_damage(events, "city-damaged")
    write(os.path.join(exp, "locations", "city-damaged.warning"),
          f"{addresses} address{'' if addresses == 1 else 'es'} "
          f"({damaged_events} event{'' if damaged_events == 1 else 's'})\n".encode())

    points = build_metrics(os.path.join(root, "metrics"))
    ms = [p for p in points if p["region"] != ""]
    mexp = os.path.join(exp, "metrics")
    write_expected(os.path.join(mexp, "streams-5m"), metric_panels(ms, 300))
    t0 = int(M_START.timestamp() * 1000)
    write_expected(os.path.join(mexp, "streams-window"),
                   metric_panels(ms, 900, since=t0 + 30 * 60_000, until=t0 + 90 * 60_000, streams=["orders"]))
    write_expected(os.path.join(mexp, "streams-auto"),
                   {"incoming-bytes": metric_panels(ms, 60)["incoming-bytes"]})
    other = build_other_account(os.path.join(root, "metrics", "accounts"))
    write_expected(os.path.join(mexp, "two-accounts"), metric_panels(ms + other, 600))
    write_expected(os.path.join(mexp, "streams-account"),
                   metric_panels(ms + other, 600, accounts=["4444*"]))
    gmd = [p for p in points if p["dims"].get("StreamName") == "audit-log"]
    write_expected(os.path.join(mexp, "get-metric-data"), metric_panels(gmd, 300))
    gms = [p for p in points if p["dims"].get("StreamName") == "payments"]
    write_expected(os.path.join(mexp, "get-metric-statistics"), metric_panels(gms, 600))

    # The corners of the rules the SQL of `kinesis-insights sql` must reproduce
    # (testdata/sql_edges.py); tests/sql/run_engine.py compares the engines with the CLI on them.
    import sql_edges
    sql_edges.build(root)

    # `health` scenarios (testdata/health_gen.py): fixtures and their expected panels.
    import health_gen
    health_gen.build(root, exp)
    # The same Metric Streams datapoints in the OpenTelemetry formats: a script of its own, as it
    # needs the opentelemetry-proto package (it makes a virtualenv outside the repository).
    subprocess.check_call([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                        "otel_fixtures.py"), "--root", root])

    kin = len(events)
    print(f"{len(records)} records, {kin} Kinesis events, {len(windowed)} in the window, "
          f"{len(filtered)} through the filters")


if __name__ == "__main__":
    main()
