#!/usr/bin/env python3
"""kinesis-insights benchmark: wall time, throughput and peak RSS of kinesis-insights against the
gunzip-only limit and the tools a user would pick instead (zcat | jq, DuckDB), on the same
generated corpora, in one invocation. Each corpus's commands run in turn, round by round, so that
a ratio compares times taken in the same minutes; ratios are against the first command of each
group: the gunzip-only limit of the same corpus (for the big file, `-j 1`).

    python3 benches/bench.py                   # the corpora below, every tool
    python3 benches/bench.py --scale 0.1       # a tenth of that, for a quick look
    python3 benches/bench.py --skip duckdb,jq  # leave tools out

The CloudTrail corpora: `cloudtrail-real` (~1 GB, ~1 M records of realistic cardinality: thousands
of source addresses, hundreds of principals and session names, error messages naming streams,
shards and accounts), on which the targets are judged; `cloudtrail` (~1 GB drawn from 4,000
records: 14 addresses, a dozen users, the low-cardinality case); `cloudtrail-stress` (the realistic
corpus with every record from an address of its own: ~1 M groups). Then 20,000 tiny files, and
two Metric Streams corpora: `metrics` (~500 MB, 1,320 series) and `metrics-day` (~1 GB, a day of
minutes from ~2,200 series: 27 streams of 1 to 48 shards, 277 shards in all, over three accounts
and five regions, with consumers and other namespaces, each minute's lines in random order), on
which the metrics targets are judged; and `otel` (~500 MB of Metric Streams in
OpenTelemetry 1.0.0, protobuf, the series of `metrics`). Then one big file: ~1.7 GB of JSON lines made from
the realistic corpus (one record per line, as `jq -c '.Records[]'` writes them), plain and gzipped,
read with `-j 1` and `-j 2`, and three 2 GB gzip bombs (zeros, spaces, one 2 GB line) on 2 threads,
for time and peak RSS (`--bigfile-only` runs just that).

Corpora are generated once into bench-out/ (reused while their parameters match; KI_BENCH_OUT
names another directory). Tools that
cannot be installed are reported as skipped. Nothing here runs in `cargo test`.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.environ.get("KI_BENCH_OUT") or os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, "target", "release", "kinesis-insights")
LIMIT = os.path.join(ROOT, "target", "release", "examples", "gunzip-limit")


ONE_PANEL = "kinesis-insights events --panel events (as jq, DuckDB)"


def once(cmd):
    """Wall seconds and peak RSS (MB) of one run of `cmd` (a list, or a shell string)."""
    shell = isinstance(cmd, str)
    start = time.perf_counter()
    p = subprocess.Popen(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{cmd!r} exited {code}: {err[-500:]}")
    return wall, usage.ru_maxrss / 1024


def measure(cmds, repeat, warmup=1):
    """For each command: the median wall seconds and peak RSS (MB) over `repeat` runs, after
    `warmup` untimed runs (so no tool pays for page-cache misses or first-run effects that the
    next one does not), or the exception that stopped it. The commands run in turn, round by
    round (A B C A B C ...), not each one's runs back to back: the machine's speed drifts by
    5-20% from minute to minute, and a ratio between two commands is only as good as the two
    being timed in the same minutes."""
    walls = [[] for _ in cmds]
    rss = [0.0 for _ in cmds]
    failed = [None for _ in cmds]
    for i in range(warmup + repeat):
        for k, cmd in enumerate(cmds):
            if failed[k] is not None:
                continue
            try:
                wall, r = once(cmd)
            except Exception as e:  # a tool that fails is reported, not faked
                failed[k] = e
                continue
            if i >= warmup:
                walls[k].append(wall)
                rss[k] = max(rss[k], r)
    return [(statistics.median(w), r) if f is None else f for w, r, f in zip(walls, rss, failed)]


def ensure_corpus(scale, jobs):
    # Bump "generator" when testdata/generate.py writes the corpora differently, so that an old
    # corpus is made again (2: Metric Streams numbers as Java writes them).
    params = {"scale": scale, "corpora": 3, "otel": True, "generator": 2}
    marker = os.path.join(OUT, "corpus", "params.json")
    if not (os.path.exists(marker) and json.load(open(marker)) == params):
        shutil.rmtree(os.path.join(OUT, "corpus"), ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "testdata", "generate.py"), "--bench", os.path.join(OUT, "corpus"),
                        "--bench-mb", str(int(1000 * scale)), "--bench-files", str(max(1, int(1000 * scale))),
                        "--tiny-files", str(max(1, int(20000 * scale))), "--metrics-mb", str(int(500 * scale)),
                        "--real-mb", str(int(1000 * scale)), "--metrics-day-mb", str(int(1000 * scale)),
                        "--otel-mb", str(int(500 * scale))], check=True)
        json.dump(params, open(marker, "w"))
    ensure_x4()
    return json.load(open(os.path.join(OUT, "corpus", "sizes.json")))


def ensure_x4():
    """The 4x corpus for the memory check: four copies of the realistic corpus. Copies, not links:
    kinesis-insights reads a file once however many names it has (device and inode), so four
    links to one tree would be read as one."""
    x4 = os.path.join(OUT, "corpus", "cloudtrail-x4")
    if os.path.islink(os.path.join(x4, "copy0")):
        shutil.rmtree(x4)
    for i in range(4):
        copy = os.path.join(x4, f"copy{i}")
        if not os.path.isdir(copy):
            shutil.copytree(os.path.join(OUT, "corpus", "cloudtrail-real"), copy)


def duckdb_python():
    venv = os.path.join(OUT, "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    ok = subprocess.run([py, "-c", "import duckdb"], capture_output=True).returncode == 0
    if not ok:
        r = subprocess.run([py, "-m", "pip", "install", "-q", "duckdb"], capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip().splitlines()[-1] if r.stderr else "pip failed"
    return py, None


DUCKDB_RECIPES = {
    "duckdb read_json (typed Records)": """
        SELECT r.eventName AS event_name, count(*) AS n FROM (
          SELECT unnest(Records) AS r FROM read_json('{glob}', format='auto',
            columns={{Records: 'STRUCT(eventSource VARCHAR, eventName VARCHAR)[]'}}))
        WHERE r.eventSource = 'kinesis.amazonaws.com' GROUP BY 1 ORDER BY 2 DESC""",
    "duckdb read_json_objects + json_extract": """
        SELECT json_extract_string(e, '$.eventName') AS event_name, count(*) AS n FROM (
          SELECT unnest(json_extract(json, '$.Records[*]')) AS e FROM read_json_objects('{glob}'))
        WHERE json_extract_string(e, '$.eventSource') = 'kinesis.amazonaws.com' GROUP BY 1 ORDER BY 2 DESC""",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="corpus size as a fraction of the full one")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median wall time)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before each measurement")
    ap.add_argument("--skip", default="", help="comma-separated: jq, duckdb, x4, threads, low, stress, tiny, metrics")
    ap.add_argument("--corpus-only", action="store_true", help="generate the corpora and stop")
    ap.add_argument("--bigfile-only", action="store_true", help="only the one-big-file measurements")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if args.corpus_only:
        print(ensure_corpus(args.scale, os.cpu_count()))
        return
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "kinesis-insights", "--example", "gunzip-limit"],
                   cwd=ROOT, check=True)
    c = lambda name: os.path.join(OUT, "corpus", name)
    # The big file is made from the realistic corpus: any generation of it will do.
    if not (args.bigfile_only and os.path.isdir(c("cloudtrail-real"))):
        sizes = ensure_corpus(args.scale, os.cpu_count())
    csv_dir = os.path.join(OUT, "csv")
    rows = []

    walls = {}

    def run(corpus, mb, entries, base=True, repeat=args.repeat):
        """Times `entries` ((tool, cmd) pairs) on one corpus of `mb` MB, interleaved (see
        `measure`); with `base`, the first entry is the baseline of the others' ratios. Returns
        each entry's wall seconds (None where it failed)."""
        results = measure([cmd for _, cmd in entries], repeat, args.warmup)
        first = results[0] if base and not isinstance(results[0], Exception) else None
        out = []
        for (tool, _), r in zip(entries, results):
            if isinstance(r, Exception):
                rows.append((corpus, tool, None, None, None, None, f"failed: {r}"[:120]))
                out.append(None)
                continue
            wall, rss = r
            ratio = wall / first[0] if first else 1.0
            rows.append((corpus, tool, wall, mb / wall, rss, ratio, ""))
            walls[(corpus, tool)] = (wall, rss)
            print(f"  {corpus:<14} {tool:<44} {wall:8.2f} s  {ratio:6.2f}x  {rss:7.0f} MB", flush=True)
            out.append(wall)
        return out

    if args.bigfile_only:
        bigfile(run, c, csv_dir, args.scale)
        return finish(args, rows, walls)
    events = lambda *flags, corpus: (BIN, "events", "-q", *flags, "-f", "csv", "-o", csv_dir, c(corpus))
    metrics = lambda *flags, corpus: (BIN, "metrics", "-q", *flags, "-f", "csv", "-o", csv_dir, c(corpus))
    # The realistic corpus: every tool's runs interleaved with the limit's and each other's, so
    # that the targets' ratios (events against the limit, jq and DuckDB against events) compare
    # times taken in the same minutes.
    ki = "kinesis-insights events (all panels, CSV)"
    real = [("gunzip-only limit", [LIMIT, c("cloudtrail-real")]),
            (ki, events(corpus="cloudtrail-real"))]
    if "threads" not in skip:
        real.append(("kinesis-insights events --threads 1", events("-j", "1", corpus="cloudtrail-real")))
    # The one panel jq and DuckDB compute, for a comparison of the same work beside the targets'.
    real.append((ONE_PANEL, events("-p", "events", corpus="cloudtrail-real")))
    if "jq" not in skip:
        if shutil.which("jq"):
            real.append(("zcat + jq (events panel)",
                         f"find {c('cloudtrail-real')} -name '*.json.gz' -print0 | xargs -0 zcat | "
                         "jq -r '.Records[] | select(.eventSource == \"kinesis.amazonaws.com\") | .eventName' "
                         "| sort | uniq -c | sort -rn"))
        else:
            rows.append(("realistic", "zcat + jq", None, None, None, None, "skipped: jq not installed"))
    if "duckdb" not in skip:
        py, why = duckdb_python()
        if py is None:
            rows.append(("realistic", "duckdb", None, None, None, None, f"skipped: {why}"))
        else:
            for name, sql in DUCKDB_RECIPES.items():
                q = sql.format(glob=c("cloudtrail-real") + "/**/*.json.gz")
                real.append((name, [py, "-c", f"import duckdb; print(duckdb.sql({q!r}).fetchall())"]))
    ct_mb = sizes["cloudtrail-real"] / 1e6
    run("realistic", ct_mb, real)
    if "x4" not in skip:
        run("realistic x4", 4 * ct_mb,
            [("kinesis-insights events (4x the input)", events(corpus="cloudtrail-x4"))], base=False)

    if "low" not in skip:
        low = [("gunzip-only limit", [LIMIT, c("cloudtrail")]), (ki, events(corpus="cloudtrail"))]
        if "threads" not in skip:
            low.append(("kinesis-insights events --threads 1", events("-j", "1", corpus="cloudtrail")))
        run("low-card", sizes["cloudtrail"] / 1e6, low)
    if "stress" not in skip:
        run("stress", sizes["cloudtrail-stress"] / 1e6,
            [("gunzip-only limit", [LIMIT, c("cloudtrail-stress")]), (ki, events(corpus="cloudtrail-stress"))])
        rows_api = sum(1 for _ in open(os.path.join(csv_dir, "api-calls.csv"))) - 1
        print(f"  stress: api-calls panel has {rows_api} rows", flush=True)

    if "tiny" in skip:
        return finish(args, rows, walls)
    run("tiny files", sizes["tiny"] / 1e6,
        [("gunzip-only limit", [LIMIT, c("tiny")]), (ki, events(corpus="tiny"))])

    if "metrics" in skip:
        return finish(args, rows, walls)
    km = "kinesis-insights metrics (all panels, CSV)"
    run("metrics", sizes["metrics"] / 1e6,
        [("gunzip-only limit", [LIMIT, c("metrics")]), (km, metrics(corpus="metrics"))])
    # A day of minutes of realistic cardinality (thousands of series): the metrics targets.
    day = [("gunzip-only limit", [LIMIT, c("metrics-day")]), (km, metrics(corpus="metrics-day"))]
    if "threads" not in skip:
        day.append(("kinesis-insights metrics --threads 1", metrics("-j", "1", corpus="metrics-day")))
    run("metrics day", sizes["metrics-day"] / 1e6, day)
    run("otel", sizes["otel"] / 1e6,
        [("gunzip-only limit", [LIMIT, c("otel")]), (km, metrics(corpus="otel"))])
    if "bigfile" not in skip:
        bigfile(run, c, csv_dir, args.scale)
    finish(args, rows, walls)


def bigfile_corpus(c, scale):
    """The one-big-file inputs in bench-out/bigfile/, made once: JSON lines from the realistic
    corpus's records (cycled to ~1.7 GB), the same gzipped, and three gzip bombs."""
    import gzip
    import zlib
    out = os.path.join(OUT, "bigfile")
    os.makedirs(out, exist_ok=True)
    target = int(1.7e9 * scale)
    lines = os.path.join(out, "cloudtrail.jsonl")
    marker = os.path.join(out, "params.json")
    if not (os.path.exists(marker) and json.load(open(marker)) == {"bytes": target}):
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(c("cloudtrail-real")) for f in fs)
        written = 0
        with open(lines, "w") as w:
            while written < target:
                for f in files:
                    for rec in json.load(gzip.open(f))["Records"]:
                        line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n"
                        w.write(line)
                        written += len(line.encode())
                    if written >= target:
                        break
        subprocess.run(f"gzip -c {lines} > {lines}.gz", shell=True, check=True)
        # 2 GB bombs, each a few MB: members of 64 MiB of one byte repeated, concatenated. The
        # member is compressed a MiB at a time: this process must stay small, because a child's
        # peak RSS on Linux starts from its parent's at the fork (it survives the exec), and
        # every figure measured after a 64 MiB string here read at least 85 MB.
        def bomb(name, head, byte):
            member = zlib.compressobj(9, zlib.DEFLATED, 31)
            piece = byte * (1 << 20)
            block = b"".join(member.compress(piece) for _ in range(64)) + member.flush()
            with open(os.path.join(out, name), "wb") as w:
                if head:
                    h = zlib.compressobj(9, zlib.DEFLATED, 31)
                    w.write(h.compress(head) + h.flush())
                for _ in range(32):
                    w.write(block)
        bomb("zeros.json.gz", b"", b"\0")
        bomb("spaces.json.gz", b"", b" ")
        bomb("one-line.json.gz",
             b'{"eventTime":"2024-03-09T00:00:00Z","eventSource":"kinesis.amazonaws.com","userAgent":"', b"a")
        json.dump({"bytes": target}, open(marker, "w"))
    return out, os.path.getsize(lines) / 1e6


def bigfile(run, c, csv_dir, scale):
    """One big file, -j 1 against -j 2, plain and gzipped; bombs on 2 threads."""
    out, mb = bigfile_corpus(c, scale)
    f = lambda name: os.path.join(out, name)
    for name, label in [("cloudtrail.jsonl", "1.7 GB JSON lines"), ("cloudtrail.jsonl.gz", "1.7 GB JSON lines, gzip")]:
        runs = [(f"kinesis-insights events -j {j}",
                 [BIN, "events", "-q", "-j", j, "-f", "csv", "-o", csv_dir, f(name)]) for j in "12"]
        if name.endswith(".gz") and shutil.which("gzip"):
            runs.append(("gzip -dc (inflate alone, one thread)", f"gzip -dc {f(name)} > /dev/null"))
        run(label, mb, runs)
    for name in ["zeros.json.gz", "spaces.json.gz", "one-line.json.gz"]:
        run(f"2 GB bomb ({name})", 2000,
            [("kinesis-insights events -j 2", f"{BIN} events -q -j 2 -f csv -o {csv_dir} {f(name)}; test $? -le 2")],
            base=False, repeat=1)


def finish(args, rows, walls):
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print()
    print(f"{date.today()}, {platform.machine()} {cpu}, {os.cpu_count()} cores, scale {args.scale}, "
          f"median of {args.repeat} runs after {args.warmup} untimed, load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print("| corpus | tool | wall s | MB/s | peak RSS MB | × first of its group |")
    print("|---|---|---:|---:|---:|---:|")
    for corpus, tool, wall, mbs, rss, ratio, note in rows:
        if wall is None:
            print(f"| {corpus} | {tool} | {note} | | | |")
        else:
            print(f"| {corpus} | {tool} | {wall:.2f} | {mbs:.0f} | {rss:.0f} | {ratio:.2f} |")
    print_targets(walls)


def print_targets(walls):
    """The issue's targets, checked against this run's figures (a missing tool leaves its line out)."""
    def get(corpus, tool):
        return walls.get((corpus, tool), (None, None))

    ki = "kinesis-insights events (all panels, CSV)"
    events, rss1 = get("realistic", ki)
    checks = []
    if rss1:
        checks.append(("peak RSS, realistic corpus", rss1, " MB", "<", 100))
    limit, _ = get("realistic", "gunzip-only limit")
    if events and limit:
        checks.append(("events vs gunzip-only limit", events / limit, "x", "<=", 2.5))
    duck = [w for (c, t), (w, _) in walls.items() if c == "realistic" and t.startswith("duckdb")]
    if events and duck:
        checks.append(("faster than the fastest DuckDB recipe", min(duck) / events, "x", ">=", 5))
    jq, _ = get("realistic", "zcat + jq (events panel)")
    if events and jq:
        checks.append(("faster than zcat \\| jq", jq / events, "x", ">=", 30))
    tiny, _ = get("tiny files", ki)
    tiny_limit, _ = get("tiny files", "gunzip-only limit")
    if tiny and tiny_limit:
        checks.append(("tiny files vs their gunzip-only limit", tiny / tiny_limit, "x", "<=", 3))
    one, _ = get("realistic", "kinesis-insights events --threads 1")
    if events and one:
        checks.append(("--threads 1 vs default", one / events, "x", ">=", 1.7))
    for label in ["1.7 GB JSON lines", "1.7 GB JSON lines, gzip"]:
        one, _ = get(label, "kinesis-insights events -j 1")
        two, rss = get(label, "kinesis-insights events -j 2")
        if one and two:
            checks.append((f"one big file ({label}), -j 1 vs -j 2", one / two, "x", ">=", 1.6))
            checks.append((f"peak RSS, one big file ({label}), -j 2", rss, " MB", "<", 300))
    for name in ["zeros.json.gz", "spaces.json.gz", "one-line.json.gz"]:
        _, rss = get(f"2 GB bomb ({name})", "kinesis-insights events -j 2")
        if rss:
            checks.append((f"peak RSS, 2 GB gzip bomb ({name})", rss, " MB", "<", 300))
    _, rss4 = get("realistic x4", "kinesis-insights events (4x the input)")
    if rss1 and rss4:
        checks.append(("peak RSS, 4x input vs 1x", rss4 / rss1, "x", "<=", 1.2))
        checks.append(("peak RSS, 4x input", rss4, " MB", "<", 100))
    day, day_rss = get("metrics day", "kinesis-insights metrics (all panels, CSV)")
    day_limit, _ = get("metrics day", "gunzip-only limit")
    if day and day_limit:
        checks.append(("metrics (day corpus) vs gunzip-only limit", day / day_limit, "x", "<=", 3))
        checks.append(("peak RSS, metrics (day corpus)", day_rss, " MB", "<", 150))
    print()
    print("| target | this run | wanted | met |")
    print("|---|---:|---:|---|")
    for name, value, unit, op, bound in checks:
        met = value <= bound if op == "<=" else value >= bound if op == ">=" else value < bound
        print(f"| {name} | {value:.2f}{unit} | {op} {bound}{unit} | {'yes' if met else 'no'} |")
    # The targets set all panels against jq's and DuckDB's one; the same work, for comparison.
    one, _ = get("realistic", ONE_PANEL)
    same = [f"{jq / one:.1f}x faster than zcat | jq"] if one and jq else []
    same += [f"{min(duck) / one:.1f}x faster than DuckDB's fastest recipe"] if one and duck else []
    if same:
        print()
        print(f"The events panel alone ({one:.2f} s), the work jq and DuckDB do: {', '.join(same)}.")


if __name__ == "__main__":
    main()
