//! The locations panel. The test databases in `testdata/geoip/` are built here from
//! `testdata/geoip/networks.json` with an MMDB writer, in four layouts: GeoIP2 City and Country
//! (IPv6 trees holding IPv4 too), and the flat ip-location-db layout as an IPv4-only city
//! database and a country-only one. `UPDATE_GEOIP=1 cargo test --test geoip` rewrites them;
//! otherwise a test fails when the committed files are stale. The expected panels were computed
//! by `testdata/generate.py` with Python's `ipaddress` module.

mod common;

use std::fs;
use std::net::IpAddr;
use std::path::PathBuf;

use common::{run, testdata};
use maxminddb_writer::Database;
use maxminddb_writer::metadata::IpVersion;
use maxminddb_writer::paths::IpAddrWithMask;
use serde_json::{Map, Value, json};

/// The layouts, by file stem: (IPv4 only, database type).
const LAYOUTS: [(&str, bool, &str); 4] = [
    ("city", false, "GeoLite2-City"),
    ("country", false, "GeoLite2-Country"),
    ("flat-city-ipv4", true, "ip-location-db dbip-city-ipv4"),
    (
        "flat-country",
        false,
        "ip-location-db geo-whois-asn-country",
    ),
];

fn db_path(layout: &str) -> PathBuf {
    testdata(&format!("geoip/test-{layout}.mmdb"))
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap().to_string()
}

/// The record a network has in `layout`; empty fields are left out, as real databases do.
fn record(layout: &str, n: &Value) -> Value {
    let names = |s: String| json!({ "names": { "en": s } });
    let mut m = Map::new();
    let (cc, region, city) = (text(n, "country_code"), text(n, "region"), text(n, "city"));
    let (lat, lon) = (n["latitude"].clone(), n["longitude"].clone());
    match layout {
        "city" | "country" => {
            let mut country = names(text(n, "country_name"));
            country["iso_code"] = Value::String(cc);
            m.insert("country".into(), country);
            if layout == "city" {
                if !region.is_empty() {
                    m.insert("subdivisions".into(), json!([names(region)]));
                }
                if !city.is_empty() {
                    m.insert("city".into(), names(city));
                }
                m.insert(
                    "location".into(),
                    json!({ "latitude": lat, "longitude": lon }),
                );
            }
        }
        "flat-city-ipv4" => {
            m.insert("country_code".into(), Value::String(cc));
            if !region.is_empty() {
                m.insert("state1".into(), Value::String(region));
            }
            if !city.is_empty() {
                m.insert("city".into(), Value::String(city));
            }
            m.insert("latitude".into(), lat);
            m.insert("longitude".into(), lon);
        }
        _ => {
            m.insert("country_code".into(), Value::String(cc));
        }
    }
    Value::Object(m)
}

/// Builds one test database.
fn build(layout: &str, ipv4_only: bool, kind: &str) -> Vec<u8> {
    let networks: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(testdata("geoip/networks.json")).unwrap())
            .unwrap();
    let mut db = Database::default();
    db.metadata.ip_version = if ipv4_only {
        IpVersion::V4
    } else {
        IpVersion::V6
    };
    db.metadata.database_type = kind.to_string();
    db.metadata.languages = vec!["en".into()];
    db.metadata.binary_format_major_version = 2;
    db.metadata
        .description
        .insert("en".into(), "kinesis-insights test data".into());
    for n in &networks {
        let (addr, bits) = text(n, "network")
            .split_once('/')
            .map(|(a, b)| (a.to_string(), b.parse::<u8>().unwrap()))
            .unwrap();
        let addr: IpAddr = addr.parse().unwrap();
        let path = match addr {
            IpAddr::V6(_) if ipv4_only => continue,
            IpAddr::V4(v4) if !ipv4_only => {
                // IPv4 lives at ::a.b.c.d/96+n in an IPv6 tree, where readers look for it.
                IpAddrWithMask::new(IpAddr::V6(v4.to_ipv6_compatible()), bits + 96)
            }
            a => IpAddrWithMask::new(a, bits),
        };
        let data = db.insert_value(record(layout, n)).unwrap();
        db.insert_node(path, data);
    }
    db.write_to(Vec::new()).unwrap()
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
        let r = locations_csv(db_path(layout).to_str().unwrap(), &[]);
        assert_eq!(r.code, 0, "{layout}: {}", r.stderr);
        let want =
            fs::read_to_string(testdata(&format!("expected/locations/{layout}.csv"))).unwrap();
        assert_eq!(r.stdout, want, "{layout}");
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
    let r = common::bin()
        .env("KINESIS_INSIGHTS_GEOIP", "")
        .args(["events", testdata("doc-sample").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    let out = String::from_utf8(r.stdout).unwrap();
    assert!(
        out.contains("Location of Events\n(no rows)\nno GeoIP database found: pass --geoip"),
        "{out}"
    );
    assert!(
        out.contains("GeoLite2") && out.contains("DB-IP Lite"),
        "{out}"
    );
    // Every other panel still prints.
    assert!(out.contains("Kinesis API Calls Summary"), "{out}");
    let csv = common::bin()
        .env("KINESIS_INSIGHTS_GEOIP", "")
        .args([
            "events",
            "-f",
            "csv",
            "-p",
            "locations",
            testdata("doc-sample").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(csv.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(csv.stdout).unwrap(),
        "country_code,country_name,region,city,latitude,longitude,count\n"
    );
    assert!(
        String::from_utf8(csv.stderr)
            .unwrap()
            .contains("locations: no GeoIP database found")
    );
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
