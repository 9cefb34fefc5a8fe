#!/usr/bin/env python3
"""Writes src/geo/countries.rs: ISO 3166-1 alpha-2 codes and English names, from iso-codes'
iso_3166-1.json (the copy in testdata/ is Debian's iso-codes 4.15.0; the names Python's
pycountry gives). The name is `common_name` where iso-codes has one (`South Korea`, `Vietnam`,
`Iran`: the names MaxMind's databases use, so a country located by two databases is one row),
else `name`.

    python3 testdata/countries.py > src/geo/countries.rs

`cargo test --lib geo::` checks the table against testdata/iso_3166-1.json.
"""
import json
import os
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iso_3166-1.json")

with open(SOURCE, encoding="utf-8") as f:
    rows = sorted((c["alpha_2"], c.get("common_name", c["name"])) for c in json.load(f)["3166-1"])

out = sys.stdout
out.write("//! ISO 3166-1 alpha-2 codes and English names, sorted by code, from iso-codes (the common\n")
out.write("//! name where it has one, else the short name). Written by `testdata/countries.py`; do not\n")
out.write("//! edit.\n\n")
out.write("/// (alpha-2 code, English name), sorted by code.\n")
out.write(f"pub const NAMES: [(&str, &str); {len(rows)}] = [\n")
for code, name in rows:
    out.write(f"    ({json.dumps(code)}, {json.dumps(name, ensure_ascii=False)}),\n")
out.write("];\n")
