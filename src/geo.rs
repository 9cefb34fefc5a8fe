//! Where calls come from: classifying `sourceIPAddress` values and looking up public addresses
//! in MaxMind DB files (GeoIP2/GeoLite2 City or Country, DB-IP Lite, or the flat layout of
//! community databases such as ip-location-db), consulted in order.
//!
//! Lookups happen once per distinct address, after the merge, never per event. Records are
//! read leniently, whatever encoding each field has (see `Val`); a damaged record costs the
//! addresses that reach it, never the run.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use maxminddb::Reader;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

mod countries;

/// Every ISO 3166-1 alpha-2 code with its English short name, sorted by code.
pub const COUNTRY_NAMES: &[(&str, &str)] = &countries::NAMES;

/// Environment variable naming the databases when `--geoip` is not given (several separated as
/// in `PATH`). Set but empty, it turns the search of the usual places off.
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

/// How to get a database, for the note shown when there is none.
const HOW_TO_GET: &str = "pass --geoip FILE.mmdb or set KINESIS_INSIGHTS_GEOIP (free \
    databases: MaxMind GeoLite2 City via geoipupdate, \
    https://dev.maxmind.com/geoip/geolite2-free-geolocation-data, or DB-IP Lite, \
    https://db-ip.com/db/lite.php)";

/// Why the locations panel has no database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoDb {
    /// None named and none in the usual places.
    NotFound,
    /// [`ENV_VAR`] is set but empty, which turns the search off.
    Disabled,
}

impl NoDb {
    /// The note the locations panel shows instead of rows.
    pub fn note(self) -> String {
        match self {
            NoDb::NotFound => format!("no GeoIP database found: {HOW_TO_GET}"),
            NoDb::Disabled => format!(
                "no GeoIP database: {ENV_VAR} is set but empty, which turns the search of \
                 the usual places off; {HOW_TO_GET}"
            ),
        }
    }
}

/// Where the databases come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbChoice {
    /// Files to open, consulted in this order.
    Paths(Vec<PathBuf>),
    /// None, and why.
    Missing(NoDb),
}

/// Picks the databases: every `--geoip`, else the files the environment variable lists
/// (separated as in `PATH`), else the first file found in the usual places.
pub fn choose(flags: &[PathBuf], env: Option<&std::ffi::OsStr>) -> DbChoice {
    if !flags.is_empty() {
        return DbChoice::Paths(flags.to_vec());
    }
    if let Some(v) = env {
        let paths: Vec<PathBuf> = std::env::split_paths(v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        return if paths.is_empty() {
            DbChoice::Missing(NoDb::Disabled)
        } else {
            DbChoice::Paths(paths)
        };
    }
    for name in SEARCH_NAMES {
        for dir in SEARCH_DIRS {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return DbChoice::Paths(vec![p]);
            }
        }
    }
    DbChoice::Missing(NoDb::NotFound)
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

/// One open MaxMind DB file.
struct GeoFile {
    reader: Reader<Vec<u8>>,
    path: PathBuf,
}

/// The open databases of the locations panel, consulted in order: the first that knows an
/// address locates it (ip-location-db ships IPv4 and IPv6 as two files).
pub struct GeoDb {
    files: Vec<GeoFile>,
    /// What the last [`locate_all`] could not look up, per file, for the command to warn
    /// about once the panels are built (panels return rows, not warnings).
    failures: Mutex<Vec<Failures>>,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|f| &f.path))
            .finish()
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
    /// Empty, malformed (`255.090.254.5`), or neither an address nor an AWS service's name
    /// (`localhost`, `8.8.8.8, 10.0.0.1`).
    Unknown,
}

/// Classifies a (trimmed) `sourceIPAddress`. CloudTrail writes an address, an AWS service's
/// DNS name (`firehose.amazonaws.com`) or `AWS Internal`; an IPv6 zone (`fe80::1%eth0`) is
/// dropped before parsing. Anything else (a host name, a list of addresses, control
/// characters) is [`Origin::Unknown`], never taken for a service.
pub fn classify(s: &str) -> Origin {
    if is_service(s) {
        return Origin::Service;
    }
    let addr = match s.split_once('%') {
        Some((addr, zone)) if addr.contains(':') && !zone.is_empty() => addr,
        _ => s,
    };
    match addr.parse::<IpAddr>() {
        Err(_) => Origin::Unknown,
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

/// `AWS Internal`, or a service principal's DNS name: one or more labels of letters, digits
/// and hyphens before `.amazonaws.com` (`firehose.amazonaws.com`,
/// `kinesis.us-east-1.amazonaws.com`).
fn is_service(s: &str) -> bool {
    if s == "AWS Internal" {
        return true;
    }
    let Some(host) = s.strip_suffix(".amazonaws.com") else {
        return false;
    };
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An IPv6 address that carries an IPv4 one, as that IPv4 address: IPv4-mapped
/// (`::ffff:1.2.3.4`), 6to4 (`2002:AABB:CCDD::/48`, RFC 3056: the site's address in bits
/// 16-47), NAT64 with the well-known prefix (`64:ff9b::1.2.3.4`, RFC 6052) and Teredo
/// (`2001:0::/32`, RFC 4380: the client's address, inverted, in the last 32 bits). The IPv4
/// address is where the caller is; it is classified and looked up in its place.
fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else {
        return ip;
    };
    let bits = u128::from(v6);
    let low32 = bits as u32;
    let embedded = if let Some(v4) = v6.to_ipv4_mapped() {
        Some(v4)
    } else if in_v6(v6, Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        Some(Ipv4Addr::from((bits >> 80) as u32))
    } else if in_v6(v6, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        Some(Ipv4Addr::from(low32))
    } else if in_v6(v6, Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32) {
        Some(Ipv4Addr::from(!low32))
    } else {
        None
    };
    embedded.map_or(ip, IpAddr::V4)
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
            let nets: [(Ipv6Addr, u32); 9] = [
                (Ipv6Addr::UNSPECIFIED, 128),
                (Ipv6Addr::LOCALHOST, 128),
                (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64 (RFC 8215)
                (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),     // discard-only
                (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
                (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),     // unique local
                (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),    // link-local
                (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),     // multicast
                (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),    // documentation (RFC 9637)
            ];
            !nets.iter().any(|(net, bits)| in_v6(v6, *net, *bits))
        }
    }
}

/// A record value as far as the locations panel reads it. Numbers are read whatever their
/// encoding (float, double, signed or unsigned integers of any width), maps keep only the keys
/// the panel reads, and anything else (booleans, bytes) is `Other`: a field whose value is not
/// of the kind it should be reads as absent, so one odd field never costs a record.
#[derive(Debug, Clone, PartialEq)]
enum Val<'a> {
    Text(Cow<'a, str>),
    Num(f64),
    Map(Vec<(&'static str, Val<'a>)>),
    Arr(Vec<Val<'a>>),
    Other,
}

/// The keys read from records (GeoIP2 nested layout and the flat one); the rest are skipped
/// without decoding.
const KEYS: [&str; 12] = [
    "country",
    "registered_country",
    "subdivisions",
    "city",
    "location",
    "iso_code",
    "names",
    "en",
    "country_code",
    "state1",
    "latitude",
    "longitude",
];

/// A 32-bit float as the number its shortest decimal form names (`37.422`, not
/// `37.42200088500977`): the value the database's author wrote.
fn widen(x: f32) -> f64 {
    if !x.is_finite() {
        return f64::from(x);
    }
    zmij::Buffer::new()
        .format_finite(x)
        .parse()
        .unwrap_or(f64::from(x))
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a MaxMind DB value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(Val::Num(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Val<'de>, E> {
        Ok(Val::Num(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Val<'de>, E> {
        Ok(Val::Num(v as f64))
    }
    fn visit_f32<E>(self, v: f32) -> Result<Val<'de>, E> {
        Ok(Val::Num(widen(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Val<'de>, E> {
        Ok(Val::Num(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Val>()? {
            out.push(v);
        }
        Ok(Val::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            match k {
                Some(k) => out.push((k, map.next_value()?)),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Val::Map(out))
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

/// A map key: one of [`KEYS`], or `None` for a key the panel does not read.
struct Key(Option<&'static str>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map key")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Key, E> {
                Ok(Key(KEYS.iter().find(|k| k.as_bytes() == v).copied()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                self.visit_bytes(v.as_bytes())
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'a> Val<'a> {
    /// The value of `key` in a map; `None` for a missing key or a value that is not a map.
    fn get(&self, key: &str) -> Option<&Val<'a>> {
        match self {
            Val::Map(m) => m.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Non-empty text; `None` for anything else.
    fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
    /// A finite number; `None` for anything else.
    fn num(&self) -> Option<f64> {
        match self {
            Val::Num(x) if x.is_finite() => Some(*x),
            _ => None,
        }
    }
    /// The map itself, when it is one.
    fn map(&self) -> Option<&Val<'a>> {
        matches!(self, Val::Map(_)).then_some(self)
    }
    /// `names.en` of a GeoIP2 map (country, subdivision, city).
    fn english(&self) -> Option<&str> {
        self.get("names")?.get("en")?.text()
    }
}

/// The location a record gives, from either layout: GeoIP2 (nested) or flat (ip-location-db).
fn to_location(rec: &Val) -> Location {
    let field = |k: &str| rec.get(k);
    let country = field("country")
        .and_then(Val::map)
        .or_else(|| field("registered_country").and_then(Val::map));
    let country_code = country
        .and_then(|c| c.get("iso_code"))
        .and_then(Val::text)
        .or_else(|| field("country_code").and_then(Val::text))
        .unwrap_or_default()
        .to_string();
    let country_name = country
        .and_then(Val::english)
        .map(str::to_string)
        .or_else(|| iso_name(&country_code))
        .unwrap_or_default();
    let first_subdivision = match field("subdivisions") {
        Some(Val::Arr(a)) => a.first(),
        Some(m @ Val::Map(_)) => Some(m),
        _ => None,
    };
    let region = first_subdivision
        .and_then(Val::english)
        .or_else(|| field("state1").and_then(Val::text))
        .unwrap_or_default()
        .to_string();
    let city = match field("city") {
        Some(Val::Text(s)) => s.to_string(),
        Some(m @ Val::Map(_)) => m.english().unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let coord = |k: &str| {
        field("location")
            .and_then(|l| l.get(k))
            .and_then(Val::num)
            .or_else(|| field(k).and_then(Val::num))
    };
    Location {
        country_code,
        country_name,
        region,
        city,
        latitude: coord("latitude"),
        longitude: coord("longitude"),
    }
}

/// The English name of an ISO 3166-1 alpha-2 code: iso-codes' common name where it has one
/// (`South Korea`, `Vietnam`, as MaxMind writes them), else its short name.
pub fn iso_name(code: &str) -> Option<String> {
    let code = code.to_ascii_uppercase();
    countries::NAMES
        .binary_search_by(|(c, _)| c.cmp(&code.as_str()))
        .ok()
        .map(|i| countries::NAMES[i].1.to_string())
}

impl GeoFile {
    /// Opens a database file; a missing or unreadable file, or one that is not a MaxMind DB
    /// (no metadata section), is an error naming it. Damage inside the search tree or the data
    /// section costs only the addresses it touches (see [`locate_all`]).
    fn open(path: &Path) -> Result<Self, GeoError> {
        let err = |reason: String| GeoError {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| err(crate::diag::io_reason(&e)))?;
        let reader =
            Reader::from_source(bytes).map_err(|e| err(format!("not a MaxMind DB file ({e})")))?;
        Ok(GeoFile {
            reader,
            path: path.to_path_buf(),
        })
    }

    /// The location of a public address; `None` when the database does not know it (or its
    /// record has no field the panel reads). An IPv6 address in an IPv4-only database is not
    /// found, not an error. An error is a damaged tree or record.
    fn lookup(&self, ip: IpAddr) -> Result<Option<Location>, String> {
        if ip.is_ipv6() && self.reader.metadata().ip_version == 4 {
            return Ok(None);
        }
        let result = self.reader.lookup(ip).map_err(|e| e.to_string())?;
        match result.decode::<Val>() {
            Ok(Some(rec)) => Ok(Some(to_location(&rec)).filter(|l| *l != Location::default())),
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A lookup that failed: the index of the database and why.
pub type LookupError = (usize, String);

impl GeoDb {
    /// Opens the database files, in the order they will be consulted; the first that cannot
    /// be used is an error naming it.
    pub fn open(paths: &[PathBuf]) -> Result<Self, GeoError> {
        let files = paths
            .iter()
            .map(|p| GeoFile::open(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(GeoDb {
            failures: Mutex::new(vec![Failures::default(); files.len()]),
            files,
        })
    }

    /// The files, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// The addresses the last [`locate_all`] could not look up, all databases together.
    pub fn failures(&self) -> Failures {
        let per_file = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        per_file.iter().fold(Failures::default(), |mut all, f| {
            all.addresses += f.addresses;
            all.events += f.events;
            if all.first.is_none() {
                all.first.clone_from(&f.first);
            }
            all
        })
    }

    /// One warning per database where the last [`locate_all`] met damage.
    pub fn failure_warnings(&self) -> Vec<String> {
        let per_file = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        per_file
            .iter()
            .zip(&self.files)
            .filter_map(|(f, file)| f.warning(&file.path))
            .collect()
    }

    /// The location of a public address in the first database that knows it; `None` when
    /// none does. A damaged tree or record stops the search with an error.
    pub fn lookup(&self, ip: IpAddr) -> Result<Option<Location>, LookupError> {
        for (i, file) in self.files.iter().enumerate() {
            if let Some(loc) = file.lookup(ip).map_err(|e| (i, e))? {
                return Ok(Some(loc));
            }
        }
        Ok(None)
    }

    /// The location of a `sourceIPAddress` value, with the `(…)` labels for addresses that are
    /// not looked up or not found.
    pub fn locate(&self, source: &str) -> Result<Location, LookupError> {
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

/// Addresses whose lookup failed on a damaged database: they count as not found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failures {
    /// Distinct addresses.
    pub addresses: u64,
    /// Events from them.
    pub events: u64,
    /// The first address (in address order) and why.
    pub first: Option<(String, String)>,
}

impl Failures {
    /// One warning for them all, naming the database; `None` when there were none.
    pub fn warning(&self, db: &Path) -> Option<String> {
        let (ip, why) = self.first.as_ref()?;
        let plural = crate::text::plural;
        Some(format!(
            "GeoIP database {}: {} address{} ({} event{}) could not be looked up (damaged \
             record) and count as {NOT_FOUND}; the first, {ip}: {why}",
            db.display(),
            self.addresses,
            if self.addresses == 1 { "" } else { "es" },
            self.events,
            plural(self.events),
        ))
    }
}

/// Counts per location, from counts per source address; each distinct address is looked up
/// once. Addresses whose lookup fails (a damaged record or tree) count as not found and are
/// tallied in the returned [`Failures`] (and per database in `db`, for its warnings).
pub fn locate_all<'a>(
    db: &GeoDb,
    by_ip: impl IntoIterator<Item = (&'a str, u64)>,
) -> (Vec<(Location, u64)>, Failures) {
    use rayon::prelude::*;
    let mut ips: Vec<(&str, u64)> = by_ip.into_iter().collect();
    ips.sort_unstable();
    let located: Vec<(Result<Location, LookupError>, u64)> =
        ips.par_iter().map(|(ip, n)| (db.locate(ip), *n)).collect();
    let mut groups: BTreeMap<LocKey, u64> = BTreeMap::new();
    let mut failures = vec![Failures::default(); db.files.len()];
    for ((loc, n), (ip, _)) in located.into_iter().zip(&ips) {
        let loc = loc.unwrap_or_else(|(i, e)| {
            let f = &mut failures[i];
            f.addresses += 1;
            f.events += n;
            f.first.get_or_insert_with(|| (ip.to_string(), e));
            Location::label(NOT_FOUND)
        });
        *groups.entry(LocKey(loc)).or_default() += n;
    }
    *db.failures.lock().unwrap_or_else(|e| e.into_inner()) = failures;
    let mut rows: Vec<(Location, u64)> = groups.into_iter().map(|(k, n)| (k.0, n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| LocKey::cmp_loc(&a.0, &b.0)));
    (rows, db.failures())
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
            ("kinesis.us-east-1.amazonaws.com", Origin::Service),
            ("AWS Internal", Origin::Service),
            // Not a service: only AWS's names are.
            ("8.8.8.8, 10.0.0.1", Origin::Unknown),
            ("localhost", Origin::Unknown),
            ("evil\x1b[31m", Origin::Unknown),
            ("amazonaws.com", Origin::Unknown),
            (".amazonaws.com", Origin::Unknown),
            ("evil.com/x.amazonaws.com", Origin::Unknown),
            ("AWS internal", Origin::Unknown),
            // A zone names the interface, not the place: dropped.
            ("fe80::1%eth0", Origin::Private),
            (
                "2001:4860::1%2",
                Origin::Public("2001:4860::1".parse().unwrap()),
            ),
            ("8.8.8.8%eth0", Origin::Unknown),
            ("fe80::1%", Origin::Unknown),
            // 6to4: the IPv4 address in bits 16-47 (c0a8:0101 = 192.168.1.1).
            (
                "2002:808:808::1",
                Origin::Public("8.8.8.8".parse().unwrap()),
            ),
            ("2002:c0a8:101:5::9", Origin::Private),
            ("2002::1", Origin::Private),
            // NAT64, well-known prefix: the last 32 bits; local-use prefix: private.
            (
                "64:ff9b::8.8.4.4",
                Origin::Public("8.8.4.4".parse().unwrap()),
            ),
            ("64:ff9b::a01:203", Origin::Private),
            ("64:ff9b:1::8.8.4.4", Origin::Private),
            (
                "64:ff9b:0:1::8.8.4.4",
                Origin::Public("64:ff9b:0:1::808:404".parse().unwrap()),
            ),
            // Teredo: the client's address inverted (RFC 4380's example client is 192.0.2.45).
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Origin::Private),
            (
                "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
                Origin::Public("8.8.8.8".parse().unwrap()),
            ),
            ("2001:1::1", Origin::Public("2001:1::1".parse().unwrap())),
        ];
        for (s, want) in cases {
            assert_eq!(classify(s), want, "{s}");
        }
    }

    #[test]
    fn iso_names() {
        assert_eq!(iso_name("se").as_deref(), Some("Sweden"));
        assert_eq!(iso_name("GB").as_deref(), Some("United Kingdom"));
        assert_eq!(iso_name("ZW").as_deref(), Some("Zimbabwe"));
        assert_eq!(iso_name("AD").as_deref(), Some("Andorra"));
        // The common names, as MaxMind's databases write them: one country, one row.
        assert_eq!(iso_name("KR").as_deref(), Some("South Korea"));
        assert_eq!(iso_name("VN").as_deref(), Some("Vietnam"));
        assert_eq!(iso_name("TW").as_deref(), Some("Taiwan"));
        assert_eq!(iso_name("IR").as_deref(), Some("Iran"));
        assert_eq!(iso_name("XX"), None);
        assert_eq!(iso_name(""), None);
        assert!(COUNTRY_NAMES.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    /// The table against iso-codes' iso_3166-1.json as pinned in testdata/ (Debian's
    /// iso-codes 4.15.0; other versions rename countries, so the installed one is not used),
    /// every code both ways: the `common_name` where there is one, else the `name`.
    /// `testdata/countries.py` writes the table from the same file.
    #[test]
    fn country_names_match_iso_codes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/iso_3166-1.json");
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut want: Vec<(String, String)> = doc["3166-1"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let name = c.get("common_name").unwrap_or(&c["name"]);
                let f = |v: &serde_json::Value| v.as_str().unwrap().to_string();
                (f(&c["alpha_2"]), f(name))
            })
            .collect();
        want.sort();
        assert_eq!(want.len(), 249);
        let have: Vec<(String, String)> = COUNTRY_NAMES
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect();
        assert_eq!(
            have, want,
            "run python3 testdata/countries.py > src/geo/countries.rs"
        );
        for (code, name) in &want {
            assert_eq!(iso_name(code).as_deref(), Some(name.as_str()));
        }
    }

    #[test]
    fn floats_read_as_the_decimal_they_were_written_from() {
        // 37.422 as a float is 37.42200088500977 as a double; the reader shows 37.422.
        assert_eq!(widen(37.422_f32), 37.422);
        assert_eq!(widen(-0.091_224_4_f32), -0.0912244);
        assert_eq!(widen(62.0_f32), 62.0);
        assert!(widen(f32::NAN).is_nan());
        assert_ne!(f64::from(37.422_f32), 37.422);
    }

    #[test]
    fn floats_widen_as_ryus_shortest_digits_read_back() {
        // Every 4,099th bit pattern (about a million floats: every exponent, subnormals and
        // both signs), against ryu's shortest form parsed as a double.
        let mut checked = 0;
        for bits in (0..=u32::MAX).step_by(4099) {
            let x = f32::from_bits(bits);
            if !x.is_finite() {
                continue;
            }
            let want: f64 = ryu::Buffer::new().format_finite(x).parse().unwrap();
            assert_eq!(widen(x).to_bits(), want.to_bits(), "{x:e} ({bits:#x})");
            checked += 1;
        }
        assert!(checked > 1_000_000, "{checked}");
    }

    #[test]
    fn notes_say_why_there_is_no_database() {
        assert!(
            NoDb::NotFound
                .note()
                .starts_with("no GeoIP database found: pass --geoip FILE.mmdb")
        );
        assert!(
            NoDb::Disabled
                .note()
                .starts_with("no GeoIP database: KINESIS_INSIGHTS_GEOIP is set but empty")
        );
    }

    #[test]
    fn choosing_the_database() {
        let flags = [PathBuf::from("/x/v4.mmdb"), PathBuf::from("/x/v6.mmdb")];
        assert_eq!(
            choose(&flags, Some("/y".as_ref())),
            DbChoice::Paths(flags.to_vec())
        );
        assert_eq!(
            choose(&[], Some("/y.mmdb".as_ref())),
            DbChoice::Paths(vec!["/y.mmdb".into()])
        );
        assert_eq!(
            choose(&[], Some("/y/v4.mmdb:/y/v6.mmdb:".as_ref())),
            DbChoice::Paths(vec!["/y/v4.mmdb".into(), "/y/v6.mmdb".into()])
        );
        assert_eq!(
            choose(&[], Some("".as_ref())),
            DbChoice::Missing(NoDb::Disabled)
        );
    }
}
