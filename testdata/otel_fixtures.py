#!/usr/bin/env python3
"""Writes the Metric Streams sample in the two OpenTelemetry output formats.

Reads every datapoint of testdata/metrics/streams (the JSON output format, written by
generate.py) and writes the same datapoints, file for file (gzipped where the JSON file is), as
CloudWatch Metric Streams write them in the OpenTelemetry formats: a sequence of
ExportMetricsServiceRequest messages, each prefixed by its length as a varint32.

- testdata/metrics/otel-1.0/: OpenTelemetry 1.0.0, encoded by the `opentelemetry-proto`
  package (the generated protobuf classes). When it is not importable, this script makes a
  virtualenv for it outside the repository (~/.cache/kinesis-insights/otel-venv, or
  $OTEL_FIXTURES_VENV) and runs itself there.
- testdata/metrics/otel-0.7/: OpenTelemetry 0.7.0, hand-encoded below (the package no longer
  has the 0.7 `labels` field); each message is checked by decoding it with the 1.0 classes,
  which read everything but the labels.

Shapes follow the AWS documentation ("Metric streams output formats: OpenTelemetry") and a real
1.0 payload: resource attributes cloud.provider, cloud.account.id, cloud.region,
aws.exporter.arn; one Summary metric named amazonaws.com/<Namespace>/<MetricName> per
metric, data points with count, sum, quantile 0 = min and 1 = max (0.99 where the JSON has
p99), start_time_unix_nano = the CloudWatch timestamp, time_unix_nano = one minute later;
1.0 attributes Dimensions (kvlist), MetricName, Namespace; 0.7 labels Namespace, MetricName
and one per dimension.
"""

import gzip
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PER_REQUEST = 40  # datapoints per ExportMetricsServiceRequest


def ensure_package():
    try:
        import opentelemetry.proto  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("OTEL_FIXTURES_IN_VENV"):
        sys.exit("opentelemetry-proto is not importable even in the virtualenv")
    venv = os.environ.get("OTEL_FIXTURES_VENV",
                          os.path.join(os.path.expanduser("~"), ".cache", "kinesis-insights", "otel-venv"))
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        # A link left pointing nowhere (at a temporary directory since removed) would make venv
        # refuse the path as existing: it is made again.
        if os.path.islink(venv) and not os.path.exists(venv):
            os.unlink(venv)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "opentelemetry-proto"])
    env = dict(os.environ, OTEL_FIXTURES_IN_VENV="1")
    sys.exit(subprocess.call([py, os.path.abspath(__file__)] + sys.argv[1:], env=env))


def json_records(data):
    """Every object of a Metric Streams JSON file (newline-separated or concatenated)."""
    text = data.decode("utf-8")
    dec = json.JSONDecoder()
    i, out = 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def chunks(items, n):
    return [items[i:i + n] for i in range(0, len(items), n)]


def grouped(recs):
    """(account, region, stream name) -> metric name -> records, in first-seen order."""
    res = {}
    for r in recs:
        key = (r["account_id"], r["region"], r["metric_stream_name"])
        res.setdefault(key, {}).setdefault((r["namespace"], r["metric_name"], r.get("unit", "")), []).append(r)
    return res


def quantiles(v):
    qs = [(0.0, v["min"])]
    if "p99" in v:
        qs.append((0.99, v["p99"]))
    qs.append((1.0, v["max"]))
    return qs


def ucum(unit):
    return {"None": "1", "Count": "{Count}", "Bytes": "By", "Milliseconds": "ms", "Percent": "%"}.get(unit, "1")


def start_ns(r):
    return r["timestamp"] * 1_000_000


# --- OpenTelemetry 1.0.0, by the opentelemetry-proto package --------------------------------


def request_1_0(recs):
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue, KeyValueList

    def kv(k, v):
        return KeyValue(key=k, value=AnyValue(string_value=v))

    req = ExportMetricsServiceRequest()
    for (acct, region, stream), metrics in grouped(recs).items():
        rm = req.resource_metrics.add()
        rm.resource.attributes.extend([
            kv("cloud.provider", "aws"), kv("cloud.account.id", acct), kv("cloud.region", region),
            kv("aws.exporter.arn", f"arn:aws:cloudwatch:{region}:{acct}:metric-stream/{stream}")])
        sm = rm.scope_metrics.add()
        for (ns, name, unit), points in metrics.items():
            m = sm.metrics.add()
            m.name = f"amazonaws.com/{ns}/{name}"
            m.unit = ucum(unit)
            for r in points:
                dp = m.summary.data_points.add()
                dims = KeyValueList(values=[kv(k, v) for k, v in sorted(r["dimensions"].items())])
                dp.attributes.extend([KeyValue(key="Dimensions", value=AnyValue(kvlist_value=dims)),
                                      kv("MetricName", name), kv("Namespace", ns)])
                dp.start_time_unix_nano = start_ns(r)
                dp.time_unix_nano = start_ns(r) + 60_000_000_000
                dp.count = int(r["value"]["count"])
                dp.sum = r["value"]["sum"]
                for q, v in quantiles(r["value"]):
                    dp.quantile_values.add(quantile=q, value=v)
    return req.SerializeToString()


# --- OpenTelemetry 0.7.0, hand-encoded -------------------------------------------------------
# proto3 wire format: a field is a varint key (number << 3 | wire type); LEN = 2, I64 = 1.
# Fields at their default value (0, 0.0, "") are left out, as every proto3 encoder does.


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_len(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def field_str(num, s):
    return field_len(num, s.encode()) if s else b""


def field_fixed64(num, n):
    return varint(num << 3 | 1) + n.to_bytes(8, "little") if n else b""


def field_double(num, x):
    import struct
    return varint(num << 3 | 1) + struct.pack("<d", x) if x != 0.0 else b""


def request_0_7(recs):
    def keyvalue(k, v):  # common.v1.KeyValue{key=1, value=2: AnyValue{string_value=1}}
        return field_str(1, k) + field_len(2, field_str(1, v))

    def string_kv(k, v):  # common.v1.StringKeyValue{key=1, value=2}
        return field_str(1, k) + field_str(2, v)

    out = b""
    for (acct, region, stream), metrics in grouped(recs).items():
        resource = b"".join(field_len(1, keyvalue(k, v)) for k, v in (
            ("cloud.provider", "aws"), ("cloud.account.id", acct), ("cloud.region", region),
            ("aws.exporter.arn", f"arn:aws:cloudwatch:{region}:{acct}:metric-stream/{stream}")))
        ilm = b""  # InstrumentationLibraryMetrics{metrics=2}
        for (ns, name, unit), points in metrics.items():
            summary = b""  # DoubleSummary{data_points=1}
            for r in points:
                labels = [("Namespace", ns), ("MetricName", name)] + list(r["dimensions"].items())
                dp = b"".join(field_len(1, string_kv(k, v)) for k, v in labels)
                dp += field_fixed64(2, start_ns(r)) + field_fixed64(3, start_ns(r) + 60_000_000_000)
                dp += field_fixed64(4, int(r["value"]["count"])) + field_double(5, r["value"]["sum"])
                for q, v in quantiles(r["value"]):
                    dp += field_len(6, field_double(1, q) + field_double(2, v))
                summary += field_len(1, dp)
            # Metric{name=1, unit=3, double_summary=11}
            metric = field_str(1, f"amazonaws.com/{ns}/{name}") + field_str(3, ucum(unit)) + field_len(11, summary)
            ilm += field_len(2, metric)
        # ResourceMetrics{resource=1, instrumentation_library_metrics=2}
        out += field_len(1, field_len(1, resource) + field_len(2, ilm))
    return out


def request_1_0_hand(recs):
    """The 1.0.0 encoding of request_1_0, by hand: for the benchmark corpus, which must not need
    the package; main() checks that both give the same bytes."""
    def anyvalue_str(v):  # AnyValue{string_value=1}
        return field_str(1, v)

    def keyvalue(k, value):  # KeyValue{key=1, value=2}
        return field_str(1, k) + field_len(2, value)

    out = b""
    for (acct, region, stream), metrics in grouped(recs).items():
        resource = b"".join(field_len(1, keyvalue(k, anyvalue_str(v))) for k, v in (
            ("cloud.provider", "aws"), ("cloud.account.id", acct), ("cloud.region", region),
            ("aws.exporter.arn", f"arn:aws:cloudwatch:{region}:{acct}:metric-stream/{stream}")))
        scope = b""  # ScopeMetrics{metrics=2}
        for (ns, name, unit), points in metrics.items():
            summary = b""  # Summary{data_points=1}
            for r in points:
                dp = field_fixed64(2, start_ns(r)) + field_fixed64(3, start_ns(r) + 60_000_000_000)
                dp += field_fixed64(4, int(r["value"]["count"])) + field_double(5, r["value"]["sum"])
                for q, v in quantiles(r["value"]):
                    dp += field_len(6, field_double(1, q) + field_double(2, v))
                dims = b"".join(field_len(1, keyvalue(k, anyvalue_str(v))) for k, v in sorted(r["dimensions"].items()))
                dp += field_len(7, keyvalue("Dimensions", field_len(6, dims)))  # AnyValue{kvlist_value=6}
                dp += field_len(7, keyvalue("MetricName", anyvalue_str(name)))
                dp += field_len(7, keyvalue("Namespace", anyvalue_str(ns)))
                summary += field_len(1, dp)
            # Metric{name=1, unit=3, summary=11}
            scope += field_len(2, field_str(1, f"amazonaws.com/{ns}/{name}") + field_str(3, ucum(unit))
                               + field_len(11, summary))
        out += field_len(1, field_len(1, resource) + field_len(2, scope))
    return out


def check_0_7(msg, recs):
    """Decodes a hand-encoded 0.7 message with the 1.0 classes: all but the labels must read back."""
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    req = ExportMetricsServiceRequest.FromString(msg)
    got = []
    for rm in req.resource_metrics:
        attrs = {a.key: a.value.string_value for a in rm.resource.attributes}
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                for dp in m.summary.data_points:
                    qs = {q.quantile: q.value for q in dp.quantile_values}
                    got.append((attrs["cloud.region"], m.name, dp.start_time_unix_nano // 1_000_000,
                                float(dp.count), dp.sum, qs[1.0], qs[0.0]))
    want = sorted((r["region"], f"amazonaws.com/{r['namespace']}/{r['metric_name']}", r["timestamp"],
                   r["value"]["count"], r["value"]["sum"], r["value"]["max"], r["value"]["min"]) for r in recs)
    assert sorted(got) == want, "hand-encoded 0.7 message does not read back"


def framed(messages):
    return b"".join(varint(len(m)) + m for m in messages)


def main():
    ensure_package()
    import argparse
    ap = argparse.ArgumentParser(description="Metric Streams sample in the OpenTelemetry formats")
    ap.add_argument("--root", default=HERE, help="the testdata folder to read and write")
    root = ap.parse_args().root
    src = os.path.join(root, "metrics", "streams")
    outs = {"1.0": os.path.join(root, "metrics", "otel-1.0"), "0.7": os.path.join(root, "metrics", "otel-0.7")}
    import shutil
    for d in outs.values():
        shutil.rmtree(d, ignore_errors=True)
    total = 0
    for dirpath, _, files in sorted(os.walk(src)):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                raw = f.read()
            zipped = raw[:2] == b"\x1f\x8b"
            recs = json_records(gzip.decompress(raw) if zipped else raw)
            total += len(recs)
            parts = chunks(recs, PER_REQUEST)
            v07 = []
            for part in parts:
                msg = request_0_7(part)
                check_0_7(msg, part)
                v07.append(msg)
            v10 = [request_1_0(p) for p in parts]
            assert v10 == [request_1_0_hand(p) for p in parts], "the hand 1.0 encoder differs"
            for version, messages in (("1.0", v10), ("0.7", v07)):
                body = framed(messages)
                if zipped:
                    body = gzip.compress(body, mtime=0)
                rel = os.path.relpath(path, src)
                dest = os.path.join(outs[version], rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(body)
    print(f"OpenTelemetry 1.0.0 and 0.7.0 fixtures: {total} datapoints each")


if __name__ == "__main__":
    main()
