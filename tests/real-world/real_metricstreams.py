#!/usr/bin/env python3
"""Checks the metrics command on real Metric Streams files (not part of `cargo test`).

    python3 tests/real-world/real_metricstreams.py FILE_OR_DIR... [--ki path/to/kinesis-insights]

Real exports of other namespaces (e.g. the AWS/EC2 and AWS/EBS objects in the project's shared
real data, metricstreams-real/ and otel-metricstreams/) are read twice:
1. as they are: every datapoint must be counted in the summary as of another namespace, as
   many as Python's json reader finds;
2. rewritten as Kinesis stream-level IncomingBytes series (namespace AWS/Kinesis, one stream per
   real metric and dimension set, the values untouched): the incoming-bytes panel at a 1-minute
   period must equal, row for row and digit for digit, what Python computes from the same
   records by the documented rule (Σ sum with math.fsum, / 1048576, bucket start as UTC), the
   value objects kept byte for byte as CloudWatch wrote them (Java's "1.5898017E7").
Exits 1 on any difference. KI defaults to target/release/kinesis-insights. Check one export at a
time: exports a year apart need more one-minute buckets than a panel may have, which the tool
refuses (the script then says so).
"""

import argparse
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "testdata"))
from generate import plain  # noqa: E402  (the float format the CSV uses)


def records(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            # JSON lines only: a directory may hold other forms too (otel-metricstreams has a
            # YAML dump of the OpenTelemetry message beside its JSON lines).
            files += sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs
                            if not f.endswith((".yaml", ".yml")))
        else:
            files.append(p)
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    # The value object's text as CloudWatch wrote it (Java's number forms,
                    # "1.5898017E7"), so the rewritten file keeps it byte for byte.
                    m = VALUE.search(line)
                    r["_value_text"] = m.group(1) if m else json.dumps(r.get("value"))
                    out.append(r)
    return files, out


VALUE = re.compile(r'"value":(\{[^{}]*\})')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--ki", default=os.path.join(ROOT, "target", "release", "kinesis-insights"))
    args = ap.parse_args()
    files, recs = records(args.paths)
    bad = 0

    out = subprocess.run([args.ki, "metrics", "-q", "-f", "json", *files], capture_output=True, text=True)
    summary = json.loads(out.stdout)["summary"]
    others = sum(1 for r in recs if r["namespace"] != "AWS/Kinesis")
    print(f"as they are: {len(recs)} datapoints, {others} of other namespaces; "
          f"the tool counted {summary['other_namespace_datapoints']}")
    bad += summary["other_namespace_datapoints"] != others

    buckets = {}
    with tempfile.TemporaryDirectory() as tmp:
        rewritten = os.path.join(tmp, "kinesis.json")
        with open(rewritten, "w", encoding="utf-8") as fh:
            for r in recs:
                dims = ",".join(f"{k}={v}" for k, v in sorted(r["dimensions"].items()))
                text = r.pop("_value_text")
                r = dict(r, namespace="AWS/Kinesis", metric_name="IncomingBytes",
                         dimensions={"StreamName": f"{r['metric_name']}:{dims}"}, value="\u0001")
                line = json.dumps(r, separators=(",", ":")).replace(json.dumps("\u0001"), text, 1)
                fh.write(line + "\n")
                r = json.loads(line)
                key = (r["account_id"], r["region"], r["dimensions"]["StreamName"],
                       r["timestamp"] - r["timestamp"] % 60_000)
                buckets.setdefault(key, []).append(r["value"]["sum"])
        got = subprocess.run([args.ki, "metrics", "-q", "--period", "1m", "--panel", "incoming-bytes",
                              "-f", "csv", rewritten], capture_output=True, text=True)
        if got.returncode != 0:
            sys.exit(f"kinesis-insights exited {got.returncode}: {got.stderr.strip()}")
        got = got.stdout
    want = [["time", "account", "region", "stream", "shard", "value"]]
    for account, region, stream, t in sorted(buckets):
        when = datetime.fromtimestamp(t / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        total = math.fsum(buckets[(account, region, stream, t)])
        want.append([when, account, region, stream, "", plain(total / 1048576.0)])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(want)
    same = got == buf.getvalue()
    print(f"as Kinesis series: {len(want) - 1} rows from Python, {len(got.splitlines()) - 1} from the tool: "
          f"{'identical' if same else 'DIFFERENT'}")
    bad += not same
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
