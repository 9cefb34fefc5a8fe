//! Where calls come from: classifying `sourceIPAddress` values and looking up public addresses
//! in a MaxMind DB file (GeoIP2/GeoLite2 City or Country, DB-IP Lite, or the flat layout of
//! community databases such as ip-location-db).
//!
//! Lookups happen once per distinct address, after the merge, never per event.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use maxminddb::Reader;
use serde::Deserialize;

/// Environment variable naming the database when `--geoip` is not given. Set but empty, it
/// turns the search of the usual places off.
pub const ENV_VAR: &str = "KINESIS_INSIGHTS_GEOIP";

/// Folders `geoipupdate` and package managers write databases to.
pub const SEARCH_DIRS: [&str; 5] = [
    "/usr/share/GeoIP",
    "/var/lib/GeoIP",
    "/usr/local/share/GeoIP",
    "/usr/local/var/GeoIP",
    "/opt/homebrew/var/GeoIP",
];

/// Database file names looked for in [`SEARCH_DIRS`], best first.
pub const SEARCH_NAMES: [&str; 6] = [
    "GeoLite2-City.mmdb",
    "GeoIP2-City.mmdb",
    "dbip-city-lite.mmdb",
    "GeoLite2-Country.mmdb",
    "GeoIP2-Country.mmdb",
    "dbip-country-lite.mmdb",
];

/// How to get a database, for the message shown when there is none.
pub const HOW_TO_GET: &str = "no GeoIP database found: pass --geoip FILE.mmdb or set \
    KINESIS_INSIGHTS_GEOIP (free databases: MaxMind GeoLite2 City via geoipupdate, \
    https://dev.maxmind.com/geoip/geolite2-free-geolocation-data, or DB-IP Lite, \
    https://db-ip.com/db/lite.php)";

/// Where the database comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbChoice {
    /// A file to open.
    Path(PathBuf),
    /// None given and none found.
    Missing,
}

/// Picks the database: `--geoip`, else the environment variable, else the first file found in
/// the usual places.
pub fn choose(flag: Option<&Path>, env: Option<&std::ffi::OsStr>) -> DbChoice {
    if let Some(p) = flag {
        return DbChoice::Path(p.to_path_buf());
    }
    match env {
        Some(v) if v.is_empty() => return DbChoice::Missing,
        Some(v) => return DbChoice::Path(PathBuf::from(v)),
        None => {}
    }
    for name in SEARCH_NAMES {
        for dir in SEARCH_DIRS {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return DbChoice::Path(p);
            }
        }
    }
    DbChoice::Missing
}

/// A database that could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot use GeoIP database {}: {reason}", path.display())]
pub struct GeoError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// An open MaxMind DB file.
pub struct GeoDb {
    reader: Reader<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoDb").field("path", &self.path).finish()
    }
}

/// Where a source address puts a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    /// ISO 3166-1 alpha-2 code, or empty.
    pub country_code: String,
    /// English country name, or one of the `(…)` labels for addresses not looked up.
    pub country_name: String,
    /// First subdivision (state, province), or empty.
    pub region: String,
    /// City, or empty.
    pub city: String,
    /// Latitude as the database gives it.
    pub latitude: Option<f64>,
    /// Longitude as the database gives it.
    pub longitude: Option<f64>,
}

/// Label of calls made by AWS services (`kinesis.amazonaws.com`, `AWS Internal`).
pub const AWS_SERVICE: &str = "(AWS service)";
/// Label of private, loopback and other non-public addresses.
pub const PRIVATE: &str = "(private address)";
/// Label of public addresses the database does not know (and of empty or malformed ones).
pub const NOT_FOUND: &str = "(not found)";

impl Location {
    fn label(name: &str) -> Self {
        Location {
            country_name: name.to_string(),
            ..Location::default()
        }
    }
}

/// What a `sourceIPAddress` value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Not an IP address: an AWS service principal or `AWS Internal`.
    Service,
    /// A private, loopback, link-local, documentation or otherwise non-public address.
    Private,
    /// A public address, worth a lookup.
    Public(IpAddr),
    /// Empty, or shaped like an address but not one (`255.090.254.5`).
    Unknown,
}

/// Classifies a (trimmed) `sourceIPAddress`.
pub fn classify(s: &str) -> Origin {
    if s.is_empty() {
        return Origin::Unknown;
    }
    match s.parse::<IpAddr>() {
        Err(_)
            if s.bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':') =>
        {
            Origin::Unknown
        }
        Err(_) => Origin::Service,
        Ok(ip) => {
            let ip = canonical(ip);
            if is_public(ip) {
                Origin::Public(ip)
            } else {
                Origin::Private
            }
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    u128::from(ip) & mask == u128::from(net) & mask
}

/// False for the IANA special-purpose ranges that never locate a caller.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            const NON_PUBLIC: [([u8; 4], u32); 14] = [
                ([0, 0, 0, 0], 8),       // "this network"
                ([10, 0, 0, 0], 8),      // private
                ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
                ([127, 0, 0, 0], 8),     // loopback
                ([169, 254, 0, 0], 16),  // link-local
                ([172, 16, 0, 0], 12),   // private
                ([192, 0, 0, 0], 24),    // IETF protocol assignments
                ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
                ([192, 168, 0, 0], 16),  // private
                ([198, 18, 0, 0], 15),   // benchmarking
                ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
                ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
                ([224, 0, 0, 0], 4),     // multicast
                ([240, 0, 0, 0], 4),     // reserved, broadcast
            ];
            !NON_PUBLIC.iter().any(|(net, bits)| in_v4(v4, *net, *bits))
        }
        IpAddr::V6(v6) => {
            let nets: [(Ipv6Addr, u32); 8] = [
                (Ipv6Addr::UNSPECIFIED, 128),
                (Ipv6Addr::LOCALHOST, 128),
                (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only
                (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
                (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7), // unique local
                (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
                (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8), // multicast
                (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation (RFC 9637)
            ];
            !nets.iter().any(|(net, bits)| in_v6(v6, *net, *bits))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Names {
    en: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Named {
    iso_code: Option<String>,
    names: Option<Names>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CityField {
    Name(String),
    Map(Named),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Coords {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// A database record in either layout: GeoIP2 (nested) or flat (ip-location-db).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GeoRecord {
    country: Option<Named>,
    registered_country: Option<Named>,
    subdivisions: Option<Vec<Named>>,
    city: Option<CityField>,
    location: Option<Coords>,
    country_code: Option<String>,
    state1: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

fn english(n: &Named) -> Option<String> {
    n.names
        .as_ref()
        .and_then(|x| x.en.clone())
        .filter(|s| !s.is_empty())
}

impl GeoRecord {
    fn into_location(self) -> Location {
        let country = self.country.or(self.registered_country);
        let country_code = country
            .as_ref()
            .and_then(|c| c.iso_code.clone())
            .or(self.country_code)
            .unwrap_or_default();
        let country_name = country
            .as_ref()
            .and_then(english)
            .or_else(|| iso_name(&country_code))
            .unwrap_or_default();
        let region = self
            .subdivisions
            .as_ref()
            .and_then(|s| s.first())
            .and_then(english)
            .or(self.state1)
            .unwrap_or_default();
        let city = match self.city {
            Some(CityField::Name(s)) => s,
            Some(CityField::Map(m)) => english(&m).unwrap_or_default(),
            None => String::new(),
        };
        let (lat, lon) = match self.location {
            Some(c) => (c.latitude, c.longitude),
            None => (self.latitude, self.longitude),
        };
        Location {
            country_code,
            country_name,
            region,
            city,
            latitude: lat,
            longitude: lon,
        }
    }
}

/// The ISO 3166-1 English short name of an alpha-2 code.
pub fn iso_name(code: &str) -> Option<String> {
    rust_iso3166::from_alpha2(&code.to_ascii_uppercase()).map(|c| c.name.to_string())
}

impl GeoDb {
    /// Opens a database file; a missing, unreadable or non-MMDB file is an error naming it.
    pub fn open(path: &Path) -> Result<Self, GeoError> {
        let err = |reason: String| GeoError {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| err(crate::diag::io_reason(&e)))?;
        let reader =
            Reader::from_source(bytes).map_err(|e| err(format!("not a MaxMind DB file ({e})")))?;
        // A database whose search tree is broken is found out at the first lookup; one probe
        // now turns that into an error before any work is done.
        reader
            .lookup(IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1)))
            .and_then(|r| r.decode::<GeoRecord>())
            .map_err(|e| err(format!("damaged MaxMind DB file ({e})")))?;
        Ok(GeoDb {
            reader,
            path: path.to_path_buf(),
        })
    }

    /// True for a database with only IPv4 networks.
    pub fn ipv4_only(&self) -> bool {
        self.reader.metadata().ip_version == 4
    }

    /// The location of a public address; `None` when the database does not know it. An IPv6
    /// address in an IPv4-only database is not found, not an error.
    pub fn lookup(&self, ip: IpAddr) -> Result<Option<Location>, String> {
        if ip.is_ipv6() && self.ipv4_only() {
            return Ok(None);
        }
        let result = self.reader.lookup(ip).map_err(|e| e.to_string())?;
        match result.decode::<GeoRecord>() {
            Ok(Some(rec)) => Ok(Some(rec.into_location())),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("cannot decode the record of {ip}: {e}")),
        }
    }

    /// The location of a `sourceIPAddress` value, with the `(…)` labels for addresses that are
    /// not looked up or not found.
    pub fn locate(&self, source: &str) -> Result<Location, String> {
        Ok(match classify(source) {
            Origin::Service => Location::label(AWS_SERVICE),
            Origin::Private => Location::label(PRIVATE),
            Origin::Unknown => Location::label(NOT_FOUND),
            Origin::Public(ip) => self
                .lookup(ip)?
                .unwrap_or_else(|| Location::label(NOT_FOUND)),
        })
    }
}

/// Counts per location, from counts per source address; each distinct address is looked up
/// once. Returns the groups and the first lookup error, if any (its addresses count as not
/// found).
pub fn locate_all<'a>(
    db: &GeoDb,
    by_ip: impl IntoIterator<Item = (&'a str, u64)>,
) -> (Vec<(Location, u64)>, Option<String>) {
    use rayon::prelude::*;
    let ips: Vec<(&str, u64)> = by_ip.into_iter().collect();
    let located: Vec<(Result<Location, String>, u64)> =
        ips.par_iter().map(|(ip, n)| (db.locate(ip), *n)).collect();
    let mut groups: BTreeMap<LocKey, u64> = BTreeMap::new();
    let mut first_error = None;
    for (loc, n) in located {
        let loc = loc.unwrap_or_else(|e| {
            first_error.get_or_insert(e);
            Location::label(NOT_FOUND)
        });
        *groups.entry(LocKey(loc)).or_default() += n;
    }
    let mut rows: Vec<(Location, u64)> = groups.into_iter().map(|(k, n)| (k.0, n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| LocKey::cmp_loc(&a.0, &b.0)));
    (rows, first_error)
}

/// A location as a map key: ordered by its fields, coordinates by value (absent first).
#[derive(Debug)]
struct LocKey(Location);

impl LocKey {
    fn cmp_loc(a: &Location, b: &Location) -> std::cmp::Ordering {
        let coord = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        };
        (&a.country_code, &a.country_name, &a.region, &a.city)
            .cmp(&(&b.country_code, &b.country_name, &b.region, &b.city))
            .then_with(|| coord(a.latitude, b.latitude))
            .then_with(|| coord(a.longitude, b.longitude))
    }
}

impl PartialEq for LocKey {
    fn eq(&self, o: &Self) -> bool {
        Self::cmp_loc(&self.0, &o.0).is_eq()
    }
}
impl Eq for LocKey {}
impl PartialOrd for LocKey {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for LocKey {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        Self::cmp_loc(&self.0, &o.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let cases = [
            ("kinesis.amazonaws.com", Origin::Service),
            ("AWS Internal", Origin::Service),
            ("", Origin::Unknown),
            ("10.1.2.3", Origin::Private),
            ("172.31.255.255", Origin::Private),
            ("172.32.0.1", Origin::Public("172.32.0.1".parse().unwrap())),
            ("192.168.0.1", Origin::Private),
            ("100.64.0.1", Origin::Private),
            (
                "100.128.0.1",
                Origin::Public("100.128.0.1".parse().unwrap()),
            ),
            ("127.0.0.1", Origin::Private),
            ("169.254.169.254", Origin::Private),
            ("203.0.113.9", Origin::Private),
            ("255.255.255.255", Origin::Private),
            ("224.0.0.1", Origin::Private),
            ("8.8.8.8", Origin::Public("8.8.8.8".parse().unwrap())),
            ("::1", Origin::Private),
            ("::", Origin::Private),
            ("fe80::1", Origin::Private),
            ("fd00::1", Origin::Private),
            ("2001:db8::1", Origin::Private),
            ("ff02::1", Origin::Private),
            ("2600::1", Origin::Public("2600::1".parse().unwrap())),
            ("::ffff:10.0.0.1", Origin::Private),
            ("::ffff:8.8.4.4", Origin::Public("8.8.4.4".parse().unwrap())),
            ("255.090.254.5", Origin::Unknown),
            ("firehose.amazonaws.com", Origin::Service),
        ];
        for (s, want) in cases {
            assert_eq!(classify(s), want, "{s}");
        }
    }

    #[test]
    fn iso_names() {
        assert_eq!(iso_name("se").as_deref(), Some("Sweden"));
        assert_eq!(iso_name("XX"), None);
    }

    #[test]
    fn choosing_the_database() {
        let flag = Path::new("/x/flag.mmdb");
        assert_eq!(
            choose(Some(flag), Some("/y".as_ref())),
            DbChoice::Path(flag.into())
        );
        assert_eq!(
            choose(None, Some("/y.mmdb".as_ref())),
            DbChoice::Path("/y.mmdb".into())
        );
        assert_eq!(choose(None, Some("".as_ref())), DbChoice::Missing);
    }
}
