#!/usr/bin/env python3
"""Writes src/geo/countries.rs: ISO 3166-1 alpha-2 codes and English short names, as Debian's
iso-codes package lists them (the names Python's pycountry gives as `name`).

    python3 testdata/countries.py > src/geo/countries.rs

`cargo test --test geoip -- --ignored country_names` checks the table against the same file.
"""
import json
import sys

SOURCE = "/usr/share/iso-codes/json/iso_3166-1.json"

with open(SOURCE, encoding="utf-8") as f:
    rows = sorted((c["alpha_2"], c["name"]) for c in json.load(f)["3166-1"])

out = sys.stdout
out.write("//! ISO 3166-1 alpha-2 codes and English short names, sorted by code, as Debian's\n")
out.write("//! iso-codes package lists them. Written by `testdata/countries.py`; do not edit.\n\n")
out.write("/// (alpha-2 code, English short name), sorted by code.\n")
out.write(f"pub const NAMES: [(&str, &str); {len(rows)}] = [\n")
for code, name in rows:
    out.write(f"    ({json.dumps(code)}, {json.dumps(name, ensure_ascii=False)}),\n")
out.write("];\n")
