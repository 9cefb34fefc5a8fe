#!/usr/bin/env python3
"""Runs the scripts `kinesis-insights sql` writes on a real engine and compares every panel with
the CLI's CSV of the same files and flags (numbers compared as numbers, rows in order).

    run_engine.py --engine duckdb|spark --bin target/debug/kinesis-insights --data DIR

DuckDB runs in process (pip `duckdb`); Spark in local mode (pip `pyspark`, Java 17), one
session for every case. The locations query (source_ip,count) is checked through the CLI:
`events --from-csv` with --geoip turns it into the panel, which must equal `events --geoip`'s.
Exit status 1 on any difference, with the first differing rows of each panel.
"""

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile

PANELS = ["events", "events-over-time", "api-calls", "by-user", "by-region", "errors", "top-users"]

# Each case: the flags given to both `sql` and `events`.
CASES = [
    [],
    ["--since", "2024-03-09T06:00:00Z", "--until", "2024-03-10T03:30:00Z"],
    ["--since", "2024-03-09T10:17:00+02:00", "--bucket", "15m", "--top", "3"],
    ["--bucket", "1d", "--top", "0"],
    ["--bucket", "7m", "--until", "2024-03-09T20:00:00Z"],
    ["--event-name", "Put*", "--event-name", "GetRecords", "--region", "eu-*"],
    ["--user", "alice", "--user", "*-role", "--source-ip", "81.2.69.*"],
    ["--stream", "orders", "--stream", "click{s,stream}*"],
    ["--account", "444455556666"],
    ["--account", "1111*", "--stream", "*", "--bucket", "6h"],
    ["--since", "2024-03-09", "--until", "9999-12-31"],
    ["--since", "1000d"],
    ["--since", "2030-01-01"],
    ["--event-name", "!Put*", "--event-name", "!GetRecords", "--region", "!us-west-2"],
    ["--source-ip", "81.2.69.0/24", "--source-ip", "10.0.0.0/8", "--source-ip", "2a02:*"],
    ["--source-ip", "!10.0.0.0/8", "--stream", "!orders", "--user", "*", "--user", "!alice"],
]


# --quick (the e2e run of Spark, whose queries cost seconds each): one case of each SQL path
# (no window; a closed window with an offset, --bucket and --top; --bucket with --until only;
# exact and glob filters; a stream glob; the fall-back to the events' range; an open window
# ending now; networks).
QUICK = [0, 2, 4, 5, 7, 10, 11, 14]

# The other data sets (rules the sample does not exercise): fewer flags.
CASES_MORE = [
    [],
    ["--user", "*/*", "--bucket", "1m"],
    ["--stream", "?*", "--account", "1111*"],
    ["--source-ip", "10.0.0.0/8", "--source-ip", "192.168.0.0/16"],
]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def statements(script):
    """(panel or None, statement) for each statement: a statement ends at a line ending in ';',
    and a '-- panel: ID' line names the query after it."""
    out, cur, panel = [], [], None
    for line in script.split("\n"):
        m = re.fullmatch(r"-- panel: (\S+)", line)
        if m:
            panel = m.group(1)
            continue
        cur.append(line)
        if line.endswith(";"):
            out.append((panel, "\n".join(cur).rstrip(";")))
            cur, panel = [], None
    assert not "".join(cur).strip(), f"statement without ';': {cur}"
    return out


def cell(v):
    if v is None:
        return ""
    return str(v)


def same(a, b):
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def compare(label, got, want):
    """got, want: lists of rows (lists of strings), header first."""
    problems = []
    if got[0] != want[0]:
        problems.append(f"header {got[0]} != {want[0]}")
    if len(got) != len(want):
        problems.append(f"{len(got) - 1} rows, the CLI has {len(want) - 1}")
    for i, (g, w) in enumerate(zip(got[1:], want[1:])):
        if len(g) != len(w) or not all(same(x, y) for x, y in zip(g, w)):
            problems.append(f"row {i + 1}: {g} != {w}")
            if len(problems) > 5:
                break
    if problems:
        print(f"MISMATCH {label}:\n  " + "\n  ".join(problems))
    return not problems


class DuckDB:
    def __init__(self):
        import duckdb

        self.duckdb = duckdb

    def run(self, script):
        con = self.duckdb.connect()
        results = {}
        for panel, stmt in statements(script):
            cur = con.execute(stmt)
            if panel:
                header = [d[0] for d in cur.description]
                results[panel] = [header] + [[cell(v) for v in r] for r in cur.fetchall()]
        con.close()
        return results


class Spark:
    def __init__(self):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("kinesis-insights-sql")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        self.files = None
        self.fresh = False

    def run(self, script):
        results = {}
        for panel, stmt in statements(script):
            # The cases of one data set read the same files: their views are made and cached
            # once per data set.
            if "VIEW cloudtrail_files" in stmt:
                if stmt == self.files:
                    continue
                self.files = stmt
                self.spark.sql("UNCACHE TABLE IF EXISTS cloudtrail_records")
                self.fresh = True
            elif "VIEW cloudtrail_records" in stmt:
                if not self.fresh:
                    continue
                self.fresh = False
                self.spark.sql(stmt)
                self.spark.sql("CACHE TABLE cloudtrail_records")
                continue
            if "VIEW kinesis_events" in stmt:
                # Each case's events are computed once for its panels.
                self.spark.sql("UNCACHE TABLE IF EXISTS kinesis_events")
                self.spark.sql(stmt)
                self.spark.sql("CACHE TABLE kinesis_events")
                continue
            df = self.spark.sql(stmt)
            if panel:
                rows = df.collect()
                results[panel] = [list(df.columns)] + [[cell(v) for v in r] for r in rows]
        return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True, choices=["duckdb", "spark"])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True, action="append",
                    help="S3-layout files: the first gets every case, the others CASES_MORE")
    ap.add_argument("--geoip", required=True)
    ap.add_argument("--quick", action="store_true",
                    help="on the first data set only the cases QUICK lists, on the others one case")
    args = ap.parse_args()
    engine = DuckDB() if args.engine == "duckdb" else Spark()
    first = [CASES[i] for i in QUICK] if args.quick else CASES
    more = CASES_MORE[1:2] if args.quick else CASES_MORE
    runs = [(os.path.abspath(args.data[0]), f) for f in first]
    runs += [(os.path.abspath(d), f) for d in args.data[1:] for f in more]
    ok = True
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (location, flags) in enumerate(runs):
            sql = run([args.bin, "sql", "--engine", args.engine, "--location", location,
                       "--panel", ",".join(PANELS + ["locations"])] + flags)
            got = engine.run(sql)
            out = os.path.join(tmp, f"cli{n}")
            run([args.bin, "events", "-q", "--format", "csv", "--output-dir", out,
                 "--panel", ",".join(PANELS)] + flags + [location])
            print(f"case {n + 1}/{len(runs)}: {os.path.basename(location)} {flags}", flush=True)
            for p in PANELS:
                with open(os.path.join(out, f"{p}.csv"), newline="") as f:
                    want = list(csv.reader(f))
                ok &= compare(f"{args.engine} {p} {location} {flags}", got[p], want)
                compared += 1
            # locations: the engine's source_ip,count through --from-csv and a GeoIP database
            # is the CLI's panel.
            ips = os.path.join(tmp, f"ips{n}.csv")
            with open(ips, "w", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(got["locations"])
            from_csv = run([args.bin, "events", "-q", "--format", "csv", "--panel", "locations",
                            "--geoip", args.geoip, "--from-csv", ips])
            direct = run([args.bin, "events", "-q", "--format", "csv", "--panel", "locations",
                          "--geoip", args.geoip] + flags + [location])
            ok &= compare(f"{args.engine} locations {flags}",
                          list(csv.reader(io.StringIO(from_csv))),
                          list(csv.reader(io.StringIO(direct))))
            compared += 1
    print(f"{args.engine}: {len(runs)} cases, {compared} panels compared, "
          f"{'all equal' if ok else 'DIFFERENCES'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
