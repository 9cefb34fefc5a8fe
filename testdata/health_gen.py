"""Scenarios for `kinesis-insights health`, with planted truths, and their expected panels.

Called by generate.py (`build(root)`): writes testdata/health/<scenario>/ (CloudWatch exports and
CloudTrail logs side by side, as a dump holds them) and testdata/expected/health/<scenario>/*.csv.
The expectations are computed here from the datapoints and events this script writes, by a
second implementation of the rules the README documents (rate = Sum / period, percentages in
hundredths rounded half up, the shard count and mode from CloudTrail, the checks and their
thresholds). Deterministic: a fixed seed, gzip mtime 0.
"""

import csv
import gzip
import io
import json
import math
import os
import random
from collections import defaultdict
from datetime import datetime, timezone
from fractions import Fraction

T0 = int(datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc).timestamp() * 1000)
MIN = 60_000
HOUR = 3_600_000
DAY = 86_400_000
MIB = 1_048_576
ACCT = "123456789012"

STREAM_METRICS = ["IncomingBytes", "IncomingRecords", "GetRecords.Bytes", "GetRecords.Success",
                  "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
                  "GetRecords.IteratorAgeMilliseconds", "PutRecords.FailedRecords",
                  "PutRecords.ThrottledRecords", "PutRecords.TotalRecords"]
SHARD_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes",
                 "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
                 "IteratorAgeMilliseconds"]
# Enhanced fan-out metrics (dimensions StreamName and ConsumerName) the consumers panel reads.
CONSUMER_METRICS = ["SubscribeToShardEvent.MillisBehindLatest", "SubscribeToShardEvent.Records",
                    "SubscribeToShardEvent.Bytes", "SubscribeToShard.RateExceeded"]
CHECKS = ["hot-shard", "write-capacity", "read-capacity", "write-throttling", "read-throttling",
          "put-failures", "iterator-age", "consumer-lag", "resharding-churn", "over-provisioned"]
SEVERITY = {"critical": 0, "warning": 1, "info": 2}
THRESHOLDS = dict(hot_pct=8000, hot_share=2.0, capacity=8000, bursty=5000, age_warn=5000,
                  age_crit=9000, lag=60_000, churn=4, over_pct=2500, over_min=DAY)


# --- writing -----------------------------------------------------------------------------------

def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def _gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def _dumps(o):
    return json.dumps(o, separators=(",", ":"))


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Scenario:
    """Datapoints and CloudTrail events of one scenario, written as real files."""

    def __init__(self, name):
        self.name = name
        self.points = []   # dicts: account, region, metric, stream, shard, consumer, ts, sum, count, max
        self.events = []   # CloudTrail records as written

    def point(self, region, stream, shard, metric, ts, total, count=1.0, mx=None, consumer="",
              account=ACCT):
        self.points.append({"account": account, "region": region, "stream": stream,
                            "shard": shard, "consumer": consumer, "metric": metric,
                            "ts": ts, "sum": float(total), "count": float(count),
                            "max": float(total if mx is None else mx)})

    def stream_records(self):
        out = []
        for p in self.points:
            dims = {"StreamName": p["stream"]}
            if p["shard"]:
                dims["ShardId"] = p["shard"]
            if p["consumer"]:
                dims["ConsumerName"] = p["consumer"]
            out.append({"metric_stream_name": "kinesis-health", "account_id": p["account"],
                        "region": p["region"], "namespace": "AWS/Kinesis",
                        "metric_name": p["metric"], "dimensions": dims, "timestamp": p["ts"],
                        "value": {"max": p["max"], "min": 0.0, "sum": p["sum"],
                                  "count": p["count"]}, "unit": "Count"})
        return out

    def write_metric_streams(self, root, files=2, seed=0, prefix="metrics"):
        """Firehose objects: gzip, newline-delimited; records shuffled across files."""
        recs = self.stream_records()
        random.Random(seed).shuffle(recs)
        for i in range(files):
            part = recs[i::files]
            name = f"{prefix}/2024/05/06/10/kinesis-health-1-2024-05-06-10-00-00-{i:04d}"
            _write(os.path.join(root, self.name, name),
                   _gz("".join(_dumps(r) + "\n" for r in part).encode()))

    def event(self, name, ts, region, stream, params=None, user="ops-role", error=None,
              by_arn=False, account=ACCT):
        rp = dict(params or {})
        if by_arn:
            rp["streamARN"] = f"arn:aws:kinesis:{region}:{account}:stream/{stream}"
        else:
            rp["streamName"] = stream
        rec = {"eventVersion": "1.09",
               "userIdentity": {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{user}-session",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{user}/{user}-session",
                                "accountId": account,
                                "sessionContext": {"sessionIssuer": {"type": "Role", "userName": user}}},
               "eventTime": iso(ts), "eventSource": "kinesis.amazonaws.com", "eventName": name,
               "awsRegion": region, "sourceIPAddress": "10.1.2.3", "userAgent": "aws-cli/2.15.0",
               "requestParameters": rp, "responseElements": None,
               "requestID": f"req-{len(self.events)}", "eventID": f"ev-{self.name}-{len(self.events)}",
               "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
               "recipientAccountId": account}
        if error:
            rec["errorCode"] = error
            rec["errorMessage"] = f"{error} for stream {stream}"
        self.events.append(rec)

    def write_trail(self, root, extra=()):
        """CloudTrail as S3 delivers it (gzip {"Records":[...]}), with other records mixed in."""
        recs = list(self.events) + list(extra)
        _write(os.path.join(root, self.name, "cloudtrail", f"{ACCT}_CloudTrail_us-east-1_20240506T1000Z_h.json.gz"),
               _gz(_dumps({"Records": recs}).encode()))


# --- the expectations: a second implementation of the documented rules -------------------------

def pct(num, den):
    """num / den as hundredths of a percent, rounded half up, exactly."""
    if den == 0 or num <= 0:
        return 0
    return math.floor(Fraction(num) * 10000 / Fraction(den) + Fraction(1, 2))


def fpct(h):
    return f"{h // 100}.{h % 100:02d}"


def plain(x):
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def duration(ms):
    for unit, name in ((DAY, "d"), (HOUR, "h"), (MIN, "m"), (1000, "s")):
        if ms and ms % unit == 0:
            return f"{ms // unit}{name}"
    return f"{ms}ms"


def periods(k, period):
    s = "" if k == 1 else "s"
    return f"{k} minute{s}" if period == MIN else f"{k} period{s} of {duration(period)}"


def shards_word(n):
    return f"{n} shard{'' if n == 1 else 's'}"


def opt(h):
    return "" if h is None else fpct(h)


def state_at(events, t):
    """Shard count, mode and retention after the successful events at or before t."""
    count = mode = retention = None
    for e in events:
        if e["time"] > t:
            break
        p, n = e["params"], e["name"]
        if n == "CreateStream":
            count = p.get("shardCount")
            mode = (p.get("streamModeDetails") or {}).get("streamMode", "PROVISIONED")
            retention = p.get("retentionPeriodHours", 24)
        elif n == "DeleteStream":
            count = mode = retention = None
        elif n == "UpdateShardCount":
            count = p["targetShardCount"]
        elif n == "SplitShard" and count is not None:
            count += 1
        elif n == "MergeShards" and count is not None:
            count -= 1
        elif n == "UpdateStreamMode":
            mode = p["streamModeDetails"]["streamMode"]
        elif n in ("IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"):
            retention = p["retentionPeriodHours"]
    return count, mode, retention


def trail_changes(records, path_accounts=None):
    """The change events of `records`; a record without recipientAccountId takes the account
    its file's S3 key names (`path_accounts`: eventID -> account)."""
    out = []
    for r in records:
        if r.get("eventSource") != "kinesis.amazonaws.com":
            continue
        if r["eventName"] not in ("CreateStream", "DeleteStream", "SplitShard", "MergeShards",
                                  "UpdateShardCount", "UpdateStreamMode",
                                  "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod",
                                  "EnableEnhancedMonitoring", "DisableEnhancedMonitoring",
                                  "RegisterStreamConsumer", "DeregisterStreamConsumer"):
            continue
        p = r["requestParameters"]
        stream = p.get("streamName") or p["streamARN"].split(":stream/")[1]
        t = int(datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
                .replace(tzinfo=timezone.utc).timestamp() * 1000)
        account = r.get("recipientAccountId") or (path_accounts or {}).get(r["eventID"], "")
        out.append({"time": t, "account": account, "region": r["awsRegion"], "stream": stream,
                    "name": r["eventName"],
                    "user": r["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"],
                    "error": r.get("errorCode", ""), "params": p})
    return out


def detail_of(c):
    p, parts = c["params"], []
    if "shardCount" in p:
        parts.append(f"shard count {plain(p['shardCount'])}")
    if "targetShardCount" in p:
        parts.append(f"target shard count {plain(p['targetShardCount'])}")
    if "streamModeDetails" in p:
        parts.append(f"mode {p['streamModeDetails']['streamMode']}")
    if "retentionPeriodHours" in p:
        parts.append(f"retention {plain(p['retentionPeriodHours'])} h")
    if "shardToSplit" in p:
        parts.append(f"split {p['shardToSplit']}")
    if "shardToMerge" in p:
        parts.append(f"merge {p['shardToMerge']} and {p['adjacentShardToMerge']}")
    if "shardLevelMetrics" in p:
        parts.append("metrics " + ", ".join(p["shardLevelMetrics"]))
    if "consumerName" in p:
        parts.append(f"consumer {p['consumerName']}")
    if c["error"]:
        parts.append(f"failed: {c['error']}")
    return "; ".join(parts)


def expect(points, records, since=None, until=None, shard_glob=None, period_override=None,
           accounts=None, path_accounts=None):
    """Every health panel as CSV rows. `accounts`: the account glob of --account."""
    import fnmatch
    th = THRESHOLDS
    account_ok = (lambda a: True) if accounts is None else (lambda a: fnmatch.fnmatchcase(a, accounts))
    # Minute buckets per series, from the points in the window: stream and shard series by
    # (account, region, stream, shard, metric), consumer series by (account, region, stream,
    # consumer, metric).
    series = defaultdict(lambda: defaultdict(lambda: {"sum": [], "max": [], "count": []}))
    cseries = defaultdict(lambda: defaultdict(lambda: {"sum": [], "max": [], "count": []}))
    for p in points:
        if since is not None and p["ts"] < since or until is not None and p["ts"] >= until:
            continue
        if not account_ok(p["account"]):
            continue
        if p["consumer"]:
            if p["shard"] or p["metric"] not in CONSUMER_METRICS:
                continue
            b = cseries[(p["account"], p["region"], p["stream"], p["consumer"], p["metric"])]
        else:
            wanted = SHARD_METRICS if p["shard"] else STREAM_METRICS
            if p["metric"] not in wanted:
                continue
            b = series[(p["account"], p["region"], p["stream"], p["shard"], p["metric"])]
        b = b[p["ts"] - p["ts"] % MIN]
        b["sum"].append(p["sum"])
        b["max"].append(p["max"])
        b["count"].append(p["count"])

    def close(ser):
        # (Sum, Maximum, SampleCount) per bucket.
        return {k: {t: (math.fsum(v["sum"]), max(v["max"]), math.fsum(v["count"])) for t, v in b.items()}
                for k, b in ser.items()}

    all_buckets, all_cbuckets = close(series), close(cseries)
    changes = [c for c in trail_changes(records, path_accounts) if account_ok(c["account"])]
    changes.sort(key=lambda c: (c["time"], c["account"], c["region"], c["stream"], c["name"], c["user"], c["error"]))
    shard_ok = (lambda s: True) if shard_glob is None else (lambda s: fnmatch.fnmatchcase(s, shard_glob))

    shards_rows, stream_rows, consumer_rows, use_rows, findings = [], [], [], [], []
    for account, region, stream in sorted({k[:3] for k in all_buckets} | {k[:3] for k in all_cbuckets}):
        # Within the stream, series keyed as (region, stream, shard, metric) and
        # (consumer, metric).
        mine = {k[1:]: v for k, v in all_buckets.items() if k[:3] == (account, region, stream)}
        cmine = {k[3:]: v for k, v in all_cbuckets.items() if k[:3] == (account, region, stream)}
        shard_ids = sorted({k[2] for k in mine if k[2]})
        if period_override:
            period = period_override
        else:
            g = 0
            for b in list(mine.values()) + list(cmine.values()):
                ts = sorted(b)
                for a, z in zip(ts, ts[1:]):
                    g = math.gcd(g, z - a)
            period = max(g, MIN)
        secs = period // 1000
        # The stream's events: an event without an account fits a series of any account; a
        # series without a region (or account) takes the one its events name, if one.
        named = [c for c in changes if c["stream"] == stream
                 and (region == "" or c["region"] == region)
                 and (account == "" or c["account"] == "" or c["account"] == account)]
        regions = {c["region"] for c in named}
        want_region = next(iter(regions)) if region == "" and len(regions) == 1 else region
        accounts = {c["account"] for c in named if c["region"] == want_region and c["account"]}
        want_account = next(iter(accounts)) if account == "" and len(accounts) == 1 else account
        events = [c for c in named if c["region"] == want_region
                  and c["account"] in (want_account, "") and not c["error"]]
        times = [t for b in list(mine.values()) + list(cmine.values()) for t in b]
        first, end = min(times), max(times)

        def n_at(t):
            c = state_at(events, t)[0]
            return c if c is not None else (len(shard_ids) or None)

        def cap_n(t):
            return None if state_at(events, t)[1] == "ON_DEMAND" else n_at(t)

        count_end, mode_end, ret_end = state_at(events, end)
        mode = "on-demand" if mode_end == "ON_DEMAND" else "provisioned"
        retention = ret_end if ret_end is not None else 24
        out = []

        def add(sev, check, shard, detail):
            out.append([sev, check, account, region, stream, shard, detail])

        def sums(key):
            return {t: v[0] for t, v in mine.get(key, {}).items()}

        def peak(m):  # highest sum, earliest minute
            if not m:
                return None
            v = max(m.values())
            return v, min(t for t in m if m[t] == v)

        def w_uses(b, r, n_of):
            res = {}
            for t in sorted(set(b) | set(r)):
                n = n_of(t)
                if not n:
                    continue
                vals = []
                if t in b:
                    vals.append(pct(b[t], secs * n * MIB))
                if t in r:
                    vals.append(pct(r[t], secs * n * 1000))
                res[t] = max(vals)
            return res

        def r_uses(b, n_of, calls=None):
            """Read use: the larger of bytes (2 MiB/s) and GetRecords calls (5 a second)."""
            calls = calls or {}
            res = {}
            for t in sorted(set(b) | set(calls)):
                n = n_of(t)
                if not n:
                    continue
                vals = []
                if t in b:
                    vals.append(pct(b[t], secs * n * 2 * MIB))
                if t in calls:
                    vals.append(pct(calls[t], secs * n * 5))
                res[t] = max(vals)
            return res

        def use_peak(u):
            if not u:
                return None
            v = max(u.values())
            return v, min(t for t in u if u[t] == v)

        def throttle(metric, m, uses):
            ts = sorted(t for t, v in m.items() if v[0] > 0 or v[1] > 0)
            if not ts:
                return None
            bursty = sum(1 for t in ts if t in uses and uses[t] < th["bursty"])
            s = f"{periods(len(ts), period)} with {metric} > 0, first at {iso(ts[0])}"
            if bursty:
                s += (f"; bursty: {bursty} of them under {fpct(th['bursty'])}% use "
                      "(the period's average hides bursts over the limit)")
            return s

        totals = {s: sum(sums((region, stream, s, "IncomingBytes")).values())
                  for s in shard_ids if (region, stream, s, "IncomingBytes") in mine}
        stream_total = sum(totals.values())
        for s in shard_ids:
            ib, ir = sums((region, stream, s, "IncomingBytes")), sums((region, stream, s, "IncomingRecords"))
            ob = sums((region, stream, s, "OutgoingBytes"))
            pb, pr, po = peak(ib), peak(ir), peak(ob)
            wb = pct(pb[0], secs * MIB) if pb else None
            wr = pct(pr[0], secs * 1000) if pr else None
            share = pct(totals[s], stream_total) if s in totals and stream_total > 0 else None
            wkey = (region, stream, s, "WriteProvisionedThroughputExceeded")
            throttled = sum(1 for v in mine.get(wkey, {}).values() if v[0] > 0 or v[1] > 0)
            if not shard_ok(s):
                continue
            shards_rows.append([account, region, stream, s, opt(wb), opt(wr), iso(pb[1]) if pb else "",
                                opt(pct(po[0], secs * 2 * MIB) if po else None), opt(share), str(throttled)])
            use_rows += [[iso(t), account, region, stream, s, fpct(u)]
                         for t, u in sorted(w_uses(ib, ir, lambda t: 1).items())]
            hot = []
            pk = max(x for x in (wb, wr) if x is not None) if (wb is not None or wr is not None) else None
            if pk is not None and pk >= th["hot_pct"]:
                bytes_bind = wb is not None and (wr is None or wb >= wr)
                limit, t = ("1 MiB/s", pb[1]) if bytes_bind else ("1,000 records/s", pr[1])
                hot.append(f"write peak {fpct(pk)}% of the shard limit of {limit} at {iso(t)}")
            if share is not None and len(totals) >= 2 and share * len(totals) >= th["hot_share"] * 10000:
                hot.append(f"{fpct(share)}% of the stream's incoming bytes against an even share of "
                           f"{fpct(pct(1, len(totals)))}% ({shards_word(len(totals))})")
            if hot:
                add("warning", "hot-shard", s, "; ".join(hot))
            d = throttle("WriteProvisionedThroughputExceeded", mine.get(wkey, {}), w_uses(ib, ir, lambda t: 1))
            if d:
                add("warning", "write-throttling", s, d)
            rkey = (region, stream, s, "ReadProvisionedThroughputExceeded")
            d = throttle("ReadProvisionedThroughputExceeded", mine.get(rkey, {}), r_uses(ob, lambda t: 1))
            if d:
                add("warning", "read-throttling", s, d)

        def stream_totals(sm, hm):
            if (region, stream, "", sm) in mine:
                return sums((region, stream, "", sm))
            acc = defaultdict(float)
            for s in shard_ids:
                for t, v in sums((region, stream, s, hm)).items():
                    acc[t] += v
            return dict(acc)

        s_bytes = stream_totals("IncomingBytes", "IncomingBytes")
        s_records = stream_totals("IncomingRecords", "IncomingRecords")
        s_read = stream_totals("GetRecords.Bytes", "OutgoingBytes")
        wu = w_uses(s_bytes, s_records, cap_n)
        calls = {t: v[2] for t, v in mine.get((region, stream, "", "GetRecords.Success"), {}).items()}
        ru = r_uses(s_read, cap_n, calls)
        if not any((region, stream, s, m) in mine for s in shard_ids
                   for m in ("IncomingBytes", "IncomingRecords")):
            use_rows += [[iso(t), account, region, stream, "", fpct(u)] for t, u in sorted(wu.items())]
        wp, rp = use_peak(wu), use_peak(ru)
        def binding(t, write):
            n = n_at(t) or 1
            if write:
                b = pct(s_bytes[t], secs * n * MIB) if t in s_bytes else None
                c = pct(s_records[t], secs * n * 1000) if t in s_records else None
                names = ("bytes, 1 MiB/s per shard", "records, 1,000 a second per shard")
            else:
                b = pct(s_read[t], secs * n * 2 * MIB) if t in s_read else None
                c = pct(calls[t], secs * n * 5) if t in calls else None
                names = ("bytes, 2 MiB/s per shard", "GetRecords calls, 5 a second per shard")
            return names[0] if b is not None and (c is None or b >= c) else names[1]

        for check, pk, what in (("write-capacity", wp, "write"), ("read-capacity", rp, "read")):
            if pk and pk[0] >= th["capacity"]:
                add("warning", check, "",
                    f"stream {what} peak {fpct(pk[0])}% of capacity ({shards_word(n_at(pk[1]))}; "
                    f"{binding(pk[1], what == 'write')}) at {iso(pk[1])}")
        for check, metric, uses in (("write-throttling", "WriteProvisionedThroughputExceeded", wu),
                                    ("read-throttling", "ReadProvisionedThroughputExceeded", ru)):
            if any((region, stream, s, metric) in mine for s in shard_ids):
                continue
            d = throttle(metric, mine.get((region, stream, "", metric), {}), uses)
            if d:
                add("warning", check, "", d)

        def total(m):
            k = (region, stream, "", m)
            return sum(v[0] for v in mine[k].values()) if k in mine else None

        failed, thr, tot = total("PutRecords.FailedRecords"), total("PutRecords.ThrottledRecords"), total("PutRecords.TotalRecords")
        tot = tot if tot else None
        pf = pct(failed, tot) if failed is not None and tot else None
        pt = pct(thr, tot) if thr is not None and tot else None
        if failed:
            add("warning", "put-failures", "",
                f"{plain(failed)} of {plain(tot)} records failed in PutRecords ({fpct(pf)}%)" if tot
                else f"{plain(failed)} records failed in PutRecords")

        ages = []
        for k in [(region, stream, "", "GetRecords.IteratorAgeMilliseconds")] + \
                 [(region, stream, s, "IteratorAgeMilliseconds") for s in shard_ids]:
            ages += [(v[1], t) for t, v in mine.get(k, {}).items()]
        age = max(ages, key=lambda a: (a[0], -a[1])) if ages else None
        age_pct = pct(age[0], retention * HOUR) if age else None
        seen = "seen in CloudTrail" if ret_end is not None else "assumed"

        def expiry_words(v, sev):
            # At the retention and over (the value, not its rounded percent) the data has
            # expired; at the critical level below that it is about to.
            if v >= retention * HOUR:
                return ": data has expired unread, records were lost" + (
                    "" if ret_end is not None
                    else f" (unless the retention is longer than the {retention} h assumed)")
            return ": data is about to expire unread" if sev == "critical" else ""

        def lag_words(what, v, p, t):
            return f"{what} reached {plain(v)} ms, {fpct(p)}% of the {retention} h retention ({seen}), at {iso(t)}"

        if age:
            sev = "critical" if age_pct >= th["age_crit"] else "warning" if age_pct >= th["age_warn"] else None
            if sev:
                d = lag_words("iterator age", age[0], age_pct, age[1]) + expiry_words(age[0], sev)
                add(sev, "iterator-age", "", d)
            elif age[0] >= th["lag"]:
                add("warning", "consumer-lag", "",
                    "GetRecords consumers: " + lag_words("iterator age", age[0], age_pct, age[1]))

        # Enhanced fan-out consumers.
        for consumer in sorted({k[0] for k in cmine}):
            def ctotal(m):
                b = cmine.get((consumer, m))
                return None if b is None else sum(v[0] for v in b.values())
            lb = cmine.get((consumer, "SubscribeToShardEvent.MillisBehindLatest"), {})
            lag = None
            if lb:
                v = max(x[1] for x in lb.values())
                lag = (v, min(t for t, x in lb.items() if x[1] == v))
                p = pct(v, retention * HOUR)
                sev = ("critical" if p >= th["age_crit"] else
                       "warning" if v >= th["lag"] or p >= th["age_warn"] else None)
                if sev:
                    d = (f"consumer {consumer}: " + lag_words("MillisBehindLatest", v, p, lag[1])
                         + expiry_words(v, sev))
                    add(sev, "consumer-lag", "", d)
            by = ctotal("SubscribeToShardEvent.Bytes")
            vals = [lag[0] if lag else None, ctotal("SubscribeToShardEvent.Records"),
                    None if by is None else by / MIB, ctotal("SubscribeToShard.RateExceeded")]
            consumer_rows.append([account, region, stream, consumer] + ["" if v is None else plain(v) for v in vals])

        span = end - first + period
        n_end = n_at(end)
        if mode == "provisioned" and n_end and wp and span >= th["over_min"]:
            pk = max(wp[0], rp[0]) if rp else wp[0]
            would = max(1, -(-(n_end * pk) // 5000))
            if pk < th["over_pct"] and would < n_end:
                add("info", "over-provisioned", "",
                    f"peak {fpct(pk)}% of capacity ({shards_word(n_end)}) over {duration(span)} of data; "
                    f"{shards_word(would)} would keep the peak at or under 50%")

        stream_rows.append([account, region, stream, mode, "" if n_end is None else str(n_end),
                            opt(wp[0] if wp and mode == "provisioned" else None),
                            opt(rp[0] if rp and mode == "provisioned" else None),
                            opt(pf), opt(pt), plain(age[0]) if age else "", str(retention), opt(age_pct)])
        findings += [f for f in out if not f[5] or shard_ok(f[5])]

    change_rows = []
    churn = defaultdict(list)
    for c in changes:
        if since is not None and c["time"] < since or until is not None and c["time"] >= until:
            continue
        change_rows.append([iso(c["time"]), c["account"], c["region"], c["stream"], c["name"], c["user"],
                            detail_of(c)])
        if not c["error"] and c["name"] in ("UpdateShardCount", "SplitShard", "MergeShards"):
            churn[(c["account"], c["region"], c["stream"])].append(c["time"])
    for (account, region, stream), ts in sorted(churn.items()):
        ts.sort()
        best = None
        for i, t in enumerate(ts):
            k = sum(1 for u in ts[i:] if u < t + DAY)
            if best is None or k > best[0]:
                best = (k, i)
        if best[0] > th["churn"]:
            k, i = best
            findings.append(["warning", "resharding-churn", account, region, stream, "",
                             f"{k} shard-count changes within 24 h, from {iso(ts[i])} to {iso(ts[i + k - 1])}"])
    findings.sort(key=lambda f: (SEVERITY[f[0]], CHECKS.index(f[1]), f[2], f[3], f[4], f[5], f[6]))
    change_rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4], r[5], r[6]))
    return {
        "findings": [["severity", "check", "account", "region", "stream", "shard", "detail"]] + findings,
        "shards": [["account", "region", "stream", "shard", "write_bytes_peak_pct", "write_records_peak_pct",
                    "write_peak_time", "read_bytes_peak_pct", "share_of_stream_writes_pct",
                    "throttled_minutes"]] + shards_rows,
        "streams": [["account", "region", "stream", "mode", "shards", "write_peak_pct", "read_peak_pct",
                     "put_records_failed_pct", "put_records_throttled_pct", "iterator_age_max_ms",
                     "retention_hours", "iterator_age_pct_of_retention"]] + stream_rows,
        "write-use": [["time", "account", "region", "stream", "shard", "write_use_pct"]] + use_rows,
        "consumers": [["account", "region", "stream", "consumer", "millis_behind_latest_max", "records",
                       "bytes_mib", "rate_exceeded"]] + consumer_rows,
        "changes": [["time", "account", "region", "stream", "event_name", "user", "detail"]] + change_rows,
    }


def write_expected(dirpath, tables):
    os.makedirs(dirpath, exist_ok=True)
    for pid, rows in tables.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        with open(os.path.join(dirpath, pid + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())


# --- the scenarios -----------------------------------------------------------------------------

def steady(sc, rng, region, stream, shards, minutes, bytes_per_s, start=T0, skip=()):
    """Shard-level and stream-level write/read series at about `bytes_per_s` per shard (spread
    evenly), with zero throttling and a low iterator age."""
    for m in range(minutes):
        ts = start + m * MIN
        if m in skip:
            continue
        tb = tr = 0
        for s in shards:
            b = int(bytes_per_s * 60 * rng.uniform(0.9, 1.1))
            r = b // 1000
            tb, tr = tb + b, tr + r
            sc.point(region, stream, s, "IncomingBytes", ts, b, count=r)
            sc.point(region, stream, s, "IncomingRecords", ts, r, count=r)
            sc.point(region, stream, s, "OutgoingBytes", ts, b, count=5)
            sc.point(region, stream, s, "WriteProvisionedThroughputExceeded", ts, 0, count=r, mx=0)
            sc.point(region, stream, s, "IteratorAgeMilliseconds", ts, 0, count=5, mx=rng.randint(0, 2000))
        sc.point(region, stream, "", "IncomingBytes", ts, tb, count=tr)
        sc.point(region, stream, "", "IncomingRecords", ts, tr, count=tr)
        sc.point(region, stream, "", "PutRecords.TotalRecords", ts, tr, count=10)
        sc.point(region, stream, "", "PutRecords.FailedRecords", ts, 0, count=10, mx=0)


def shard_id(i):
    return f"shardId-{i:012d}"


def build(root, exp_root):
    """Writes every scenario and its expected panels."""
    hroot = os.path.join(root, "health")
    out = {}

    # 1. A hot shard: shard 0 of four takes most of the writes, one minute at 85% of 1 MiB/s.
    sc, rng = Scenario("hot-shard"), random.Random(1601)
    ids = [shard_id(i) for i in range(4)]
    for m in range(60):
        ts = T0 + m * MIN
        for i, s in enumerate(ids):
            per_s = 400_000 if i == 0 else 60_000
            if i == 0 and m == 37:
                per_s = 891_290  # 85.00% of 1 MiB/s
            b = int(per_s * 60 * (1 if m == 37 else rng.uniform(0.95, 1.0)))
            r = b // 2000
            sc.point("us-east-1", "orders", s, "IncomingBytes", ts, b, count=r)
            sc.point("us-east-1", "orders", s, "IncomingRecords", ts, r, count=r)
            sc.point("us-east-1", "orders", s, "OutgoingBytes", ts, b, count=5)
            sc.point("us-east-1", "orders", s, "WriteProvisionedThroughputExceeded", ts, 0, count=r, mx=0)
    sc.event("CreateStream", T0 - 2 * DAY, "us-east-1", "orders", {"shardCount": 4})
    sc.event("EnableEnhancedMonitoring", T0 - 2 * DAY + HOUR, "us-east-1", "orders",
             {"shardLevelMetrics": ["IncomingBytes", "IncomingRecords", "OutgoingBytes",
                                    "WriteProvisionedThroughputExceeded"]})
    sc.write_metric_streams(hroot, seed=1)
    sc.write_trail(hroot)
    out["hot-shard"] = sc

    # 2. Bursty throttling: shard 1 of two is throttled in minutes of low average use.
    sc, rng = Scenario("bursty"), random.Random(1602)
    ids = [shard_id(0), shard_id(1)]
    throttled = {5: 300_000, 6: 250_000, 20: 700_000, 41: 100_000}  # bytes/s in those minutes
    for m in range(60):
        ts = T0 + m * MIN
        for i, s in enumerate(ids):
            per_s = throttled.get(m, 200_000) if i == 1 else 200_000
            b = int(per_s * 60)
            r = b // 1000
            sc.point("us-west-2", "clicks", s, "IncomingBytes", ts, b, count=r)
            sc.point("us-west-2", "clicks", s, "IncomingRecords", ts, r, count=r)
            exceeded = 17 if (i == 1 and m in throttled) else 0
            sc.point("us-west-2", "clicks", s, "WriteProvisionedThroughputExceeded", ts, exceeded,
                     count=r, mx=1 if exceeded else 0)
        # Read throttling seen at stream level only: in minutes 10 and 11 the consumers make
        #    10 GetRecords calls a second (the limit is 5 per shard: 100% of two shards' calls),
        #    at a byte use of 3.58%; 4 a second (40%) otherwise.
        sc.point("us-west-2", "clicks", "", "GetRecords.Bytes", ts, 150_000 * 60, count=60)
        calls = 600 if m in (10, 11) else 240
        sc.point("us-west-2", "clicks", "", "GetRecords.Success", ts, calls, count=calls, mx=1)
        sc.point("us-west-2", "clicks", "", "ReadProvisionedThroughputExceeded", ts,
                 3 if m in (10, 11) else 0, count=60, mx=1 if m in (10, 11) else 0)
    sc.event("CreateStream", T0 - DAY, "us-west-2", "clicks", {"shardCount": 2})
    sc.write_metric_streams(hroot, seed=2)
    sc.write_trail(hroot)
    out["bursty"] = sc

    # 3. Old iterators: 45 h of a 48 h retention (critical), 14 h of an assumed 24 h (warning).
    sc, rng = Scenario("old-iterator"), random.Random(1603)
    for m in range(30):
        ts = T0 + m * MIN
        for stream, top in (("audit", 45 * HOUR), ("audit-replica", 14 * HOUR)):
            age = top - (29 - m) * MIN
            sc.point("eu-west-1", stream, "", "GetRecords.IteratorAgeMilliseconds", ts, age * 3, count=3, mx=age)
            sc.point("eu-west-1", stream, "", "IncomingBytes", ts, 6_000_000, count=6000)
            sc.point("eu-west-1", stream, "", "GetRecords.Bytes", ts, 3_000_000, count=60)
    sc.event("CreateStream", T0 - 5 * DAY, "eu-west-1", "audit", {"shardCount": 1})
    sc.event("IncreaseStreamRetentionPeriod", T0 - 4 * DAY, "eu-west-1", "audit", {"retentionPeriodHours": 48})
    sc.write_metric_streams(hroot, seed=3)
    sc.write_trail(hroot)
    out["old-iterator"] = sc

    # 4. On-demand: the stream switched to on-demand (UpdateStreamMode names it by ARN only);
    #    throttled at stream level; no capacity figures, no capacity findings.
    sc, rng = Scenario("on-demand"), random.Random(1604)
    ids = [shard_id(0), shard_id(1)]
    for m in range(45):
        ts = T0 + m * MIN
        tb = 0
        for s in ids:
            b = int(700_000 * 60 * rng.uniform(0.9, 1.0))
            tb += b
            sc.point("us-east-1", "events", s, "IncomingBytes", ts, b, count=b // 1000)
        sc.point("us-east-1", "events", "", "IncomingBytes", ts, tb, count=tb // 1000)
        sc.point("us-east-1", "events", "", "WriteProvisionedThroughputExceeded", ts,
                 9 if m in (12, 13, 30) else 0, count=100, mx=1 if m in (12, 13, 30) else 0)
    sc.event("CreateStream", T0 - 3 * DAY, "us-east-1", "events", {"shardCount": 2})
    sc.event("UpdateStreamMode", T0 - 2 * DAY, "us-east-1", "events",
             {"streamModeDetails": {"streamMode": "ON_DEMAND"}}, by_arn=True)
    sc.write_metric_streams(hroot, seed=4)
    sc.write_trail(hroot)
    out["on-demand"] = sc

    # 5. A calm stream: even, moderate use, no throttling, no failures: no findings at all.
    sc, rng = Scenario("calm"), random.Random(1605)
    steady(sc, rng, "us-east-1", "calm", [shard_id(i) for i in range(3)], 120, 300_000)
    sc.event("CreateStream", T0 - 10 * DAY, "us-east-1", "calm", {"shardCount": 3})
    sc.write_metric_streams(hroot, seed=5)
    sc.write_trail(hroot)
    out["calm"] = sc

    # 6. A reshard: the count goes 2 -> 4 -> 5 (split) -> 4 (merge) -> 2 -> 3, a failed attempt
    #    to go to 8, all within a day (churn); stream-level series only, so the capacity of each
    #    minute follows CloudTrail. Other services' events and data-plane calls are in the same
    #    file and are not changes.
    sc, rng = Scenario("reshard"), random.Random(1606)
    for m in range(90):
        ts = T0 + m * MIN
        b = int(1_500_000 * 60 * rng.uniform(0.95, 1.05))
        sc.point("ap-southeast-2", "ingest", "", "IncomingBytes", ts, b, count=b // 1500)
        sc.point("ap-southeast-2", "ingest", "", "IncomingRecords", ts, b // 1500, count=b // 1500)
    ev = [("CreateStream", -DAY, {"shardCount": 2}, None),
          ("UpdateShardCount", 15 * MIN, {"targetShardCount": 4, "scalingType": "UNIFORM_SCALING"}, None),
          ("SplitShard", 30 * MIN + 20_000, {"shardToSplit": shard_id(3), "newStartingHashKey": "255211775190703847597530955573826158592"}, None),
          ("UpdateShardCount", 40 * MIN, {"targetShardCount": 8, "scalingType": "UNIFORM_SCALING"}, "LimitExceededException"),
          ("MergeShards", 45 * MIN, {"shardToMerge": shard_id(4), "adjacentShardToMerge": shard_id(5)}, None),
          ("UpdateShardCount", 60 * MIN, {"targetShardCount": 2, "scalingType": "UNIFORM_SCALING"}, None),
          ("UpdateShardCount", 75 * MIN, {"targetShardCount": 3, "scalingType": "UNIFORM_SCALING"}, None),
          ("DecreaseStreamRetentionPeriod", 80 * MIN, {"retentionPeriodHours": 24}, None),
          ("RegisterStreamConsumer", 85 * MIN, {"consumerName": "analytics"}, None)]
    for name, dt, params, err in ev:
        sc.event(name, T0 + dt, "ap-southeast-2", "ingest", params, user="autoscaler", error=err)
    noise = [
        {"eventVersion": "1.09", "eventTime": iso(T0 + 5 * MIN), "eventSource": "kinesis.amazonaws.com",
         "eventName": "PutRecords", "awsRegion": "ap-southeast-2", "sourceIPAddress": "10.0.0.9",
         "userIdentity": {"type": "IAMUser", "userName": "producer"},
         "requestParameters": {"streamName": "ingest"}, "eventID": "noise-1"},
        {"eventVersion": "1.09", "eventTime": iso(T0 + 6 * MIN), "eventSource": "sts.amazonaws.com",
         "eventName": "AssumeRole", "awsRegion": "ap-southeast-2", "sourceIPAddress": "10.0.0.9",
         "userIdentity": {"type": "IAMUser", "userName": "producer"}, "eventID": "noise-2"},
    ]
    sc.write_metric_streams(hroot, seed=6)
    sc.write_trail(hroot, extra=noise)
    out["reshard"] = sc

    # 7. Stream-level series only: the count comes from CloudTrail. telemetry runs near its
    #    write capacity and loses records in PutRecords; archive has 25 h of data at about 10%
    #    of eight shards (over-provisioned).
    sc, rng = Scenario("stream-level"), random.Random(1607)
    for m in range(60):
        ts = T0 + m * MIN
        b = int(2 * MIB * 60 * (0.87 if m == 33 else rng.uniform(0.5, 0.7)))
        total = 5000 + rng.randint(0, 500)
        sc.point("us-east-1", "telemetry", "", "IncomingBytes", ts, b, count=total)
        sc.point("us-east-1", "telemetry", "", "IncomingRecords", ts, b // 4000, count=total)
        sc.point("us-east-1", "telemetry", "", "PutRecords.TotalRecords", ts, total, count=10)
        failed = 40 if m % 10 == 3 else 0
        sc.point("us-east-1", "telemetry", "", "PutRecords.FailedRecords", ts, failed, count=10, mx=failed)
        sc.point("us-east-1", "telemetry", "", "PutRecords.ThrottledRecords", ts, failed // 2, count=10)
    for m in range(25 * 60):
        ts = T0 + m * MIN
        b = int(8 * MIB * 60 * rng.uniform(0.05, 0.1))
        sc.point("us-east-1", "archive", "", "IncomingBytes", ts, b, count=b // 5000)
        sc.point("us-east-1", "archive", "", "GetRecords.Bytes", ts, b, count=60)
    sc.event("CreateStream", T0 - DAY, "us-east-1", "telemetry", {"shardCount": 2})
    sc.event("CreateStream", T0 - DAY, "us-east-1", "archive", {"shardCount": 8})
    sc.write_metric_streams(hroot, seed=7)
    sc.write_trail(hroot)
    out["stream-level"] = sc

    # 8. A CLI export with a 5-minute period (get-metric-data, and its query file): rates are
    #    Sum / 300 s; the series carry no region and take the CloudTrail of their stream name.
    sc, rng = Scenario("cli-5m"), random.Random(1608)
    specs = [("ib", "IncomingBytes", "Sum"), ("ir", "IncomingRecords", "Sum"),
             ("wpte", "WriteProvisionedThroughputExceeded", "Sum"),
             ("age", "GetRecords.IteratorAgeMilliseconds", "Maximum"),
             ("tot", "PutRecords.TotalRecords", "Sum"), ("fail", "PutRecords.FailedRecords", "Sum"),
             # An enhanced fan-out consumer's series (dimension ConsumerName too).
             ("lag", "SubscribeToShardEvent.MillisBehindLatest", "Maximum"),
             ("crec", "SubscribeToShardEvent.Records", "Sum"),
             ("cbytes", "SubscribeToShardEvent.Bytes", "Sum")]
    consumer_of = {"lag": "settlement", "crec": "settlement", "cbytes": "settlement"}
    results = {q: ([], []) for q, _, _ in specs}
    for k in range(24):
        if k == 9:  # a gap in the export
            continue
        ts = T0 + k * 5 * MIN
        b = int(MIB * 300 * (0.9 if k == 17 else rng.uniform(0.2, 0.6)))
        vals = {"ib": b, "ir": b // 3000, "wpte": 25 if k in (17, 18) else 0,
                "age": rng.randint(1000, 9000), "tot": b // 3000, "fail": 0,
                "lag": 88_000 if k == 20 else 30_000 + k * 2_000, "crec": 40 * k,
                "cbytes": 40 * k * 1_500}
        for q, metric, stat in specs:
            v = float(vals[q])
            results[q][0].append(iso(ts).replace("Z", "+00:00"))
            results[q][1].append(v)
            # CLI outputs carry no region and no account.
            c = consumer_of.get(q, "")
            if stat == "Maximum":
                sc.point("", "payments", "", metric, ts, 0, count=0, mx=v, account="", consumer=c)
                sc.points[-1]["sum"] = 0.0
            else:
                sc.point("", "payments", "", metric, ts, v, count=1, mx=v, account="", consumer=c)

    def dimensions(q):
        d = [{"Name": "StreamName", "Value": "payments"}]
        if q in consumer_of:
            d.append({"Name": "ConsumerName", "Value": consumer_of[q]})
        return d

    queries = [{"Id": q, "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis", "MetricName": metric,
                "Dimensions": dimensions(q)}, "Period": 300, "Stat": stat},
                "ReturnData": True} for q, metric, stat in specs]
    output = {"MetricDataResults": [{"Id": q, "Label": metric, "Timestamps": results[q][0][::-1],
                                     "Values": results[q][1][::-1], "StatusCode": "Complete"}
                                    for q, metric, _ in specs], "Messages": []}
    _write(os.path.join(hroot, "cli-5m", "queries.json"), json.dumps(queries, indent=2).encode())
    _write(os.path.join(hroot, "cli-5m", "export", "get-metric-data.json"),
           json.dumps(output, indent=4).encode())
    sc.event("CreateStream", T0 - DAY, "us-east-1", "payments", {"shardCount": 1})
    sc.write_trail(hroot)
    out["cli-5m"] = sc

    # 9. Enhanced fan-out consumers of one stream (dimension ConsumerName): analytics falls
    #    12.6 minutes behind (consumer-lag warning) and is refused 3 subscriptions; replay is
    #    22 h behind in a 24 h retention (critical); archiver keeps up; sparse has only a
    #    Records series. The GetRecords consumers fall 95 s behind once (consumer-lag, far from
    #    the iterator-age levels). A series with both ConsumerName and ShardId is of no known
    #    shape and is left out; the Success metrics are not read.
    sc, rng = Scenario("consumers"), random.Random(1609)
    reg, st = "eu-central-1", "feed"
    for m in range(60):
        ts = T0 + m * MIN
        b = int(800_000 * 60 * rng.uniform(0.9, 1.0))
        sc.point(reg, st, "", "IncomingBytes", ts, b, count=b // 1000)
        sc.point(reg, st, "", "IncomingRecords", ts, b // 1000, count=b // 1000)
        sc.point(reg, st, "", "GetRecords.Bytes", ts, b // 2, count=60)
        # Enhanced monitoring: OutgoingBytes holds the consumers' reads too (the panel says so).
        for i, part in enumerate((b // 2, b - b // 2)):
            sc.point(reg, st, shard_id(i), "IncomingBytes", ts, part, count=part // 1000)
            sc.point(reg, st, shard_id(i), "OutgoingBytes", ts, part * 3, count=20)
        age = 95_000 if m == 41 else rng.randint(200, 3000)
        sc.point(reg, st, "", "GetRecords.IteratorAgeMilliseconds", ts, age * 5, count=5, mx=age)
        lags = {"analytics": min(m, 50) * 15_080 if m <= 50 else 2_000,
                "replay": 22 * HOUR - (59 - m) * MIN,
                "archiver": rng.randint(0, 1500)}
        for c, lag in lags.items():
            recs = rng.randint(500, 900)
            sc.point(reg, st, "", "SubscribeToShardEvent.MillisBehindLatest", ts, lag * 5, count=5, mx=lag,
                     consumer=c)
            sc.point(reg, st, "", "SubscribeToShardEvent.Records", ts, recs, count=5, consumer=c)
            sc.point(reg, st, "", "SubscribeToShardEvent.Bytes", ts, recs * 1_000, count=5, consumer=c)
            sc.point(reg, st, "", "SubscribeToShardEvent.Success", ts, 5, count=5, mx=1, consumer=c)
            refused = 1 if c == "analytics" and m in (10, 11, 12) else 0
            sc.point(reg, st, "", "SubscribeToShard.RateExceeded", ts, refused, count=1, mx=refused,
                     consumer=c)
        if m % 15 == 7:
            sc.point(reg, st, "", "SubscribeToShardEvent.Records", ts, 12, count=1, consumer="sparse")
        if m == 30:
            sc.point(reg, st, shard_id(0), "SubscribeToShardEvent.MillisBehindLatest", ts, 99_999_999,
                     count=1, consumer="analytics")
    sc.event("CreateStream", T0 - 2 * DAY, reg, st, {"shardCount": 2})
    for c in ("analytics", "archiver", "replay"):
        sc.event("RegisterStreamConsumer", T0 - DAY, reg, st, {"consumerName": c}, by_arn=True)
    sc.event("DeregisterStreamConsumer", T0 + 30 * MIN, reg, st, {"consumerName": "old-app"}, by_arn=True)
    sc.write_metric_streams(hroot, seed=9)
    sc.write_trail(hroot)
    out["consumers"] = sc

    # 10. Two accounts, each with a stream `orders` in us-east-1: never added together. The
    #     second account's stream has 4 shards and a 48 h retention from CloudTrail files under
    #     its own AWSLogs/ACCOUNT/ key whose records do not name their account (it comes from
    #     the key), and runs at 85% of its capacity once; the first's 2 shards run at about 50%
    #     of their bytes, and once at 90% of their records.
    sc, rng = Scenario("accounts"), random.Random(1610)
    other = "222233334444"
    for m in range(30):
        ts = T0 + m * MIN
        a = int(2 * MIB * 60 * rng.uniform(0.4, 0.6))
        sc.point("us-east-1", "orders", "", "IncomingBytes", ts, a, count=a // 2000)
        # Small records: at minute 25 the first account's stream nears its records limit.
        recs = 108_000 if m == 25 else 36_000
        sc.point("us-east-1", "orders", "", "IncomingRecords", ts, recs, count=recs)
        b = int(4 * MIB * 60 * (0.85 if m == 20 else rng.uniform(0.3, 0.5)))
        sc.point("us-east-1", "orders", "", "IncomingBytes", ts, b, count=b // 2000, account=other)
        sc.point("us-east-1", "orders", "", "GetRecords.IteratorAgeMilliseconds", ts, 0, count=1,
                 mx=30 * HOUR if m == 10 else 1000, account=other)
    sc.event("CreateStream", T0 - DAY, "us-east-1", "orders", {"shardCount": 2})
    sc.write_metric_streams(hroot, seed=10)
    sc.write_trail(hroot)
    theirs = Scenario("accounts-other")
    theirs.event("CreateStream", T0 - 3 * DAY, "us-east-1", "orders", {"shardCount": 4}, account=other)
    theirs.event("IncreaseStreamRetentionPeriod", T0 - 2 * DAY, "us-east-1", "orders",
                 {"retentionPeriodHours": 48}, account=other)
    for i, r in enumerate(theirs.events):
        r["eventID"] = f"ev-accounts-other-{i}"
        del r["recipientAccountId"]
    _write(os.path.join(hroot, "accounts", "AWSLogs", other, "CloudTrail", "us-east-1", "2024", "05", "06",
                        f"{other}_CloudTrail_us-east-1_20240506T1000Z_o.json.gz"),
           _gz(_dumps({"Records": theirs.events}).encode()))
    sc.events += theirs.events
    path_accounts = {r["eventID"]: other for r in theirs.events}
    out["accounts"] = sc

    exp = os.path.join(exp_root, "health")
    for name, sc in out.items():
        pts = sc.points
        if name == "cli-5m":
            # get-metric-data Maximum queries carry only a max.
            pts = [dict(p, sum=0.0) if p["metric"] == "GetRecords.IteratorAgeMilliseconds" else p for p in pts]
        paths = path_accounts if name == "accounts" else None
        write_expected(os.path.join(exp, name), expect(pts, sc.events, path_accounts=paths))
    acc = out["accounts"]
    write_expected(os.path.join(exp, "accounts-filtered"),
                   expect(acc.points, acc.events, accounts="2222*", path_accounts=path_accounts))
    # The hot-shard scenario through --shard and a window.
    hs = out["hot-shard"]
    write_expected(os.path.join(exp, "hot-shard-filtered"),
                   expect(hs.points, hs.events, since=T0 + 30 * MIN, until=T0 + 50 * MIN,
                          shard_glob="shardId-00000000000[01]"))
