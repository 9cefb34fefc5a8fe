#!/usr/bin/env python3
"""Compares the locations panel with Python's `maxminddb` reader on real databases.

Run by tests/real-world/real-geoip.sh (which fetches the databases and makes the venv):

    python real_geoip.py --bin kinesis-insights --work DIR DB.mmdb[,DB.mmdb...]...

Each argument is one run: its files are given as repeated `--geoip`, consulted in order.

Writes DIR/events.json, one Kinesis call from each of many public IPv4 and IPv6 addresses
(random, seeded) plus 6to4, NAT64 and Teredo forms of IPv4 ones and a few private and service
sources. For each database it runs `events -p locations -f json` and computes the same rows
from the records Python's reader returns, with the README's rules written out again here:
country (`country`, else `registered_country`), `iso_code` else `country_code`, `names.en` else
the ISO 3166-1 name (pycountry), `subdivisions[0].names.en` else `state1`, `city` (text or
`names.en`), coordinates from `location` else the top level; a field of another type is absent;
a record with none of these is (not found); a float (type 15) coordinate is the shortest
decimal that reads back to that float. Prints, per database, the rows compared and the
mismatches; exits 1 if any row differs.
"""
import argparse
import ipaddress
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
from collections import Counter

import maxminddb
import maxminddb.decoder
import pycountry


class F32(float):
    """A coordinate the database stores as a 32-bit float."""


_decode_float = maxminddb.decoder.Decoder._decode_float


def _marked_float(self, size, offset, budget):
    value, end = _decode_float(self, size, offset, budget)
    return F32(value), end


# The pure-Python decoder (MODE_MEMORY) tells floats from doubles through this.
maxminddb.decoder.Decoder._decode_float = _marked_float


def float32_shortest(x):
    f32 = lambda v: struct.unpack("<f", struct.pack("<f", v))[0]
    for digits in range(1, 10):
        text = f"{x:.{digits}g}"
        if f32(float(text)) == x:
            return float(text)
    raise AssertionError(x)


def text(v):
    return v if isinstance(v, str) and v != "" else None


def num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    x = float(v)
    if not math.isfinite(x):
        return None
    return float32_shortest(x) if isinstance(v, F32) else x


def english(m):
    if not isinstance(m, dict):
        return None
    names = m.get("names")
    return text(names.get("en")) if isinstance(names, dict) else None


def iso_name(code):
    c = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return getattr(c, "common_name", c.name) if c else None


NOT_FOUND = ("", "(not found)", "", "", None, None)
PRIVATE = ("", "(private address)", "", "", None, None)
SERVICE = ("", "(AWS service)", "", "", None, None)


def location(rec):
    if not isinstance(rec, dict):
        return NOT_FOUND
    country = next((c for c in (rec.get("country"), rec.get("registered_country"))
                    if isinstance(c, dict)), None)
    cc = (text(country.get("iso_code")) if country else None) or text(rec.get("country_code")) or ""
    name = english(country) or iso_name(cc) or ""
    subs = rec.get("subdivisions")
    first = subs[0] if isinstance(subs, list) and subs else subs if isinstance(subs, dict) else None
    region = english(first) or text(rec.get("state1")) or ""
    city = rec.get("city")
    city = city if isinstance(city, str) else (english(city) or "")
    loc = rec.get("location")

    def coord(k):
        x = num(loc.get(k)) if isinstance(loc, dict) else None
        return x if x is not None else num(rec.get(k))

    row = (cc, name, region, city, coord("latitude"), coord("longitude"))
    return NOT_FOUND if row == ("", "", "", "", None, None) else row


def embedded_v4(ip):
    """The IPv4 address an IPv6 address carries, as the README says (mapped, 6to4, NAT64
    well-known prefix, Teredo client), else None."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo:
        return ip.teredo[1]
    return None


def public(ip):
    """Public as the tool classifies (the generated input avoids the ranges where Python's
    `is_global` and the tool's list differ)."""
    if ip.version == 6 and ip in ipaddress.ip_network("64:ff9b:1::/48"):
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def expected_row(readers, source):
    """The row of `source` with `readers` ((reader, IPv4 only) pairs) consulted in order."""
    if source == "AWS Internal" or re.fullmatch(r"(?:[A-Za-z0-9-]+\.)+amazonaws\.com", source):
        return SERVICE
    addr, _, zone = source.partition("%")
    try:
        ip = ipaddress.ip_address(addr if ":" in addr and zone else source)
    except ValueError:
        return NOT_FOUND
    if ip.version == 6:
        ip = embedded_v4(ip) or ip
    if not public(ip):
        return PRIVATE
    for reader, ipv4_only in readers:
        if ip.version == 6 and ipv4_only:
            continue
        row = location(reader.get(ip))
        if row != NOT_FOUND:
            return row
    return NOT_FOUND


def addresses(seed=11):
    rng = random.Random(seed)
    out = set()

    def v4():
        while True:
            ip = ipaddress.IPv4Address(rng.getrandbits(32))
            if public(ip):
                return ip

    for _ in range(4000):
        out.add(str(v4()))
    special = [ipaddress.ip_network(n) for n in ("2001::/23", "2002::/16", "64:ff9b::/96")]
    blocks = ["2000::/3", "2001:400::/23", "2400::/12", "2600::/12", "2800::/12", "2a00::/12",
              "2c00::/12"]
    for i in range(4200):
        net = ipaddress.ip_network(blocks[i % len(blocks)])
        ip = ipaddress.IPv6Address(int(net.network_address) + rng.getrandbits(128 - net.prefixlen))
        if public(ip) and not any(ip in n for n in special):
            out.add(str(ip))
    for _ in range(200):
        a = int(v4())
        out.add(str(ipaddress.IPv6Address((0x2002 << 112) | (a << 80) | rng.getrandbits(16) << 64 | 1)))
        out.add(f"64:ff9b::{ipaddress.IPv4Address(a)}")
        out.add(str(ipaddress.IPv6Address(
            (0x2001 << 112) | (0x4136E378 << 64) | (0x800063BF << 32) | (a ^ 0xFFFFFFFF))))
    out.update(["10.1.2.3", "192.168.0.1", "fd00::1", "kinesis.amazonaws.com", "AWS Internal",
                "2002:c0a8:101::1", "64:ff9b:1::808:808"])
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("databases", nargs="+")
    args = ap.parse_args()

    sources = addresses()
    events = os.path.join(args.work, "events.json")
    with open(events, "w") as f:
        for s in sources:
            f.write(json.dumps({"eventVersion": "1.08", "eventTime": "2024-03-09T10:00:00Z",
                                "eventSource": "kinesis.amazonaws.com", "eventName": "PutRecord",
                                "awsRegion": "us-east-1", "sourceIPAddress": s}) + "\n")
    print(f"{len(sources)} addresses in {events}")

    results = []
    for group in args.databases:
        dbs = group.split(",")
        geoip = [a for db in dbs for a in ("--geoip", db)]
        run = subprocess.run([args.bin, "events", "-p", "locations", "-f", "json", "-q", *geoip,
                              events], capture_output=True, text=True)
        name = " + ".join(f"`{os.path.basename(db)}`" for db in dbs)
        if run.returncode != 0:
            print(f"{name}: exit {run.returncode}: {run.stderr}")
            results.append((name, None, 0, 0, 1, ""))
            continue
        got = Counter()
        for r in json.loads(run.stdout)["panels"]["locations"]["rows"]:
            key = (r["country_code"], r["country_name"], r["region"], r["city"],
                   r["latitude"], r["longitude"])
            got[key] += r["count"]

        readers = [maxminddb.open_database(db, maxminddb.MODE_MEMORY) for db in dbs]
        readers = [(r, r.metadata().ip_version == 4) for r in readers]
        want = Counter(expected_row(readers, s) for s in sources)
        located = sum(n for k, n in want.items() if k not in (NOT_FOUND, PRIVATE, SERVICE))
        keys = set(got) | set(want)
        bad = sorted((k for k in keys if got[k] != want[k]), key=str)
        for k in bad[:10]:
            print(f"  mismatch {k}: tool {got[k]}, maxminddb {want[k]}")
        kinds = " + ".join(f"{r.metadata().database_type}, IPv{r.metadata().ip_version}"
                           for r, _ in readers) if len(readers) == 1 else "both, in that order"
        coords = sorted({
            "float" if any(isinstance(v, F32) for v in _sample_coords(r, sources, v4)) else "double"
            for r, v4 in readers})
        coords = " and ".join(coords)
        results.append((name, kinds, len(keys), located, len(bad), coords))

    print()
    print("| database | type, IP version | coordinates | addresses located | rows compared | mismatches |")
    print("|---|---|---|---|---|---|")
    failed = False
    for name, kinds, rows, located, bad, coords in results:
        if kinds is None:
            print(f"| {name} | run failed | | | | 1 |")
            failed = True
            continue
        print(f"| {name} | {kinds} | {coords} | {located} | {rows} | {bad} |")
        failed |= bad > 0
    sys.exit(1 if failed else 0)


def _sample_coords(reader, sources, ipv4_only):
    """Latitudes of the first located records, to report the database's encoding."""
    seen = 0
    for s in sources:
        try:
            ip = ipaddress.ip_address(s)
        except ValueError:
            continue
        if ip.version == 6 and ipv4_only:
            continue
        rec = reader.get(ip)
        if isinstance(rec, dict):
            loc = rec.get("location")
            lat = loc.get("latitude") if isinstance(loc, dict) else rec.get("latitude")
            if lat is not None:
                yield lat
                seen += 1
                if seen == 20:
                    return


if __name__ == "__main__":
    main()
